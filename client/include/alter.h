/* agentclient: a C client for the Alter agent-identity API (contract: contract/alter.md §1–§7).
 *
 * It mirrors the shape of the Alter Python SDK: App (an app key) with its `agents`
 * namespace, Agent (an agent key, or App.get_agent(id): the app key plus X-Alter-Caller) with
 * me() and trace(), and the app's audit log.  The conventions are those of alsorn.h:
 *
 *   - Every call returns an alter_status; ALTER_OK is 0.  Details of a failure go into an
 *     optional alter_error out-parameter (initialise it once with ALTER_ERROR_INIT; every call
 *     clears it on entry; call alter_error_clear() when done with it).
 *   - Results are heap objects the caller owns and releases with the matching *_free().  An
 *     out-pointer is set only on ALTER_OK; NULL discards the result.
 *   - Retries (429, 5xx, connection failures) happen inside the call with exponential
 *     back-off and jitter, honouring Retry-After, through the same transport as alsorn.h.
 *     Every POST carries an Idempotency-Key reused by its retries (the caller's own for
 *     alter_agents_create when given): a retried create that the server already performed
 *     comes back as a replay, with api_key NULL.
 *   - Every request path is in one table, client/src/alter_routes.c.  The live service
 *     publishes SDK signatures, not paths: if it differs, correct the row there.
 *
 * THREADS: a handle owns one libcurl connection and must not be used by two threads at once.
 * Create one handle per thread (alter_app_get_agent makes a new handle each time). */
#ifndef ALTER_H
#define ALTER_H

#include "agentclient.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ----------------------------------------------------------------------------- */

/* One value per error code of contract §2; alter_error_class() names the SDK exception. */
typedef enum {
    ALTER_OK = 0,
    ALTER_ERR_MISSING_KEY,                         /* 401 missing_key: InvalidKeyError */
    ALTER_ERR_INVALID_KEY,                         /* 401 invalid_key: InvalidKeyError */
    ALTER_ERR_KEY_REVOKED,                         /* 401 KeyRevokedError */
    ALTER_ERR_INSUFFICIENT_SCOPE,                  /* 403 InsufficientScopeError */
    ALTER_ERR_AGENT_CANNOT_MINT_SUBAGENTS,         /* 403 AgentCannotMintSubagentsError */
    ALTER_ERR_ME_REQUIRES_AGENT_KEY,               /* 400 MeRequiresAgentKeyError */
    ALTER_ERR_AGENT_NOT_FOUND,                     /* 404 AgentNotFoundError */
    ALTER_ERR_KEY_NOT_FOUND,                       /* 404 KeyNotFoundError */
    ALTER_ERR_AGENT_NAME_EXISTS,                   /* 409 AgentNameExistsError */
    ALTER_ERR_AGENT_REVOKED,                       /* 409 AgentRevokedError */
    ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED, /* 409 AgentScopeNarrowingNotSupportedError */
    ALTER_ERR_LAST_ACTIVE_KEY,                     /* 409 LastActiveKeyError */
    ALTER_ERR_KEY_ALREADY_REVOKED,                 /* 409 KeyAlreadyRevokedError */
    ALTER_ERR_IDEMPOTENCY_KEY_BODY_MISMATCH,       /* 422 IdempotencyKeyBodyMismatchError */
    ALTER_ERR_IDEMPOTENCY_KEY_AGENT_REVOKED,       /* 409 IdempotencyKeyAgentRevokedError */
    ALTER_ERR_VALIDATION,                          /* 422 validation_error: AlterValueError */
    ALTER_ERR_INVALID_JSON,                        /* 400 BackendError */
    ALTER_ERR_RATE_LIMITED,                        /* 429 BackendError; see retry_after */
    ALTER_ERR_POLICY_VIOLATION,                    /* 403 PolicyViolationError */
    ALTER_ERR_GRANT_NOT_FOUND,                     /* 404 GrantNotFoundError */
    ALTER_ERR_GRANT_REVOKED,                       /* 410 GrantRevokedError */
    ALTER_ERR_NO_DELEGATED_GRANT,                  /* 403 NoDelegatedGrantError */
    ALTER_ERR_APPROVAL_NOT_FOUND,                  /* 404 */
    ALTER_ERR_APPROVAL_NOT_EXECUTED,               /* 409: no result (yet); see details_json */
    ALTER_ERR_UPSTREAM, /* 502 upstream_error (proxy), or the provider call of retrieve mode
                         * got no answer: details_json {"reason": "timeout" | ...} */
    ALTER_ERR_TIMEOUT,  /* alter_await_approval: still undecided or running at the deadline */
    ALTER_ERR_INTERNAL,                            /* 500 internal_error: BackendError */
    ALTER_ERR_HTTP,             /* another HTTP error (unknown route, 405, 413, 415, ...) */
    ALTER_ERR_CONNECTION,       /* no HTTP answer (refused, reset, timeout) after the retries */
    ALTER_ERR_DECODE,           /* a 2xx answer whose body is not what the contract says */
    ALTER_ERR_INVALID_ARGUMENT, /* rejected before sending */
    ALTER_ERR_NOMEM,
} alter_status;

