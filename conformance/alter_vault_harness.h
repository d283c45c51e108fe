/* Helpers of the vault tests (alter.md §7): grants made through the sandbox, agents with a
 * policy, the two modes' calls, approvals decided through the sandbox.  Every vault test needs
 * the sandbox (grants are seeded there), so these skip on a live target. */
#ifndef CONFORMANCE_ALTER_VAULT_HARNESS_H
#define CONFORMANCE_ALTER_VAULT_HARNESS_H

#include "alter_harness.h"
#include "fake_provider.h"

/* POST /_mock/alter/grants {"org_id": t's, <members>} (members: JSON object members without
 * braces), asserting 201; returns the grant as the sandbox shows it (with upstream_token). */
cJSON *vault_grant(struct tenant *t, const char *members);
/* A user grant of provider "github" with that token, delegated to the agent ids (a JSON
 * array text). */
cJSON *vault_user_grant(struct tenant *t, const char *delegated_json, const char *token);
/* An agent-owned managed secret of provider "stripe" with that token. */
cJSON *vault_agent_grant(struct tenant *t, const char *owner_id, const char *token);
/* A new agent of t, with policy (JSON object text, NULL for none).  Has id and api_key. */
cJSON *vault_agent(struct tenant *t, const char *base, const char *policy_json);

/* {"grant_id", "method", "url": <url> [, <extra members>]} */
const char *vault_body(const char *grant_id, const char *method, const char *url,
                       const char *extra);
/* POST path (/sdk/token or /sdk/proxy) as key with the body and extra header lines. */
void vault_post(const char *path, const char *key, const char *body, const char *const *headers,
                struct http_resp *out);
/* base64 text decoded, NUL-terminated (caller frees); *len may be NULL. */
char *vault_b64_text(const char *b64, size_t *len);
/* The fake provider's /echo answer inside a proxy result (caller deletes). */
cJSON *vault_echo_of(const cJSON *result);

/* A sandbox call on /_mock/alter/... that must answer status; returns the body (caller
 * deletes). */
cJSON *vault_admin(const char *method, const char *path, const char *body, long status);
/* Polls GET /sdk/approvals/{id} as key until its status is not pending/approved/executing,
 * at most timeout_ms; returns the last approval seen (caller deletes). */
cJSON *vault_await(const char *key, const char *approval_id, int timeout_ms);

/* Starts a private agentmock (--no-fixtures plus args, NULL-terminated, may be NULL) and points
 * every call of this test process at it, for tests that move its clock or need other flags.
 * Criterion runs each test in a process of its own, so the shared mock is untouched.  Call
 * before any other call of the test. */
void vault_private_mock(struct mock_process *m, const char *const *args);
/* Stops it and asserts it exited cleanly (no sanitizer report, no hang). */
void vault_private_mock_stop(struct mock_process *m);

/* Deletes every object given: VAULT_DELETE(a, b, c). */
#define VAULT_DELETE(...)                                                                          \
    vault_delete_all((cJSON *[]){__VA_ARGS__}, sizeof((cJSON *[]){__VA_ARGS__}) / sizeof(cJSON *))
void vault_delete_all(cJSON *const *objects, size_t n);
/* CLOCK_MONOTONIC in milliseconds: how long a call took. */
double vault_now_ms(void);

/* The rows of t's audit log whose request_id is rid, oldest first (caller deletes). */
cJSON *vault_rows_of(struct tenant *t, const char *rid);
/* The row of that action among rows, or fails the test. */
const cJSON *vault_row(const cJSON *rows, const char *action);

#endif
