/* GET /_mock/report: coverage of the route table and the violations the server saw, and the
 * reference client held to it: through injected 429s, 503s and dropped connections it must
 * produce zero violations. */
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alsorn.h"

static struct tenant T;

Test(report, coverage_counts_rows_and_statuses) {
    require_mock();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Covered");
    struct http_resp r;
    http_call("POST", "/agents", T.key[KEY_WRITE], "{}", NULL, &r);
    http_resp_free(&r);
    http_call("GET", "/agents/agent_doesnotexist00", T.key[KEY_READ], NULL, NULL, &r);
    http_resp_free(&r);
    cJSON *rep = report_of(&T);
    cr_assert_str_eq(jstr(rep, "org_id"), T.org_id);
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "201"), 1);
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "422"), 1);
    cr_assert_eq(coverage_count(rep, "GET", "/agents/{id}", "404"), 1);
    cr_assert_eq(coverage_count(rep, "DELETE", "/agents/{id}", "200"), 0);
    const cJSON *cov = jobj(rep, "coverage");
    cr_assert(jnum(cov, "routes_total") >= 10, "every Alsorn row of the table is listed");
    cr_assert_eq(jnum(cov, "routes_exercised"), 2);
    const cJSON *row;
    cJSON_ArrayForEach(row, jarr(cov, "routes"))
        cr_assert(strncmp(jstr(row, "path"), "/_mock", 6) != 0, "sandbox routes are not contract rows");
    cJSON_Delete(rep);
    cJSON_Delete(a);
}

Test(report, each_kind_of_violation) {
    require_mock();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 1, \"rate_window_seconds\": 3600}"));
    struct http_resp r;
    /* one write that is fine but for an unknown field */
    char body[256];
    snprintf(body, sizeof body, "{\"name\": \"Extra Field\", \"authorized_actions\": [\"a\"], "
                                "\"spending_limit\": 5, \"colour\": \"red\"}");
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "unknown_field"), 1);
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), 1, "only the unknown field so far");
    const cJSON *v = cJSON_GetArrayItem(jarr(jobj(rep, "violations"), "recent"), 0);
    cr_assert_str_eq(jstr(v, "kind"), "unknown_field");
    cr_assert(strstr(jstr(v, "detail"), "colour"), "detail names the field: %s", jstr(v, "detail"));
    cr_assert_str_eq(jstr(v, "method"), "POST");
    cr_assert_str_eq(jstr(v, "path"), "/agents");
    cJSON_Delete(rep);

    /* the write key is now over its limit of 1: a 429, then a retry right away */
    http_call("POST", "/agents", T.key[KEY_WRITE], "{\"name\": 5}", NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    http_resp_free(&r);
    http_call("POST", "/agents", T.key[KEY_WRITE], "{\"name\": 5}", NULL, &r);
    expect_status(&r, 429);
    http_resp_free(&r);
    /* a wrong type, sent twice without an Idempotency-Key nor a User-Agent */
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 100}"));
    const char *no_ua[] = {"User-Agent:", NULL};
    http_call_h("POST", "/agents", T.key[KEY_ADMIN], "{\"name\": 5}", no_ua, &r);
    expect_field_error(&r, "name");
    http_resp_free(&r);
    http_call_h("POST", "/agents", T.key[KEY_ADMIN], "{\"name\": 5}", no_ua, &r);
    http_resp_free(&r);

    rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "retry_before_retry_after"), 1);
    cr_assert_eq(violations_of_kind(rep, "wrong_type"), 2);
    /* the 429'd POSTs repeat too: same key, path and body twice within 60 s */
    cr_assert_eq(violations_of_kind(rep, "post_retry_without_idempotency_key"), 2);
    cr_assert_eq(violations_of_kind(rep, "missing_user_agent"), 2);
    cr_assert_eq(violations_of_kind(rep, "unknown_field"), 1);
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "429"), 2);
    cJSON_Delete(rep);

    /* another org's report is its own */
    struct tenant other;
    tenant_new(&other);
    cJSON *clean = report_of(&other);
    cr_assert_eq(jnum(jobj(clean, "violations"), "total"), 0);
    cJSON_Delete(clean);
}

Test(report, unknown_org_is_404_and_the_full_report_lists_orgs) {
    require_mock();
    tenant_new(&T);
    cJSON_Delete(mock_call("GET", "/_mock/report?org_id=org_nosuchorg000000", NULL, 404));
    cJSON *all = mock_call("GET", "/_mock/report", NULL, 200);
    bool found = false;
    const cJSON *o;
    cJSON_ArrayForEach(o, jarr(all, "organizations")) found |= !strcmp(jstr(o, "org_id"), T.org_id);
    cr_assert(found, "the full report lists every org");
    jobj(jobj(all, "unauthenticated"), "violations");
    cJSON_Delete(all);
}

/* ---- the reference client ----------------------------------------------------------------- */

static alsorn_client *client_for(const char *key) {
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c, "alsorn_client_new failed");
    cr_assert_eq(alsorn_client_set_backoff(c, 0.05, 0.2), ALSORN_OK);
    return c;
}

static alsorn_agent *client_register(alsorn_client *c, const char *name) {
    static const char *const acts[] = {"execute_trades"};
    alsorn_agent_params p = {.name = name, .authorized_actions = acts, .authorized_action_count = 1,
                             .spending_limit = 100};
    alsorn_agent *a = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_status st = alsorn_agents_register(c, &p, &a, &err);
    cr_assert_eq(st, ALSORN_OK, "register: %s (HTTP %ld %s)", alsorn_status_name(st), err.http_status, err.code);
    alsorn_error_clear(&err);
    return a;
}