typedef struct {
    char *field; /* "name", "scopes.google[1]", "X-Alter-Trace-step", ... */
    char *message;
} alter_field_error;

typedef struct {
    alter_status status;
    long http_status;  /* 0 when no HTTP answer was received */
    char code[64];     /* wire code, e.g. "last_active_key"; empty for client-side errors */
    char message[512]; /* server message, or a description of the client-side failure */
    char request_id[64];
    long retry_after;                /* seconds from Retry-After; 0 when absent */
    char *details_json;              /* the error's "details" object as JSON; owned, may be NULL */
    alter_field_error *field_errors; /* details.fields of a validation_error; owned */
    size_t field_error_count;
} alter_error;

/* clang-format off */
#define ALTER_ERROR_INIT {0}
/* clang-format on */

AGENTCLIENT_API
void alter_error_clear(alter_error *err);
/* "ALTER_ERR_KEY_REVOKED", ...: a static string for logs. */
AGENTCLIENT_API
const char *alter_status_name(alter_status status);
/* The Python SDK's exception class for the status ("KeyRevokedError", "BackendError", ...);
 * "" for ALTER_OK. */
AGENTCLIENT_API
const char *alter_error_class(alter_status status);

/* ---- handles ---------------------------------------------------------------------------- */

typedef struct alter_app alter_app;     /* App: an app key */
typedef struct alter_agent alter_agent; /* Agent: an agent key, or an app key acting as one */

#define ALTER_DEFAULT_BASE_URL "https://api.alterauth.com"

/* api_key NULL: $ALTER_API_KEY; base_url NULL: $ALTER_BASE_URL, else ALTER_DEFAULT_BASE_URL.
 * Returns NULL without a key, or when out of memory. */
AGENTCLIENT_API
alter_app *alter_app_new(const char *api_key, const char *base_url);
AGENTCLIENT_API
void alter_app_free(alter_app *app);
/* App.get_agent(id): a new handle that calls as that agent (the app key plus
 * X-Alter-Caller: agent_id).  Free it with alter_agent_free; it does not need app to live. */
AGENTCLIENT_API
alter_agent *alter_app_get_agent(alter_app *app, const char *agent_id);

/* agent_key NULL: $ALTER_AGENT_KEY; base_url as for alter_app_new. */
AGENTCLIENT_API
alter_agent *alter_agent_new(const char *agent_key, const char *base_url);
AGENTCLIENT_API
void alter_agent_free(alter_agent *agent);

/* Retries after the first attempt (default 3; 0 disables them).  n < 0 is rejected. */
AGENTCLIENT_API
alter_status alter_app_set_max_retries(alter_app *app, int n);
AGENTCLIENT_API
alter_status alter_agent_set_max_retries(alter_agent *agent, int n);
/* X-Request-Id of the last answer ("" when none); valid until the next call. */
AGENTCLIENT_API
const char *alter_app_last_request_id(const alter_app *app);
AGENTCLIENT_API
const char *alter_agent_last_request_id(const alter_agent *agent);
/* Whether the last answer carried X-Alter-Key-Deprecated: true (the key still works but is
 * being rotated out). */
