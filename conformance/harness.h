/* Conformance harness: target selection, raw HTTP, tenants and contract assertions.
 *
 * One binary runs against the mock or the live service. main() (harness.c) starts agentmock
 * when ALSORN_BASE_URL is unset and exports ALSORN_BASE_URL and CONFORMANCE_TARGET
 * ("mock" | "live") before Criterion forks its test workers, which inherit the environment.
 *
 * Every test takes its own tenant (tenant_new) so tests are independent and run in parallel.
 * The checks talk raw HTTP through libcurl, so they see the wire exactly: no retries, no
 * client-side defaults except the ones written here. */
#ifndef CONFORMANCE_HARNESS_H
#define CONFORMANCE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

/* ---- target ---------------------------------------------------------------------------- */

const char *target_base_url(void); /* ALSORN_BASE_URL without a trailing slash */
/* Points this test's requests at another server (NULL: back to ALSORN_BASE_URL). */
void target_set_base_url(const char *base);
/* Where /sdk/ (Alter) paths go: ALTER_BASE_URL when set, else the target above. */
const char *alter_base_url(void);
bool target_is_mock(void);         /* GET /_mock/health answered as agentmock */

/* Skip the current test when the target has no /_mock sandbox controls. */
void require_mock(void);
/* A fresh agentmock for this test alone (flags `extra_args`, NULL-terminated, after the
 * defaults), and this test's requests go to it until own_mock_stop.  For tests of
 * process-wide controls (clock, full reset, admin token, journal clearing, the per-address
 * limit) that would disturb the tests running in parallel on the shared mock.  Skips on a
 * live target.  own_mock_stop fails the test when the mock does not exit cleanly. */
void own_mock_start(const char *const *extra_args);
void own_mock_stop(void);

/* Skip a test of a contract row marked (ext) on a live target when CONFORMANCE_SKIP_EXT=1. */
void require_ext(void);
/* True when calls to (ext) rows are to be left out of a mixed test (same condition). */
bool ext_skipped(void);

/* ---- agentmock processes (mock_process.c) ---------------------------------------------------- */
struct mock_process {
    int pid;        /* -1 when not running */
    int out_fd;     /* its stdout, drained by a thread after the ready line */
    char url[128];  /* "http://127.0.0.1:PORT" */
};
/* Starts mock_binary() --listen 127.0.0.1:0 --log-level warn --fixtures mock_fixtures_dir()
 * ARGS... (args NULL-terminated; a --fixtures or --no-fixtures there wins)
 * and waits for its "agentmock listening on URL" line. Returns false after printing why. */
bool mock_process_start(struct mock_process *m, const char *const *args);
/* Sends sig, waits up to timeout_ms (then SIGKILL); returns the wait status. */
int mock_process_stop(struct mock_process *m, int sig, int timeout_ms);
/* The agentmock to start: $AGENTMOCK_BIN, else the one next to this runner (build tree and
 * installed tree alike), else the one this runner was built with. */
const char *mock_binary(void);
/* The fixtures it starts with: $AGENTMOCK_FIXTURES, else share/agentmock/fixtures of the
 * installed tree this runner is in, else the source tree's, else the configured prefix's. So
 * the runner works from any directory. */
const char *mock_fixtures_dir(void);

/* ---- a mock the runner did not start (shared_mock_cleanup.c) -------------------------------- */
/* Notes the clock and starts the list of orgs the tests create; the runner calls it. */
void shared_mock_cleanup_begin(void);
/* Adds an org made on the shared target to that list (no-op when none is kept). */
void shared_mock_org_created(const char *org_id);
/* Deletes the listed orgs and puts the clock back; false (after saying what) if it could not. */
bool shared_mock_cleanup_end(void);

/* Tests the run selected (after --filter), known once the run is over (run_summary.c). */
size_t run_summary_selected(void);

/* ---- raw HTTP ----------------------------------------------------------------------------- */

