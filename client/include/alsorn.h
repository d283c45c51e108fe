/* agentclient: a C client for the Alsorn agent API (contract: contract/alsorn.md).
 *
 * It mirrors the shape of the official Python SDK (client.agents.register() becomes
 * alsorn_agents_register()), with C conventions instead of exceptions:
 *
 *   - Every call returns an alsorn_status; ALSORN_OK is 0.  Details of a failure go into an
 *     optional alsorn_error out-parameter.  Initialise it once (ALSORN_ERROR_INIT or {0});
 *     every call clears it on entry, so one alsorn_error can be reused across calls; call
 *     alsorn_error_clear() when done with it.
 *   - Results are heap objects that the caller owns and releases with the matching
 *     alsorn_*_free().  Every string inside them is owned by the object.  An out-pointer is
 *     set only on ALSORN_OK; passing NULL for it discards the result.
 *   - Retries (429, 5xx, connection failures) happen inside the call, with exponential
 *     back-off and full jitter, honouring Retry-After.  Every POST carries an Idempotency-Key
 *     made once per call and reused by its retries, so a retried POST cannot run twice.
 *
 * THREADS: a client owns one libcurl handle (its connection is kept alive between calls), so
 * a client must not be used by two threads at once.  Create one client per thread. */
#ifndef ALSORN_H
#define ALSORN_H

#include "agentclient.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ----------------------------------------------------------------------------- */

typedef enum {
    ALSORN_OK = 0,
    ALSORN_ERR_NOT_FOUND,        /* HTTP 404 (another org's object is a 404 too) */
    ALSORN_ERR_RATE_LIMITED,     /* HTTP 429 after the retries; see alsorn_error.retry_after */
    ALSORN_ERR_AUTH,             /* HTTP 401: missing, malformed, unknown or revoked key */
    ALSORN_ERR_VALIDATION,       /* HTTP 422; see alsorn_error.field_errors */
    ALSORN_ERR_HTTP,             /* any other HTTP error (400, 405, 409, 413, 415, 5xx, ...) */
    ALSORN_ERR_CONNECTION,       /* no HTTP answer (refused, reset, timeout) after the retries */
    ALSORN_ERR_DECODE,           /* a 2xx answer whose body is not what the contract says */
    ALSORN_ERR_INVALID_ARGUMENT, /* rejected before sending (NULL id, missing api key, ...) */
    ALSORN_ERR_NOMEM,
    /* HTTP 403: the key is authentic but not allowed (level too low, plan cap, transaction
     * checks).  Kept apart from AUTH because retrying with the same key never helps and a
     * different key might; alsorn_error.code says which rule refused. */
    ALSORN_ERR_FORBIDDEN,
} alsorn_status;

typedef struct {
    char *field;   /* JSON path, e.g. "authorized_actions[2]" */
    char *message; /* e.g. "must be greater than 0" */
} alsorn_field_error;

typedef struct {
    alsorn_status status;
    long http_status;  /* 0 when no HTTP answer was received */
    char code[64];     /* wire code, e.g. "forbidden"; empty for client-side errors */
    char message[512]; /* server message, or a description of the client-side failure */
    char request_id[64];
    long retry_after;                 /* seconds from Retry-After on a 429; 0 when absent */
    alsorn_field_error *field_errors; /* every invalid field of a 422; owned, see below */
    size_t field_error_count;
    /* A transaction refused by a check (403 agent_not_active, action_not_authorized,
     * spending_limit_exceeded, insufficient_trust) is still stored as "failed": its id. */
    char transaction_id[64];
} alsorn_error;

/* clang-format off */
#define ALSORN_ERROR_INIT {0}
/* clang-format on */

/* Frees the field errors and resets *err to ALSORN_ERROR_INIT. NULL is allowed. */
AGENTCLIENT_API
void alsorn_error_clear(alsorn_error *err);

/* "ALSORN_ERR_NOT_FOUND", ...: a static string for logs. */
AGENTCLIENT_API
const char *alsorn_status_name(alsorn_status status);