AGENTCLIENT_API
bool alter_app_last_key_deprecated(const alter_app *app);
AGENTCLIENT_API
bool alter_agent_last_key_deprecated(const alter_agent *agent);

/* ---- models ----------------------------------------------------------------------------- */

typedef struct {
    char *provider;
    char **scopes;
    size_t scope_count;
} alter_provider_scopes;

typedef struct { /* AgentInfo */
    char *id;    /* UUID */
    char *name;
    char *display_name;            /* NULL when unset */
    char *type;                    /* agent | service */
    char *status;                  /* active | revoked */
    alter_provider_scopes *scopes; /* per-provider allowlist, in the server's order */
    size_t scope_count;
    char *metadata_json; /* the metadata object as compact JSON */
    char *policy_json;   /* the policy object as compact JSON */
    char *created_at;    /* RFC 3339; NULL when the wire has null */
    char *updated_at;
    char *revoked_at;
} alter_agent_info;

typedef struct { /* AgentKey: metadata only, never the plaintext */
    char *key_id;
    char *agent_id;
    char *key_prefix; /* as the server shows it: type prefix + 8 characters
                       * (alter_key_agent_vYbdGLvu) */
    char *name;       /* NULL when unnamed */
    char *status;     /* active | deprecated | revoked */
    char *created_at;
    char *deprecated_at;
    char *revoked_at;
    char *last_used_at;
} alter_agent_key;

typedef struct { /* AgentCreateResult */
    alter_agent_info agent;
    char *api_key;        /* the plaintext, shown once; NULL on an idempotent replay */
    alter_agent_key *key; /* the agent's first key; NULL when absent */
    bool replayed;        /* the answer carried Idempotent-Replayed: true */
} alter_agent_create_result;

typedef struct { /* AgentKeyMintResult */
    alter_agent_key key;
    char *api_key; /* the plaintext, shown once */
} alter_key_mint_result;

typedef struct {
    alter_agent_info *items; /* oldest first */
    size_t count;
    long long total;
    long limit;
    long offset;
    bool has_more;
} alter_agent_list;

typedef struct {
    alter_agent_key *items; /* oldest first */
    size_t count;
} alter_key_list;

typedef struct {
    char *id;
    char *created_at;
    char *action;  /* agent.created, key.revoked, agent.me, ... */
    char *outcome; /* success | denied | error */
    long status_code;
    char *caller_key_prefix;
    char *caller_type; /* app | agent */
    char *agent_id;    /* NULL when the call concerned no agent */
    char *run_id;
    char *thread_id;
    char *parent_run_id;
    char *trace_json; /* the trace metadata object as compact JSON */
    char *grant_id;
    char *method;
    char *path;
    char *request_id;
    char *details_json;  /* what the call did beyond its route (§7: the upstream call, the
                          * approval, the policy rule), compact JSON; "{}" when nothing */
    char *previous_hash; /* NULL for the first row of the chain */
    char *hash;
    char *row_json; /* the whole row as received: what alter_audit_chain_verify hashes */
} alter_audit_row;

typedef struct {
    alter_audit_row *rows; /* oldest first */
    size_t count;
    char *next_cursor; /* pass as `after` for the next page; NULL on the last page */
    char *anchor_hash; /* the hash the oldest kept row links to: NULL unless the server
                        * dropped rows beyond its cap */
    long long dropped; /* rows the server dropped from the front of the chain */
} alter_audit_page;

typedef struct {
    bool valid;
    long long length;
    char *head_hash; /* NULL for an empty chain */
    char *broken_at; /* id of the first row that does not verify; NULL when valid */
    char *anchor_hash; /* what the server verified from: NULL unless it dropped rows */
    long long dropped; /* rows dropped from the front of the chain (length counts the rest) */
} alter_audit_verification;