struct http_req {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* "/agents?limit=2" (already URL-encoded; /sdk/... goes to
                                * alter_base_url()), or an absolute "http://..." URL for a
                                * private mock */
    const char *api_key;       /* sends "Authorization: Bearer <key>"; NULL: none */
    const char *authorization; /* raw Authorization value, wins over api_key ("" sends it empty) */
    const char *body;          /* NULL: no body */
    size_t body_len;           /* 0: strlen(body) */
    /* NULL: "application/json" when there is a body, none otherwise; "": no Content-Type at all */
    const char *content_type;
    /* extra "Name: value" lines, NULL-terminated, may be NULL; "Name:" removes a default one
     * (every request carries User-Agent: agentmock-conformance/0.1) */
    const char *const *headers;
};

struct http_resp {
    long status;       /* 0 when the transfer failed (see curl_error) */
    char *body;        /* NUL-terminated, never NULL after a call */
    size_t body_len;
    cJSON *json;       /* parsed body, NULL when not JSON */
    char **headers;    /* raw "Name: value" lines of the final response, no CR/LF */
    size_t n_headers;
    char request[160]; /* "POST /agents", for messages */
    char curl_error[256];
    int curl_code;     /* CURLcode of a failed transfer (52: empty reply), 0 otherwise */
};

/* Performs the request; returns 0, or -1 when the transfer failed (status 0). */
int http_do(const struct http_req *req, struct http_resp *out);
/* Shorthand; content_type as in struct http_req. */
int http_call(const char *method, const char *path, const char *api_key, const char *body,
              const char *content_type, struct http_resp *out);
void http_resp_free(struct http_resp *r);
/* Value of the first header with this name (case-insensitive), trimmed; NULL when absent.
 * Points into r. */
const char *resp_header(const struct http_resp *r, const char *name);
/* Body excerpt for messages (first 400 bytes). Static buffer, one per call site use. */
const char *resp_excerpt(const struct http_resp *r);

/* printf into one of 16 rotating static buffers: for paths in calls. */
const char *fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Percent-encodes s for a query value (static rotating buffer, as fmt). */
const char *urlenc(const char *s);

/* ---- assertions ---------------------------------------------------------------------------- */

#define expect_status(r, st) expect_status_at(__FILE__, __LINE__, (r), (st))
#define expect_error(r, st, code) expect_error_at(__FILE__, __LINE__, (r), (st), (code))
#define expect_field_error(r, field) expect_field_error_at(__FILE__, __LINE__, (r), (field))
#define expect_request_id(r) expect_request_id_at(__FILE__, __LINE__, (r))

void expect_status_at(const char *file, int line, const struct http_resp *r, long status);
/* status, JSON body {"error": {code, message non-empty, request_id = X-Request-Id}}. */
void expect_error_at(const char *file, int line, const struct http_resp *r, long status,
                     const char *code);
/* 422 validation_error whose field_errors lists `field` (with a non-empty message). */
void expect_field_error_at(const char *file, int line, const struct http_resp *r,
                           const char *field);
/* X-Request-Id: req_<lowercase hex or alphanumerics> present. Returns its value. */
const char *expect_request_id_at(const char *file, int line, const struct http_resp *r);

/* JSON accessors that fail the test with a message when the member is missing/mistyped. */
const char *jstr(const cJSON *obj, const char *key);     /* string member */
double jnum(const cJSON *obj, const char *key);          /* number member */
const cJSON *jobj(const cJSON *obj, const char *key);    /* object member */
const cJSON *jarr(const cJSON *obj, const char *key);    /* array member */
bool jnull(const cJSON *obj, const char *key);           /* member present and null */
bool jbool(const cJSON *obj, const char *key);           /* boolean member */

bool is_rfc3339_utc_seconds(const char *s); /* YYYY-MM-DDTHH:MM:SSZ, valid date */
bool has_prefix_alnum(const char *s, const char *prefix); /* prefix + [a-z0-9]+ */
bool is_sha256_tagged(const char *s);       /* "sha256:" + 64 lowercase hex */

/* ---- tenants ------------------------------------------------------------------------------- */