/* ---- client ----------------------------------------------------------------------------- */

typedef struct alsorn_client alsorn_client;

#define ALSORN_DEFAULT_BASE_URL             "https://api.alsorn.com"
#define ALSORN_DEFAULT_TIMEOUT_SECONDS      30.0
#define ALSORN_DEFAULT_MAX_RETRIES          3
#define ALSORN_DEFAULT_BACKOFF_BASE_SECONDS 0.5
#define ALSORN_DEFAULT_BACKOFF_CAP_SECONDS  30.0
/* A 429 whose Retry-After is longer than this is returned at once instead of slept through
 * (an hour-long rate window should not freeze the caller); retry_after tells how long. */
#define ALSORN_MAX_RETRY_AFTER_WAIT_SECONDS 60

/* api_key NULL: $ALSORN_API_KEY; if neither is set, returns NULL.
 * base_url NULL: $ALSORN_BASE_URL, else ALSORN_DEFAULT_BASE_URL.  A trailing '/' is dropped;
 * a path prefix ("http://host/alsorn") is kept.
 * timeout_seconds <= 0: 30 s.  It bounds each attempt, not the whole call with retries.
 * Returns NULL also when out of memory or libcurl cannot start. */
AGENTCLIENT_API
alsorn_client *alsorn_client_new(const char *api_key, const char *base_url, double timeout_seconds);
AGENTCLIENT_API
void alsorn_client_free(alsorn_client *client);

/* Retries after the first attempt (default 3; 0 disables retries).  n < 0 is rejected. */
AGENTCLIENT_API
alsorn_status alsorn_client_set_max_retries(alsorn_client *client, int n);

/* Back-off before retry k (k = 0, 1, ...) is a uniform random wait in
 * [0, min(cap, base * 2^k)] ("full jitter"), and at least Retry-After when the server sent
 * one.  Defaults 0.5 s and 30 s; tests shorten them.  base < 0 or cap < base is rejected. */
AGENTCLIENT_API
alsorn_status alsorn_client_set_backoff(alsorn_client *client, double base_seconds,
                                        double cap_seconds);

/* Rate-limit headers of the last HTTP answer (X-RateLimit-Limit/-Remaining/-Reset, Reset in
 * Unix seconds).  Returns true when the last answer carried all three; any out-pointer may be
 * NULL. */
AGENTCLIENT_API
bool alsorn_client_last_rate_limit(const alsorn_client *client, long *limit, long *remaining,
                                   long long *reset);

/* X-Request-Id of the last HTTP answer, "" when none. Valid until the next call. */
AGENTCLIENT_API
const char *alsorn_client_last_request_id(const alsorn_client *client);

/* ---- models ----------------------------------------------------------------------------- */

/* Money: the wire carries a JSON number with at most 2 decimals.  Each amount is given both
 * as a double (convenient) and as exact integer minor units (cents: use these for sums). */

typedef struct {
    char *id;
    char *agent_id;
    int score; /* 0..1000 */
    long long total_tasks;
    long long disputes;
    double completion_rate;
    long long tenure_days;
    bool operator_verified;
    char *last_evaluated; /* NULL when never evaluated */
} alsorn_trust_record;

typedef struct {
    char *id;
    char *name;
    char *description; /* NULL when unset */
    char *fingerprint; /* "sha256:..." */
    char *environment; /* production | staging | sandbox */
    char *status;      /* active | suspended | deleted */
    char **authorized_actions;
    size_t authorized_action_count;
    double spending_limit;
    long long spending_limit_cents;
    char *currency;
    char *org_id;
    char *owner_id;
    char *created_at; /* RFC 3339 UTC; each timestamp is NULL when the wire has null */
    char *updated_at;
    char *suspended_at;
    char *deleted_at;
    alsorn_trust_record *trust_record; /* NULL when absent */
} alsorn_agent;

typedef struct {
    alsorn_agent *items; /* newest first, as the server orders them */
    size_t count;
    long page;
    long limit;
    long long total;
    long total_pages;
} alsorn_agent_list;