AGENTCLIENT_API
void alter_agent_info_free(alter_agent_info *info);
AGENTCLIENT_API
void alter_agent_key_free(alter_agent_key *key);
AGENTCLIENT_API
void alter_agent_create_result_free(alter_agent_create_result *result);
AGENTCLIENT_API
void alter_key_mint_result_free(alter_key_mint_result *result);
AGENTCLIENT_API
void alter_agent_list_free(alter_agent_list *list);
AGENTCLIENT_API
void alter_key_list_free(alter_key_list *list);
AGENTCLIENT_API
void alter_audit_page_free(alter_audit_page *page);
AGENTCLIENT_API
void alter_audit_rows_free(alter_audit_row *rows, size_t n);
AGENTCLIENT_API
void alter_audit_verification_free(alter_audit_verification *verification);

/* ---- app.agents ------------------------------------------------------------------------- */

typedef struct {
    const char *provider;      /* "google" */
    const char *const *scopes; /* {"gmail.readonly", ...} */
    size_t scope_count;
} alter_scope_grant;

/* Unset fields are not sent: NULL strings and scopes NULL.  metadata_json and policy_json are
 * JSON object text ("{\"team\": \"research\"}"); text that is not a JSON object is rejected
 * before sending.  idempotency_key: sent as Idempotency-Key; the same key and body within
 * 24 h return the same agent (api_key NULL, replayed true). */
typedef struct {
    const char *name;
    const char *display_name;
    const char *type; /* "agent" (server default) | "service" */
    const alter_scope_grant *scopes;
    size_t scope_count;
    const char *metadata_json;
    const char *policy_json;
    const char *idempotency_key;
} alter_agent_create_params;

/* limit 0: server default (100); offset 0 is the default. */
typedef struct {
    bool include_revoked;
    long limit;
    long offset;
} alter_agent_list_params;

/* PATCH sends only what is set.  scopes must be the FULL desired map: dropping a provider or
 * a scope is refused (ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED).  clear_display_name
 * sends display_name null.  To send an empty scope map set scopes non-NULL, scope_count 0. */
typedef struct {
    const char *display_name;
    bool clear_display_name;
    const alter_scope_grant *scopes;
    size_t scope_count;
    const char *metadata_json;
    const char *policy_json;
} alter_agent_update_params;

AGENTCLIENT_API
alter_status alter_agents_create(alter_app *app, const alter_agent_create_params *params,
                                 alter_agent_create_result **out, alter_error *err);
/* params NULL: the defaults (live agents, limit 100, offset 0). */
AGENTCLIENT_API
alter_status alter_agents_list(alter_app *app, const alter_agent_list_params *params,
                               alter_agent_list **out, alter_error *err);
AGENTCLIENT_API
alter_status alter_agents_get(alter_app *app, const char *agent_id, alter_agent_info **out,
                              alter_error *err);
/* The live agent with that name.  *out is NULL (and ALTER_OK returned) when there is none. */
AGENTCLIENT_API
alter_status alter_agents_get_by_name(alter_app *app, const char *name, alter_agent_info **out,
                                      alter_error *err);
AGENTCLIENT_API
alter_status alter_agents_update(alter_app *app, const char *agent_id,
                                 const alter_agent_update_params *params, alter_agent_info **out,
                                 alter_error *err);
/* Soft delete: status "revoked", every key revoked. */
AGENTCLIENT_API
alter_status alter_agents_delete(alter_app *app, const char *agent_id, alter_agent_info **out,
                                 alter_error *err);

/* name may be NULL. */
AGENTCLIENT_API
alter_status alter_agents_mint_key(alter_app *app, const char *agent_id, const char *name,
                                   alter_key_mint_result **out, alter_error *err);
AGENTCLIENT_API
alter_status alter_agents_list_keys(alter_app *app, const char *agent_id, alter_key_list **out,
                                    alter_error *err);
AGENTCLIENT_API
alter_status alter_agents_deprecate_key(alter_app *app, const char *agent_id, const char *key_id,
                                        alter_agent_key **out, alter_error *err);
AGENTCLIENT_API
alter_status alter_agents_undeprecate_key(alter_app *app, const char *agent_id, const char *key_id,
                                          alter_agent_key **out, alter_error *err);
