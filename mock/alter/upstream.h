/* The upstream call of proxy mode (alter.md §7), made from the mock with libcurl: the caller's
 * method, URL, headers and body plus the grant's credential, within the call's timeout, to an
 * address the allow-list permits (checked again when connecting), without following
 * redirects or any proxy from the environment.  Blocking: the request's worker thread (or an
 * approval's execution thread) waits for it, never holding a lock. */
#ifndef ALTER_UPSTREAM_H
#define ALTER_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alter/proxy_call.h"

#define UPSTREAM_BODY_MAX       (1024 * 1024) /* bytes of a response body returned */
#define UPSTREAM_AUDIT_BODY_MAX (10 * 1024)   /* bytes of a body kept on the audit row */

struct upstream_result {
    long status_code;    /* 0 when there was no answer */
    cJSON *headers;      /* owned object {name: value}; hop-by-hop headers left out */
    unsigned char *body; /* owned; the first UPSTREAM_BODY_MAX bytes */
    size_t body_len;
    bool body_truncated; /* the answer was longer than UPSTREAM_BODY_MAX */
    /* no answer: "timeout", "connection_refused", "address_not_allowed", "dns_failure",
     * "connection_failed", "connection_reset" or "protocol_error" (static); NULL otherwise */
    const char *error;
    char message[512];
};

/* Makes the call with the header line `credential` ("Authorization: Bearer ...") added. */
void upstream_perform(const struct proxy_call *call, const char *credential,
                      struct upstream_result *out);
void upstream_result_free(struct upstream_result *result);

/* The proxy's answer: {status_code, headers, body_b64, body_truncated}. */
cJSON *upstream_result_json(const struct upstream_result *result);
/* details of a 502 upstream_error: {reason, timeout_ms (for a timeout)}. */
cJSON *upstream_error_details(const struct proxy_call *call, const struct upstream_result *result);
/* What the audit row keeps: {status_code, error, request_body_b64,
 * request_body_truncated, response_body_b64, response_body_truncated}, bodies cut at
 * UPSTREAM_AUDIT_BODY_MAX bytes. */
cJSON *upstream_audit_json(const struct proxy_call *call, const struct upstream_result *result);

#endif