typedef struct {
    char *id;
    char *agent_id;
    char *action;       /* e.g. "agent.registered" */
    char *payload_json; /* the payload as received, re-printed as compact JSON */
    char *actor_id;
    char *created_at;
    char *previous_hash; /* NULL for the first entry of a chain */
    char *payload_hash;
} alsorn_audit_entry;

typedef struct {
    char *id;
    char *name;
    char *fingerprint;
    char *environment;
    char *status;
    char *org_name;
    int trust_score;
    bool operator_verified;
    char *created_at;
    bool verified;
} alsorn_verification;

typedef struct {
    bool valid;
    long long length;
    char *head_hash; /* NULL for an empty chain */
    /* The contract shows only broken_at: null.  A number is taken as the index of the first
     * bad entry, a string as its id; -1 / NULL when the chain is intact. */
    long long broken_at;
    char *broken_at_id;
} alsorn_audit_verification;

AGENTCLIENT_API
void alsorn_agent_free(alsorn_agent *agent);
AGENTCLIENT_API
void alsorn_agent_list_free(alsorn_agent_list *list);
AGENTCLIENT_API
void alsorn_audit_entries_free(alsorn_audit_entry *entries, size_t n);
AGENTCLIENT_API
void alsorn_verification_free(alsorn_verification *verification);
AGENTCLIENT_API
void alsorn_audit_verification_free(alsorn_audit_verification *verification);

/* ---- agents ----------------------------------------------------------------------------- */

/* Unset fields are not sent: NULL strings, authorized_actions NULL, spending_limit 0 (the
 * contract requires > 0, so 0 can only mean "not given"; a negative value is sent and the
 * server's 422 comes back).  A spending_limit that is a whole number of cents up to double
 * rounding is sent as that exact decimal ("0.1 + 0.2" goes out as 0.3). */
typedef struct {
    const char *name;
    const char *description;
    const char *const *authorized_actions;
    size_t authorized_action_count;
    double spending_limit;
    const char *currency;    /* server default "USD" */
    const char *environment; /* server default "production" */
} alsorn_agent_params;

/* Unset filters are not sent: NULL strings, page 0, limit 0. */
typedef struct {
    const char *status;
    const char *environment;
    const char *search;
    long page;
    long limit;
} alsorn_agent_list_params;

/* PATCH sends only what is set, with the same sentinels as alsorn_agent_params.  To send
 * an empty description use ""; to replace authorized_actions with an empty set (which the
 * server rejects) set authorized_actions to a non-NULL pointer and the count to 0. */
typedef struct {
    const char *name;
    const char *description;
    const char *const *authorized_actions;
    size_t authorized_action_count;
    double spending_limit;
    const char *currency;
} alsorn_agent_update;

/* POST /agents -> 201 Agent. */
AGENTCLIENT_API
alsorn_status alsorn_agents_register(alsorn_client *client, const alsorn_agent_params *params,
                                     alsorn_agent **out, alsorn_error *err);