/* A revoke that would leave the agent no active key needs force (else
 * ALTER_ERR_LAST_ACTIVE_KEY), whatever the revoked key's own status: deprecating the only key
 * and then revoking it still needs force. */
AGENTCLIENT_API
alter_status alter_agents_revoke_key(alter_app *app, const char *agent_id, const char *key_id,
                                     bool force, alter_agent_key **out, alter_error *err);

/* ---- the agent -------------------------------------------------------------------------- */

AGENTCLIENT_API
alter_status alter_agent_me(alter_agent *agent, alter_agent_info **out, alter_error *err);

/* Agent.trace(run_id=, thread_id=, parent=, **metadata): between alter_trace_begin and the
 * matching alter_trace_end, every request of the handle carries X-Alter-Run-Id,
 * X-Alter-Thread-Id, X-Alter-Parent-Run-Id and one X-Alter-Trace-<key> per metadata entry.
 * Scopes nest: per field (and per metadata key, compared without case) the innermost scope
 * that sets it wins; NULL inherits, ALTER_TRACE_CLEAR drops an inherited value.  Values are
 * copied.  Keys must match [A-Za-z0-9_-]+ and values must not hold control characters (they
 * become header lines), else ALTER_ERR_INVALID_ARGUMENT; the server checks the lengths. */
typedef struct {
    const char *key;
    const char *value;
} alter_trace_entry;

typedef struct {
    const char *run_id;
    const char *thread_id;
    const char *parent_run_id;
    const alter_trace_entry *metadata;
    size_t metadata_count;
} alter_trace;

AGENTCLIENT_API
extern const char ALTER_TRACE_CLEAR[]; /* a distinct pointer, compared by address */

AGENTCLIENT_API
alter_status alter_trace_begin(alter_agent *agent, const alter_trace *trace);
/* Closes the innermost open scope; ALTER_ERR_INVALID_ARGUMENT when none is open. */
AGENTCLIENT_API
alter_status alter_trace_end(alter_agent *agent);

/* ---- audit (app key with audit_logs:read) ----------------------------------------------- */

/* Unset filters are not sent: NULL strings, limit 0 (server default 100). */
typedef struct {
    const char *after; /* a row id: the page starts after it */
    long limit;
    const char *agent_id;
    const char *run_id;
    const char *thread_id;
    const char *action;
} alter_audit_params;

AGENTCLIENT_API
alter_status alter_audit_list(alter_app *app, const alter_audit_params *params,
                              alter_audit_page **out, alter_error *err);
/* The whole chain the server keeps, oldest first, following next_cursor (limit 1000).  The
 * calls that read it append rows of their own, so the result is the chain as it stood at the
 * last page.  A server that caps its log drops the oldest rows: its first row then links to
 * an anchor (see alter_audit_get_chain_from).  Free with alter_audit_rows_free(*rows, *n). */
AGENTCLIENT_API
alter_status alter_audit_get_chain(alter_app *app, alter_audit_row **rows, size_t *n,
                                   alter_error *err);
/* The same, with the hash the oldest row kept links to (*anchor_hash, NULL when the server
 * never dropped a row; caller frees), as the first page gave it: what
 * alter_audit_chain_verify_from checks the rows from. */
AGENTCLIENT_API
alter_status alter_audit_get_chain_from(alter_app *app, alter_audit_row **rows, size_t *n,
                                        char **anchor_hash, alter_error *err);
/* The server's own check (GET /sdk/audit/verify). */
AGENTCLIENT_API
alter_status alter_audit_verify(alter_app *app, alter_audit_verification **out, alter_error *err);

/* Checks a chain here, without trusting the server: each row's hash must be "sha256:" +
 * hex(SHA-256(canonical JSON of every other field of the row as received)), the first
 * previous_hash must be null and every other one the hash before it.  Returns 1 when valid
 * (an empty chain is), 0 when broken with *broken_at (may be NULL) = index of the first bad
 * row, -1 when out of memory. */
