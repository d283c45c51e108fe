/* What the pieces of the Alter client share and users do not see. */
#ifndef ALTER_INTERNAL_H
#define ALTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alter.h"
#include "alter_routes.h"
#include "client_internal.h"
#include "transport.h"

struct trace_scope; /* alter_trace.c */

/* What an App or Agent handle holds: a client of the shared transport (one libcurl
 * connection, the key, the base URL, the retry settings), who it calls as, and its trace
 * scopes. */
struct alter_conn {
    alsorn_client *http;
    char *caller;               /* X-Alter-Caller; NULL for none */
    struct trace_scope *traces; /* open trace scopes, innermost first */
    bool last_key_deprecated;   /* X-Alter-Key-Deprecated: true on the last answer */
    bool last_replayed;         /* Idempotent-Replayed: true on the last answer */
};

struct alter_app {
    struct alter_conn conn;
};

struct alter_agent {
    struct alter_conn conn;
};

/* One call of the route with its path parameters, query, body (NULL: none) and, for POST,
 * Idempotency-Key (NULL: one is made).  On ALTER_OK *json (may be NULL to discard) is the
 * parsed answer, owned by the caller (NULL when the answer had no body). */
alter_status alter_call(struct alter_conn *c, alter_route_id route, const char *const *params,
                        size_t param_count, const query_param *query, size_t query_count,
                        const cJSON *body, const char *idempotency_key, cJSON **json,
                        alter_error *err);
/* The same for a call that must not be retried (send_once); *http_status (may be NULL) gets
 * the answer's status, so a caller can tell 200 from 202. */
alter_status alter_call_once(struct alter_conn *c, alter_route_id route, const cJSON *body,
                             cJSON **json, long *http_status, alter_error *err);

/* ---- errors (alter_error.c) ---- */
alter_status alter_client_error(alter_error *err, alter_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A non-2xx answer as the typed error: status from the §2 code in the body (else from the
 * HTTP status), message, request id, details and field errors. */
alter_status alter_http_error(alter_error *err, long http_status, const char *body, size_t body_len,
                              const char *header_request_id, long retry_after);
/* A client-side failure reported by the shared transport or decoders, as an alter_error. */
alter_status alter_error_from_alsorn(alter_error *err, const alsorn_error *from);

/* ---- trace scopes (alter_trace.c) ---- */
/* The headers of the open scopes, merged ("Name: value" each), NULL-terminated; NULL when out
 * of memory.  Free with alter_trace_headers_free. */
char **alter_trace_headers(const struct alter_conn *c);
void alter_trace_headers_free(char **headers);
void alter_trace_close_all(struct alter_conn *c);

/* ---- models (alter_models.c): each *_decode fills a caller-provided struct; on failure it
 * leaves it empty and returns the status also written to err ---- */
alter_status agent_info_decode(const cJSON *json, alter_agent_info *out, alter_error *err);
void agent_info_clear(alter_agent_info *info);
alter_status agent_key_decode(const cJSON *json, alter_agent_key *out, alter_error *err);
void agent_key_clear(alter_agent_key *key);
alter_status audit_row_decode(const cJSON *json, alter_audit_row *out, alter_error *err);
void audit_row_clear(alter_audit_row *row);

/* ---- vault models (alter_vault_models.c) ---- */
alter_status grant_decode(const cJSON *json, alter_grant *out, alter_error *err);
void grant_clear(alter_grant *grant);
alter_status grant_list_decode(const cJSON *json, alter_grant_list **out, alter_error *err);
alter_status token_decode(const cJSON *json, alter_token **out, alter_error *err);
/* The proxy's {status_code, headers, body_b64, body_truncated}. */
alter_status response_decode(const cJSON *json, alter_response **out, alter_error *err);
alter_status approval_decode(const cJSON *json, alter_approval **out, alter_error *err);
/* Appends a header to a growing array (name and value copied).  false when out of memory. */
bool headers_append(alter_header **headers, size_t *n, const char *name, const char *value);
void headers_free(alter_header *headers, size_t n);

#endif