/* GET /agents -> one page.  params may be NULL (server defaults: page 1, limit 20). */
AGENTCLIENT_API
alsorn_status alsorn_agents_list(alsorn_client *client, const alsorn_agent_list_params *params,
                                 alsorn_agent_list **out, alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_agents_get(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_agents_update(alsorn_client *client, const char *agent_id,
                                   const alsorn_agent_update *update, alsorn_agent **out,
                                   alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_agents_suspend(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                    alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_agents_reactivate(alsorn_client *client, const char *agent_id,
                                       alsorn_agent **out, alsorn_error *err);
/* Soft delete: the agent comes back with status "deleted". */
AGENTCLIENT_API
alsorn_status alsorn_agents_delete(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                   alsorn_error *err);
/* Public check (GET /agents/{id}/verify).  fingerprint NULL: only recompute server-side. */
AGENTCLIENT_API
alsorn_status alsorn_agents_verify(alsorn_client *client, const char *agent_id,
                                   const char *fingerprint, alsorn_verification **out,
                                   alsorn_error *err);

/* The whole audit chain of an agent, oldest first (chain order), fetched page by page
 * (limit 100).  Entries appended while paging are left out, so the result is always a
 * prefix of the chain.  Free with alsorn_audit_entries_free(*entries, *n). */
AGENTCLIENT_API
alsorn_status alsorn_agents_get_audit_chain(alsorn_client *client, const char *agent_id,
                                            alsorn_audit_entry **entries, size_t *n,
                                            alsorn_error *err);
/* The server's own check of the chain (GET /agents/{id}/audit/verify). */
AGENTCLIENT_API
alsorn_status alsorn_agents_verify_audit_chain_remote(alsorn_client *client, const char *agent_id,
                                                      alsorn_audit_verification **out,
                                                      alsorn_error *err);

/* Checks a chain locally, without trusting the server: each payload_hash must equal
 * "sha256:" + hex(SHA-256(canonical JSON of {id, agent_id, action, payload, actor_id,
 * created_at, previous_hash})), the first previous_hash must be NULL and every other one
 * must equal the payload_hash before it.  Returns 1 when valid (an empty chain is valid),
 * 0 when broken, with *broken_at (may be NULL) = index of the first bad entry, and -1 when
 * out of memory. */
AGENTCLIENT_API
int alsorn_audit_chain_verify(const alsorn_audit_entry *entries, size_t n, size_t *broken_at);

/* ---- webhooks (contract §6; every call needs an admin key) ------------------------------ */

typedef struct {
    char *id; /* "wh_..." */
    char *org_id;
    char *url;
    char **events; /* event names, or the single "*" for every event */
    size_t event_count;
    bool active;                    /* false once disabled (by PATCH or after 10 failed events) */
    long long consecutive_failures; /* failed events (after their last attempt) in a row */
    char *created_at;
    char *updated_at;
    /* "whsec_..." + 32 hex: only in the answer of alsorn_webhooks_register, NULL otherwise.
     * Keep it: the server never shows it again, and receivers need it to check signatures. */
    char *secret;
} alsorn_webhook;

typedef struct {
    alsorn_webhook *items; /* newest first */
    size_t count;
} alsorn_webhook_list;

typedef struct {
    const char *url;           /* absolute http(s) URL, at most 2048 characters */
    const char *const *events; /* e.g. {"agent.registered"}, or {"*"} for every event */
    size_t event_count;
} alsorn_webhook_params;

typedef enum {
    ALSORN_WEBHOOK_ACTIVE_UNCHANGED = 0, /* "active" is not sent */
    ALSORN_WEBHOOK_ENABLE,               /* re-enabling resets consecutive_failures */
    ALSORN_WEBHOOK_DISABLE,
} alsorn_webhook_active;

/* PATCH sends only what is set: url non-NULL, events non-NULL (count 0 sends an empty list,
 * which the server rejects), active other than UNCHANGED. */
typedef struct {
    const char *url;
    const char *const *events;
    size_t event_count;
    alsorn_webhook_active active;
} alsorn_webhook_update;

/* The answer of POST /webhooks/{id}/test. */
typedef struct {
    bool success;    /* the receiver answered 2xx within the timeout */
    int status_code; /* 0 when it gave no HTTP answer (refused, timed out) */
    long long duration_ms;
    char *error; /* NULL on success */
} alsorn_webhook_test_result;

/* One delivery attempt (GET /webhooks/{id}/deliveries). */
typedef struct {
    char *delivery_id; /* the X-Alsorn-Delivery UUID of this attempt */
    char *event_id;    /* "evt_...", the same for every attempt at one event */
    char *event;       /* e.g. "agent.registered" */
    int attempt;       /* 1 for the first */
    int status_code;   /* 0 when there was no HTTP answer */
    char *error;       /* NULL on success */
    long long duration_ms;
    char *delivered_at;  /* when the attempt was made */
    char *next_retry_at; /* NULL when no retry follows */
} alsorn_webhook_delivery;

typedef struct {
    alsorn_webhook_delivery *items; /* newest first */
    size_t count;
    long page;
    long limit;
    long long total;
    long total_pages;
} alsorn_webhook_delivery_list;

AGENTCLIENT_API
void alsorn_webhook_free(alsorn_webhook *webhook);
AGENTCLIENT_API
void alsorn_webhook_list_free(alsorn_webhook_list *list);
AGENTCLIENT_API
void alsorn_webhook_test_result_free(alsorn_webhook_test_result *result);
AGENTCLIENT_API
void alsorn_webhook_delivery_list_free(alsorn_webhook_delivery_list *list);

/* POST /webhooks -> 201 Webhook with its secret. */
AGENTCLIENT_API
alsorn_status alsorn_webhooks_register(alsorn_client *client, const alsorn_webhook_params *params,
                                      alsorn_webhook **out, alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_webhooks_list(alsorn_client *client, alsorn_webhook_list **out,
                                  alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_webhooks_get(alsorn_client *client, const char *webhook_id,
                                 alsorn_webhook **out, alsorn_error *err);
AGENTCLIENT_API
alsorn_status alsorn_webhooks_update(alsorn_client *client, const char *webhook_id,
                                    const alsorn_webhook_update *update, alsorn_webhook **out,
                                    alsorn_error *err);
/* DELETE /webhooks/{id} -> 204. */
AGENTCLIENT_API
alsorn_status alsorn_webhooks_delete(alsorn_client *client, const char *webhook_id,
                                    alsorn_error *err);
/* Sends one webhook.test event now (no retries) and reports how the receiver answered. */
AGENTCLIENT_API
alsorn_status alsorn_webhooks_test(alsorn_client *client, const char *webhook_id,
                                  alsorn_webhook_test_result **out, alsorn_error *err);
/* One page of the delivery log; page 0 / limit 0 are not sent (server defaults 1 and 20). */
AGENTCLIENT_API
alsorn_status alsorn_webhooks_deliveries(alsorn_client *client, const char *webhook_id, long page,
                                        long limit, alsorn_webhook_delivery_list **out,
                                        alsorn_error *err);

/* For receivers: true when header (the X-Alsorn-Signature value) is "sha256=" + the lowercase
 * hex HMAC-SHA256 of the raw body bytes, keyed with the whole secret string ("whsec_..."
 * included).  Compared in constant time.  Pass the body exactly as received, before any
 * parsing.  NULL secret or header gives false. */
AGENTCLIENT_API
bool alsorn_webhook_verify_signature(const char *secret, const void *body, size_t len,
                                     const char *header);

/* ---- trust (contract §4) ---------------------------------------------------------------- */

typedef struct {
    int weight; /* the most the component can give */
    int score;
    /* completion_rate, dispute_rate: the ratio; tenure: whole days; operator_verified: 1 / 0 */
    double value;
} alsorn_trust_component;

typedef struct {
    alsorn_trust_component completion_rate;
    alsorn_trust_component dispute_rate;
    alsorn_trust_component tenure;
    alsorn_trust_component operator_verified;
} alsorn_trust_components;

/* The SDK's trust.factors: what the score was computed from. */
typedef struct {
    double completion_rate;
    double dispute_ratio; /* wire: components.dispute_rate.value */
    long long tenure_days;
    bool operator_verified;
} alsorn_trust_factors;

/* The answer of evaluate() for a prospective transaction. */
typedef struct {
    bool allowed;
    char *reason; /* "Trust score meets threshold" when allowed */
    int required_score;
} alsorn_trust_decision;

typedef struct {
    char *agent_id;
    char *agent_name;
    int score;        /* 0..1000 */
    char *assessment; /* "Verified", "Trusted", "Caution" or "High Risk" */
    alsorn_trust_components components;
    alsorn_trust_factors factors;
    long long total_tasks;
    long long disputes;
    long long tenure_days;
    bool operator_verified;
    char *last_evaluated;
    char *trend;                     /* "improving", "declining" or "stable" */
    alsorn_trust_decision *decision; /* evaluate() with a prospective transaction; else NULL */
} alsorn_trust_profile;

/* batch_query(): one entry per id asked, in the same order; NULL for an unknown id. */
typedef struct {
    alsorn_trust_profile **items;
    size_t count;
} alsorn_trust_batch;

typedef struct {
    int score;
    char *assessment;
    char *reason; /* "Transaction completed", "Dispute filed against agent", ... */
    char *created_at;
} alsorn_trust_snapshot;

typedef struct {
    alsorn_trust_snapshot *items; /* newest first */
    size_t count;
} alsorn_trust_history;

typedef struct {
    char *dispute_id;
    char *agent_id;
    char *reported_by; /* NULL when the dispute names no transaction */
    char *reason;
    char *evidence;
    char **evidence_ids;
    size_t evidence_id_count;
    char *transaction_id;
    char *status; /* "pending_review", ... */
    char *created_at;
} alsorn_dispute;

/* Unset filters are not sent: days 0, since NULL.  since (RFC 3339) wins over days. */
typedef struct {
    long days; /* 1..365; server default 30 */
    const char *since;
} alsorn_trust_history_params;

/* A prospective transaction for evaluate(); amount in the agent's currency. */
typedef struct {
    const char *action;
    double amount;
    const char *currency; /* NULL: the agent's */
} alsorn_trust_evaluation_params;

typedef struct {
    const char *agent_id;            /* the reported agent */
    const char *reason;              /* 1..500 characters */
    const char *evidence;            /* optional, up to 2000 characters */
    const char *transaction_id;      /* optional; its other party becomes reported_by */
    const char *const *evidence_ids; /* optional, up to 20 transaction ids */
    size_t evidence_id_count;
} alsorn_dispute_params;

AGENTCLIENT_API
void alsorn_trust_profile_free(alsorn_trust_profile *profile);
AGENTCLIENT_API
void alsorn_trust_batch_free(alsorn_trust_batch *batch);
AGENTCLIENT_API
void alsorn_trust_history_free(alsorn_trust_history *history);
AGENTCLIENT_API
void alsorn_dispute_free(alsorn_dispute *dispute);

/* GET /trust/{agent_id}: works for other organizations' agents too. */
AGENTCLIENT_API
alsorn_status alsorn_trust_query(alsorn_client *client, const char *agent_id,
                                 alsorn_trust_profile **out, alsorn_error *err);
/* POST /trust/query: 1 to 50 ids. */
AGENTCLIENT_API
alsorn_status alsorn_trust_batch_query(alsorn_client *client, const char *const *agent_ids,
                                       size_t count, alsorn_trust_batch **out, alsorn_error *err);
/* GET /trust/{agent_id}/history; params may be NULL (the last 30 days). */
AGENTCLIENT_API
alsorn_status alsorn_trust_get_history(alsorn_client *client, const char *agent_id,
                                       const alsorn_trust_history_params *params,
                                       alsorn_trust_history **out, alsorn_error *err);
/* POST /trust/evaluate/{agent_id}: recomputes now; with params (not NULL) also decides that
 * transaction (profile->decision). */
AGENTCLIENT_API
alsorn_status alsorn_trust_evaluate(alsorn_client *client, const char *agent_id,
                                    const alsorn_trust_evaluation_params *params,
                                    alsorn_trust_profile **out, alsorn_error *err);
/* POST /trust/report: files a dispute (201). */
AGENTCLIENT_API
alsorn_status alsorn_trust_report(alsorn_client *client, const alsorn_dispute_params *params,
                                  alsorn_dispute **out, alsorn_error *err);
/* GET /trust/disputes/{dispute_id} */
AGENTCLIENT_API
alsorn_status alsorn_trust_get_dispute(alsorn_client *client, const char *dispute_id,
                                       alsorn_dispute **out, alsorn_error *err);

/* ---- transactions (contract §5) ------------------------------------------------------------ */

typedef struct {
    char *agent_id;
    char *agent_name;
    int score;
    char *assessment;
} alsorn_counterparty_trust;

typedef struct {
    char *id;
    char *type;     /* "transfer" or "reversal" */
    char *agent_id; /* the initiator (the SDK's from_agent) */
    char *agent_name;
    char *counterparty_id; /* the SDK's to_agent */
    double amount;
    long long amount_cents;
    char *currency;
    char *action_type;
    char *status; /* "completed", "failed" or "reversed" */
    bool permissions_checked;
    char *audit_hash;
    char *notes; /* the SDK's memo */
    char *created_at;
    char *reversed_at;
    char *reversal_id;
    char *reversal_reason;
    char *original_transaction_id; /* reversal records */
    char *error_code;              /* failed ones: "INSUFFICIENT_TRUST", ... */
    char *error_message;
    /* get() only; NULL otherwise */
    alsorn_audit_entry *audit_entry;
    alsorn_counterparty_trust *counterparty_trust;
} alsorn_transaction;

typedef struct {
    alsorn_transaction *items; /* newest first */
    size_t count;
    long long total;
    long page;
    long limit;
} alsorn_transaction_list;

/* The SDK's execute() arguments; the wire names are in brackets. */
typedef struct {
    const char *from_agent; /* [agent_id] */
    const char *to_agent;   /* [counterparty_id] */
    const char *action;     /* [action_type] */
    double amount;          /* > 0, at most 2 decimals */
    const char *currency;   /* NULL: the initiator's */
    const char *memo;       /* [notes], optional */
} alsorn_transaction_params;

/* Unset filters are not sent: NULL strings, 0 amounts, page 0, limit 0. */
typedef struct {
    const char *agent_id; /* either side */
    const char *status;
    const char *action; /* [action_type] */
    double min_amount, max_amount;
    const char *since; /* [start_date], inclusive */
    const char *until; /* [end_date], exclusive */
    long page;
    long limit;
} alsorn_transaction_list_params;

typedef struct {
    const char *format; /* "csv" or "json" (NULL: json) */
    const char *since;  /* inclusive */
    const char *until;  /* exclusive */
    const char *agent_id;
    const char *status;
    const char *action; /* [action_type] */
    double min_amount, max_amount;
} alsorn_transaction_export_params;

AGENTCLIENT_API
void alsorn_transaction_free(alsorn_transaction *transaction);
AGENTCLIENT_API
void alsorn_transaction_list_free(alsorn_transaction_list *list);

/* POST /transactions -> 201.  A refused transaction is ALSORN_ERR_FORBIDDEN with err->code
 * ("insufficient_trust", ...) and err->transaction_id (it is stored as "failed"). */
AGENTCLIENT_API
alsorn_status alsorn_transactions_execute(alsorn_client *client,
                                          const alsorn_transaction_params *params,
                                          alsorn_transaction **out, alsorn_error *err);
/* GET /transactions -> one page; params may be NULL. */
AGENTCLIENT_API
alsorn_status alsorn_transactions_list(alsorn_client *client,
                                       const alsorn_transaction_list_params *params,
                                       alsorn_transaction_list **out, alsorn_error *err);
/* GET /transactions/{id}, with audit_entry and counterparty_trust. */
AGENTCLIENT_API
alsorn_status alsorn_transactions_get(alsorn_client *client, const char *transaction_id,
                                      alsorn_transaction **out, alsorn_error *err);
/* POST /transactions/{id}/reverse -> the new reversal record.  reason may be NULL. */
AGENTCLIENT_API
alsorn_status alsorn_transactions_reverse(alsorn_client *client, const char *transaction_id,
                                          const char *reason, alsorn_transaction **out,
                                          alsorn_error *err);
/* GET /transactions/export: writes the body (CSV or a JSON array) to out as it arrives, so an
 * export of any size needs no memory for itself.  Nothing is written unless the answer is a
 * 2xx; an answer cut short after bytes were written is not retried (ALSORN_ERR_CONNECTION). */
AGENTCLIENT_API
alsorn_status alsorn_transactions_export(alsorn_client *client,
                                         const alsorn_transaction_export_params *params, FILE *out,
                                         alsorn_error *err);

#ifdef __cplusplus
}
#endif

#endif
