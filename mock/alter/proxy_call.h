/* One upstream call of proxy mode (alter.md §7), as POST /sdk/proxy asked for it: checked,
 * then either made at once or stored with its approval and made when the approval is given.
 * Immutable once parsed. */
#ifndef ALTER_PROXY_CALL_H
#define ALTER_PROXY_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alter/vault.h"

#define PROXY_HEADERS_MAX      50
#define PROXY_HEADER_VALUE_MAX 4096

struct proxy_call {
    char method[8];
    char *url;           /* owned */
    char host[256];      /* the URL's host, without brackets: what the allow-list matched */
    cJSON *headers;      /* owned object {name: value}: the caller's headers, checked */
    unsigned char *body; /* owned; NULL when the call has none */
    size_t body_len;
    long timeout_ms;
};

/* Upper bound (and default) of a call's timeout_ms: --proxy-timeout-ms. */
extern long proxy_timeout_ms;

/* Checks what POST /sdk/proxy adds to the target: headers (an object of strings; never
 * Authorization, Cookie, x-api-key or x-amz-security-token, whatever their case: the vault
 * injects the credential; nor the framing headers the proxy sets), body_b64 (base64) and
 * timeout_ms (1 to proxy_timeout_ms); and that the URL's host is on the allow-list.  Fills out
 * when the body is valid (out is then owned by the caller: proxy_call_free).  Returns -1 only
 * when out of memory. */
int proxy_call_parse(const cJSON *body, const struct vault_target *target, struct proxy_call *out,
                     struct field_errors *fe);
void proxy_call_free(struct proxy_call *call);

#endif