AGENTCLIENT_API
int alter_audit_chain_verify(const alter_audit_row *rows, size_t n, size_t *broken_at);
/* The same for a chain whose oldest rows were dropped: the first previous_hash must be
 * anchor_hash (NULL: null, as alter_audit_chain_verify).  The anchor is the server's word
 * for where the kept rows start; everything after it is checked here. */
AGENTCLIENT_API
int alter_audit_chain_verify_from(const alter_audit_row *rows, size_t n, const char *anchor_hash,
                                  size_t *broken_at);

/* ---- vaulted access (contract §7) ------------------------------------------------------- */

/* A header: borrowed in params, owned (free with the result) in results. */
typedef struct {
    const char *name;
    const char *value;
} alter_header_param;

typedef struct {
    char *name;
    char *value;
} alter_header;

typedef struct { /* Grant: never the credential itself */
    char *grant_id;
    char *provider_id;
    char **scopes;
    size_t scope_count;
    char *account_identifier;
    char *principal_type; /* user | agent */
    char *owner_agent_id; /* an agent-owned managed secret's owner; NULL for user grants */
    char **delegated_agent_ids;
    size_t delegated_count;
    char *token_type;
    char *status; /* active | revoked */
    char *created_at;
    char *revoked_at;
    char *revoke_reason;
} alter_grant;

typedef struct {
    alter_grant *items; /* oldest first */
    size_t count;
    long long total;
    long limit;
    long offset;
    bool has_more;
} alter_grant_list;

/* Unset filters are not sent: provider_id NULL, limit 0 (server default 100). */
typedef struct {
    const char *provider_id;
    bool include_revoked;
    long limit;
    long offset;
} alter_grant_list_params;

/* Every grant of the app (params may be NULL). */
AGENTCLIENT_API
alter_status alter_grants_list(alter_app *app, const alter_grant_list_params *params,
                               alter_grant_list **out, alter_error *err);
/* The grants the agent owns or that are delegated to it. */
AGENTCLIENT_API
alter_status alter_agent_list_grants(alter_agent *agent, const alter_grant_list_params *params,
                                     alter_grant_list **out, alter_error *err);
/* App key with agents:admin.  reason may be NULL; revoking again changes nothing.  Using a
 * revoked grant fails with ALTER_ERR_GRANT_REVOKED. */
AGENTCLIENT_API
alter_status alter_grants_revoke(alter_app *app, const char *grant_id, const char *reason,
                                 alter_grant **out, alter_error *err);

/* agent.request(method, url, grant_id=...) and agent.proxy_request(...): the call to make
 * with a grant's credential.  Your own headers must not carry credentials (Authorization,
 * Cookie, x-api-key, x-amz-security-token: the vault injects the grant's); the proxy refuses
 * them with ALTER_ERR_VALIDATION, alter_agent_request with ALTER_ERR_INVALID_ARGUMENT before
 * sending anything.
 * body NULL: no body.  reason and context_json (JSON object text) go on the audit row.
 * timeout_ms 0: the default (proxy: the server's; request: the handle's own timeout). */
typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *url;
    const char *grant_id;
    const alter_header_param *headers;
    size_t header_count;
    const void *body;
    size_t body_len;
    const char *reason;
    const char *context_json;
    long timeout_ms;
} alter_request_params;

typedef struct { /* retrieve mode's credential */
    char *access_token;
    char *token_type; /* "Bearer" */
    char *expires_at;
    char **scopes;
    size_t scope_count;
    char *grant_id;
    alter_header *inject_headers; /* add these to the provider call */
    size_t inject_header_count;
} alter_token;

typedef struct { /* the provider's answer, in either mode (any HTTP status) */
    long status_code;
    alter_header *headers;
    size_t header_count;
    unsigned char *body; /* NUL-terminated (not counted in body_len); never NULL */
    size_t body_len;
    bool body_truncated; /* cut at the server's (proxy) or the client's cap: see README */
} alter_response;