static void expect_no_violations(const struct tenant *t) {
    cJSON *rep = report_of(t);
    const cJSON *v = jobj(rep, "violations");
    char *text = cJSON_PrintUnformatted(v);
    cr_assert_eq(jnum(v, "total"), 0, "the reference client made violations: %s", text);
    free(text);
    cJSON_Delete(rep);
}

Test(report, reference_client_through_429s_and_503s_has_no_violations, .timeout = 60) {
    require_mock();
    tenant_new(&T);
    fault_add(fmt("{\"action\": \"rate_limit\", \"retry_after\": 1, \"method\": \"POST\", "
                  "\"path_prefix\": \"/agents\", \"count\": 2, \"org_id\": \"%s\"}", T.org_id));
    fault_add(fmt("{\"action\": \"error\", \"status\": 503, \"method\": \"GET\", "
                  "\"path_prefix\": \"/agents/\", \"count\": 2, \"org_id\": \"%s\"}", T.org_id));
    alsorn_client *c = client_for(T.key[KEY_WRITE]);
    alsorn_agent *a = client_register(c, "Through Faults");
    alsorn_agent *g = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_agents_get(c, a->id, &g, &err), ALSORN_OK, "get: HTTP %ld %s", err.http_status, err.code);
    cr_assert_str_eq(g->id, a->id);
    alsorn_agent *s = NULL;
    cr_assert_eq(alsorn_agents_suspend(c, a->id, &s, &err), ALSORN_OK);

    cJSON *rep = report_of(&T);
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "429"), 2, "the client met both 429s");
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "201"), 1);
    cr_assert_eq(coverage_count(rep, "GET", "/agents/{id}", "503"), 2, "and both 503s");
    cr_assert_eq(coverage_count(rep, "GET", "/agents/{id}", "200"), 1);
    cJSON_Delete(rep);
    expect_no_violations(&T);
    cr_assert_eq(agent_count(&T), 1);
    alsorn_agent_free(s);
    alsorn_agent_free(g);
    alsorn_agent_free(a);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(report, reference_client_retries_a_dropped_post_once, .timeout = 60) {
    require_mock();
    tenant_new(&T);
    /* the reset drops the first attempt; the client's retry carries the same Idempotency-Key
     * and registers exactly once */
    fault_add(fmt("{\"action\": \"reset\", \"method\": \"POST\", \"count\": 1, \"org_id\": \"%s\"}", T.org_id));
    alsorn_client *c = client_for(T.key[KEY_WRITE]);
    alsorn_agent *a = client_register(c, "After A Drop");
    cr_assert_eq(agent_count(&T), 1);
    cJSON *j = mock_call("GET", fmt("/_mock/requests?org_id=%s&path_prefix=/agents", T.org_id), NULL, 200);
    const cJSON *data = jarr(j, "data");
    int posts = 0;
    const char *keys[2] = {NULL, NULL};
    const cJSON *e;
    cJSON_ArrayForEach(e, data) {
        if (strcmp(jstr(e, "method"), "POST") != 0) continue;
        if (posts < 2) keys[posts] = jstr(jobj(e, "headers"), "Idempotency-Key");
        posts++;
    }
    cr_assert_eq(posts, 2, "one dropped attempt and one retry");
    cr_assert_str_eq(keys[0], keys[1], "the retry reuses the Idempotency-Key");
    cJSON_Delete(j);
    expect_no_violations(&T);
    alsorn_agent_free(a);
    alsorn_client_free(c);
}

Test(report, reference_client_gives_up_on_a_long_retry_after) {
    require_mock();
    tenant_new(&T);
    fault_add(fmt("{\"action\": \"rate_limit\", \"retry_after\": 3600, \"count\": 1, \"org_id\": \"%s\"}",
                  T.org_id));
    alsorn_client *c = client_for(T.key[KEY_READ]);
    alsorn_agent *a = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_status st = alsorn_agents_get(c, "agent_doesnotexist00", &a, &err);
    cr_assert_eq(st, ALSORN_ERR_RATE_LIMITED, "got %s", alsorn_status_name(st));
    cr_assert_eq(err.retry_after, 3600);
    cr_assert_str_eq(err.code, "rate_limit_exceeded");
    alsorn_error_clear(&err);
    cJSON *rep = report_of(&T);
    cr_assert_eq(coverage_count(rep, "GET", "/agents/{id}", "429"), 1, "no retry inside the hour");
    cJSON_Delete(rep);
    expect_no_violations(&T);
    alsorn_client_free(c);
}

Test(report, reference_client_exposes_the_rate_limit_headers) {
    tenant_new(&T);
    alsorn_client *c = client_for(tkey_min(&T, KEY_READ));
    long limit = 0, remaining = 0, next_remaining = 0;
    long long reset = 0, next_reset = 0;
    cr_assert(!alsorn_client_last_rate_limit(c, &limit, &remaining, &reset), "nothing before a call");
    alsorn_agent *a = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_agents_get(c, "agent_doesnotexist00", &a, &err); /* a 404 carries them too */
    cr_assert_eq(err.http_status, 404);
    cr_assert(alsorn_client_last_rate_limit(c, &limit, &remaining, &reset));
    cr_assert(limit > 0 && remaining >= 0 && remaining < limit, "limit %ld remaining %ld", limit, remaining);
    cr_assert(reset > (long long)time(NULL) - 5, "reset %lld", reset);
    alsorn_agents_get(c, "agent_doesnotexist00", &a, &err);
    cr_assert(alsorn_client_last_rate_limit(c, NULL, &next_remaining, &next_reset));
    if (target_is_mock()) {
        cr_assert_eq(limit, 100000, "enterprise tier");
        cr_assert_eq(next_remaining, remaining - 1, "the client shows the latest answer's headers");
        cr_assert_eq(next_reset, reset);
    }
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}