enum key_level { KEY_READ, KEY_WRITE, KEY_ADMIN };

struct tenant {
    char org_id[80];   /* "" on live unless ALSORN_ORG_ID is set */
    char user_id[80];  /* "" on live unless ALSORN_USER_ID is set */
    char name[128];    /* "" on live unless ALSORN_ORG_NAME is set */
    char plan[32];
    bool operator_verified;
    bool operator_verified_known; /* false on live unless ALSORN_OPERATOR_VERIFIED=0|1 */
    char key[3][96];   /* by enum key_level; "" when unknown */
    char tag[16];      /* random hex, put in agent names so live runs can filter by search */
    bool live;
    char alter_app_id[80]; /* the org's Alter app ("" on live unless ALTER_APP_ID is set) */
    char alter_key[96];    /* its app key with every scope (live: ALTER_API_KEY; "" when unset) */
};

/* A fresh isolated org (mock: POST /_mock/orgs with body or {}); live: keys from env. */
void tenant_new(struct tenant *t);
void tenant_new_with(struct tenant *t, const char *org_body_json);
/* A second org (mock: fresh; live: ALSORN_OTHER_API_KEY or skip). */
void tenant_other(struct tenant *t);
/* The key of exactly that level, or skip the test when the target gave none. */
const char *tkey(struct tenant *t, enum key_level level);
/* A key of that level or higher (live targets may only have an admin key), or skip. */
const char *tkey_min(struct tenant *t, enum key_level level);
/* Revoke a key through the sandbox (mock only). */
void mock_revoke_key(const char *key);

/* ---- agents -------------------------------------------------------------------------------- */

/* "<base> <tag>" so live runs can find the test's agents with search=<tag>. Static rotating. */
const char *tname(const struct tenant *t, const char *base);
/* A valid registration body with that name (JSON-escaped by cJSON). Caller frees. */
char *agent_body(const char *name);
/* POST /agents with the write key; asserts 201 and returns the Agent (caller cJSON_Deletes). */
cJSON *agent_register(struct tenant *t, const char *body);
cJSON *agent_register_named(struct tenant *t, const char *base_name);
/* GET /agents/{id} with the read key; asserts 200; caller deletes. */
cJSON *agent_get(struct tenant *t, const char *id);
/* Number of listed agents (no status filter; on live limited to this test's tag). */
int agent_count(struct tenant *t);
/* POST /agents/{id}/<action> ("suspend", "reactivate") or DELETE; asserts 200, returns Agent. */
cJSON *agent_action(struct tenant *t, const char *id, const char *action);
cJSON *agent_delete(struct tenant *t, const char *id);
/* PATCH /agents/{id}; asserts 200 and returns Agent. */
cJSON *agent_patch(struct tenant *t, const char *id, const char *body);
/* Every audit entry of the agent, newest first (walks all pages with limit 100). */
cJSON *audit_all(struct tenant *t, const char *id);

/* "sha256:"+hex(SHA-256(canonical {id, org_id, name, environment, created_at})). */
void expected_fingerprint(const char *id, const char *org_id, const char *name,
                          const char *environment, const char *created_at, char out[72]);
/* Asserts the Agent object has every contract field with the right type and invariants. */
#define expect_agent_shape(a) expect_agent_shape_at(__FILE__, __LINE__, (a))
void expect_agent_shape_at(const char *file, int line, const cJSON *a);

/* Asserts a 422 from POST /agents naming `field` and that nothing was stored. */
#define expect_register_rejected(t, body, field)                                              \
    expect_register_rejected_at(__FILE__, __LINE__, (t), (body), (field))
void expect_register_rejected_at(const char *file, int line, struct tenant *t, const char *body,
                                 const char *field);
/* Asserts a POST /agents with this body is accepted (201); returns the agent. */
#define expect_register_ok(t, body) expect_register_ok_at(__FILE__, __LINE__, (t), (body))
cJSON *expect_register_ok_at(const char *file, int line, struct tenant *t, const char *body);

#endif
