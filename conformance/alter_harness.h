/* Helpers of the Alter tests (contract/alter.md): raw calls with x-api-key, the §1 error
 * envelope, and the objects the tests make over and over.
 *
 * Each test takes its own tenant (tenant_new), whose Alter app key (t->alter_key) holds every
 * scope.  On a live target the key comes from ALTER_API_KEY and the app is shared, so agent
 * names carry the tenant's tag and tests that need exact totals or sandbox controls skip. */
#ifndef CONFORMANCE_ALTER_HARNESS_H
#define CONFORMANCE_ALTER_HARNESS_H

#include "harness.h"

/* The tenant's Alter app key, or skip the test when the target gave none. */
const char *alter_key(struct tenant *t);
/* A second, isolated app's key (mock: a new tenant; live: ALTER_OTHER_API_KEY or skip). */
const char *alter_other_key(struct tenant *other);
/* A new app key of t's app with exactly these scopes (a JSON array text), via the sandbox
 * (mock only).  Written to out. */
const char *alter_scoped_key(struct tenant *t, const char *scopes_json, char out[96]);
/* Revokes any key by its plaintext through the sandbox (mock only). */
void alter_sandbox_revoke(const char *key);

/* A call with "x-api-key: key" (NULL: no key), extra header lines (NULL-terminated, may be
 * NULL) and a JSON body (NULL: none). */
int alter_http(const char *method, const char *path, const char *key, const char *body,
               const char *const *headers, struct http_resp *out);

/* status and the §1 envelope {"error": code, "message" (non-empty), "details" {}, "request_id"
 * = X-Request-Id}, as application/json. */
#define expect_alter_error(r, st, code) expect_alter_error_at(__FILE__, __LINE__, (r), (st), (code))
void expect_alter_error_at(const char *file, int line, const struct http_resp *r, long status,
                           const char *code);
/* 422 validation_error whose details.fields names field. */
#define expect_alter_field_error(r, field)                                                         \
    expect_alter_field_error_at(__FILE__, __LINE__, (r), (field))
void expect_alter_field_error_at(const char *file, int line, const struct http_resp *r,
                                 const char *field);

/* One call that must fail with that §2 error (or a 422 naming field). */
#define alter_call_error(method, path, key, body, headers, st, code)                               \
    alter_call_error_at(__FILE__, __LINE__, (method), (path), (key), (body), (headers), (st),      \
                        (code))
void alter_call_error_at(const char *file, int line, const char *method, const char *path,
                         const char *key, const char *body, const char *const *headers, long status,
                         const char *code);
#define alter_call_field_error(method, path, key, body, headers, field)                            \
    alter_call_field_error_at(__FILE__, __LINE__, (method), (path), (key), (body), (headers),      \
                              (field))
void alter_call_field_error_at(const char *file, int line, const char *method, const char *path,
                               const char *key, const char *body, const char *const *headers,
                               const char *field);

/* "<base>-<tag>": a valid agent name unique to the test. Static rotating buffer. */
const char *alter_name(const struct tenant *t, const char *base);
/* POST /sdk/agents with body, asserting 201 and the result's shape; caller deletes. */
cJSON *alter_create(struct tenant *t, const char *body);
/* POST /sdk/agents {"name": alter_name(t, base)}. */
cJSON *alter_create_named(struct tenant *t, const char *base);
/* POST /sdk/agents/{id}/keys, asserting 201; caller deletes (has api_key and key_id). */
cJSON *alter_mint(struct tenant *t, const char *agent_id);
/* An authenticated call that must answer `status` with a JSON body; returns it (caller
 * deletes). */
cJSON *alter_expect(const char *method, const char *path, const char *key, const char *body,
                    long status);
/* Every row of GET /sdk/audit?<query> (may be ""), oldest first, following next_cursor. */
cJSON *alter_audit_all(struct tenant *t, const char *query);
/* The newest audit row whose request_id is rid, or NULL (caller deletes). */
cJSON *alter_audit_row_of(struct tenant *t, const char *rid);

#define expect_agent_info(a) expect_agent_info_at(__FILE__, __LINE__, (a))
void expect_agent_info_at(const char *file, int line, const cJSON *a);
#define expect_agent_key(k) expect_agent_key_at(__FILE__, __LINE__, (k))
void expect_agent_key_at(const char *file, int line, const cJSON *k);
bool is_uuid_v4(const char *s);
/* alter_key_agent_ + 32 base62. */
bool is_agent_key(const char *s);
/* A key_prefix as §4 shows it: a key type prefix (alter_key_agent_, alter_key_app_,
 * alter_rk_, alter_ak_, alter_dk_) and the next 8 base62 characters. */
bool is_key_prefix(const char *s);
/* Asserts prefix is the key_prefix of api_key (is_key_prefix, and the key starts with it). */
#define expect_key_prefix_of(prefix, api_key)                                                  \
    expect_key_prefix_of_at(__FILE__, __LINE__, (prefix), (api_key))
void expect_key_prefix_of_at(const char *file, int line, const char *prefix, const char *api_key);
/* An array of strings as a NULL-free check: the array holds exactly these (in order). */
bool json_strings_equal(const cJSON *arr, const char *const *want, size_t n);

#endif