typedef struct {
    char *approval_id;
    char *status; /* pending | approved | executing | executed | denied | expired | failed */
    char *grant_id;
    char *agent_id;
    char *approval_url; /* where a person decides it (the sandbox's admin API) */
    char *created_at;
    char *expires_at;
    char *decided_at;
    char *decision_reason;
    char *executed_at;
    bool has_result;  /* executed: alter_approval_result reads the answer */
    char *error_json; /* a failed one's {"code", "message", "details"}; NULL otherwise */
} alter_approval;

typedef struct { /* exactly one is set */
    alter_response *response; /* the call was made (HTTP 200) */
    alter_approval *approval; /* the agent's policy requires an approval first (HTTP 202) */
} alter_proxy_result;

AGENTCLIENT_API
void alter_grant_free(alter_grant *grant);
AGENTCLIENT_API
void alter_grant_list_free(alter_grant_list *list);
AGENTCLIENT_API
void alter_token_free(alter_token *token); /* wipes the credential */
AGENTCLIENT_API
void alter_response_free(alter_response *response);
AGENTCLIENT_API
void alter_approval_free(alter_approval *approval);
AGENTCLIENT_API
void alter_proxy_result_free(alter_proxy_result *result);
/* The value of a header of a response or token (name without case); NULL when absent. */
AGENTCLIENT_API
const char *alter_header_get(const alter_header *headers, size_t n, const char *name);

/* Retrieve mode, step one: the grant's credential (POST /sdk/token). */
AGENTCLIENT_API
alter_status alter_agent_token(alter_agent *agent, const alter_request_params *params,
                               alter_token **out, alter_error *err);
/* Retrieve mode: fetches the credential, then calls params->url itself with libcurl, the
 * token's inject_headers added to params->headers.  A provider answer of any status is
 * ALTER_OK; no answer at all is ALTER_ERR_UPSTREAM (details_json {"reason"}).  The provider
 * call follows no redirects and reads at most 64 MiB (then body_truncated). */
AGENTCLIENT_API
alter_status alter_agent_request(alter_agent *agent, const alter_request_params *params,
                                 alter_response **out, alter_error *err);
/* Proxy mode (POST /sdk/proxy): the server makes the call.  Sent once, never retried: the
 * provider call may not be safe to repeat. */
AGENTCLIENT_API
alter_status alter_agent_proxy_request(alter_agent *agent, const alter_request_params *params,
                                       alter_proxy_result **out, alter_error *err);

/* The same three calls as the app itself (App.request(), App.proxy_request()): the app key
 * without X-Alter-Caller may use any non-revoked grant of its app, no agent's policy applies,
 * and the audit row says caller_type "app".  A proxy call of the app never waits for an
 * approval (approvals are an agent policy). */
AGENTCLIENT_API
alter_status alter_app_token(alter_app *app, const alter_request_params *params,
                             alter_token **out, alter_error *err);
AGENTCLIENT_API
alter_status alter_app_request(alter_app *app, const alter_request_params *params,
                               alter_response **out, alter_error *err);
AGENTCLIENT_API
alter_status alter_app_proxy_request(alter_app *app, const alter_request_params *params,
                                     alter_proxy_result **out, alter_error *err);

/* An approval the agent asked for (GET /sdk/approvals/{id}). */
AGENTCLIENT_API
alter_status alter_approval_get(alter_agent *agent, const char *approval_id, alter_approval **out,
                                alter_error *err);
/* Its result once executed; before that, or when it never will be, ALTER_ERR_APPROVAL_NOT_EXECUTED
 * with details_json {"status", "error"?}. */
AGENTCLIENT_API
alter_status alter_approval_result(alter_agent *agent, const char *approval_id,
                                   alter_response **out, alter_error *err);
/* Polls the approval every poll_interval_ms (0: 500) until it is executed, denied, expired or
 * failed (ALTER_OK, *out the approval: check its status), or timeout_ms pass
 * (ALTER_ERR_TIMEOUT, *out the last state seen). */
AGENTCLIENT_API
alter_status alter_await_approval(alter_agent *agent, const char *approval_id, long timeout_ms,
                                  long poll_interval_ms, alter_approval **out, alter_error *err);

#ifdef __cplusplus
}
#endif

#endif
