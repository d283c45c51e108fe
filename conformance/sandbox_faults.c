/* Fault injection (POST/GET/DELETE /_mock/faults): error, latency, reset and rate_limit rules
 * scoped by method, path prefix and organization, with count and probability. */
#include "sandbox.h"

#include <string.h>
#include <time.h>

static struct tenant T;

static const char *scoped(const char *fields) {
    return fmt("{%s, \"org_id\": \"%s\"}", fields, T.org_id);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

Test(faults, error_fires_count_times_with_the_api_envelope) {
    require_mock();
    tenant_new(&T);
    const char *id = fault_add(scoped("\"action\": \"error\", \"status\": 503, \"method\": \"GET\", "
                                      "\"path_prefix\": \"/agents\", \"count\": 2"));
    struct http_resp r;
    for (int i = 0; i < 2; i++) {
        http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
        expect_error(&r, 503, "service_unavailable");
        expect_rate_headers(&r, NULL, NULL, NULL);
        http_resp_free(&r);
    }
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    const cJSON *f, *found = NULL;
    cJSON_ArrayForEach(f, jarr(list, "data")) if (!strcmp(jstr(f, "id"), id)) found = f;
    cr_assert(found, "GET /_mock/faults lacks %s", id);
    cr_assert_eq(jnum(found, "fired"), 2);
    cr_assert_eq(jnum(found, "remaining"), 0);
    cr_assert_str_eq(jstr(found, "action"), "error");
    cr_assert_eq(jnum(found, "status"), 503);
    cJSON_Delete(list);
    cJSON_Delete(mock_call("DELETE", fmt("/_mock/faults/%s", id), NULL, 204));
}

Test(faults, statuses_map_to_codes) {
    require_mock();
    tenant_new(&T);
    struct { int status; const char *code; } cases[] = {
        {500, "internal_error"}, {502, "bad_gateway"}, {504, "gateway_timeout"}, {404, "not_found"},
        {409, "conflict"}, {429, "rate_limit_exceeded"}, {418, "client_error"},
        {401, "invalid_api_key"} /* the api's own code for an unknown key */};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fault_add(scoped(fmt("\"action\": \"error\", \"status\": %d, \"count\": 1", cases[i].status)));
        struct http_resp r;
        http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
        expect_error(&r, cases[i].status, cases[i].code);
        http_resp_free(&r);
    }
}

Test(faults, method_path_and_org_filters) {
    require_mock();
    struct tenant other;
    tenant_new(&T);
    tenant_new(&other);
    const char *id = fault_add(scoped("\"action\": \"error\", \"status\": 500, \"method\": \"post\", "
                                      "\"path_prefix\": \"/agents\""));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r); /* other method */
    expect_status(&r, 200);
    http_resp_free(&r);
    char *body = agent_body(tname(&T, "Faulted"));
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r);
    expect_error(&r, 500, "internal_error");
    http_resp_free(&r);
    http_call("POST", "/agents", other.key[KEY_WRITE], body, NULL, &r); /* other org */
    expect_status(&r, 201);
    http_resp_free(&r);
    cJSON_Delete(mock_call("DELETE", fmt("/_mock/faults/%s", id), NULL, 204));
    fault_add(scoped("\"action\": \"error\", \"path_prefix\": \"/agents/\""));
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r); /* prefix does not match */
    expect_status(&r, 201);
    const char *path = fmt("/agents/%s", jstr(r.json, "id"));
    http_resp_free(&r);
    http_call("GET", path, T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 503, "service_unavailable"); /* default status */
    http_resp_free(&r);
    free(body);
    cr_assert_eq(agent_count(&other), 1);
}

Test(faults, latency_delays_then_serves) {
    require_mock();
    tenant_new(&T);
    fault_add(scoped("\"action\": \"latency\", \"latency_ms\": 300, \"count\": 1"));
    struct http_resp r;
    double t0 = now_ms();
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    double took = now_ms() - t0;
    expect_status(&r, 200);
    cr_assert(took >= 300, "latency fault of 300 ms: the answer came after %.0f ms", took);
    http_resp_free(&r);
}

Test(faults, reset_drops_the_connection) {
    require_mock();
    tenant_new(&T);
    fault_add(scoped("\"action\": \"reset\", \"method\": \"POST\", \"count\": 1"));
    char *body = agent_body(tname(&T, "Dropped"));
    struct http_resp r;
    cr_assert_eq(http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r), -1,
                 "a reset fault must not answer: HTTP %ld %s", r.status, resp_excerpt(&r));
    cr_assert(r.curl_code == 52 || r.curl_code == 56,
              "expected curl error 52 (empty reply) or 56 (recv failure), got %d: %s", r.curl_code,
              r.curl_error);
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0, "a dropped request never reached the handler");
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    free(body);
}

Test(faults, rate_limit_answers_429_with_retry_after) {
    require_mock();
    tenant_new(&T);
    fault_add(scoped("\"action\": \"rate_limit\", \"retry_after\": 7, \"count\": 1"));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    cr_assert_eq(header_int(&r, "Retry-After"), 7);
    long rem;
    expect_rate_headers(&r, NULL, &rem, NULL);
    cr_assert_eq(rem, 0);
    http_resp_free(&r);
}

Test(faults, probability_zero_never_fires) {
    require_mock();
    tenant_new(&T);
    fault_add(scoped("\"action\": \"error\", \"probability\": 0"));
    for (int i = 0; i < 20; i++) {
        struct http_resp r;
        http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
}

Test(faults, bad_rules_are_422_and_not_added) {
    require_mock();
    tenant_new(&T);
    struct { const char *body, *field; } cases[] = {
        {"{}", "action"},
        {"{\"action\": \"explode\"}", "action"},
        {"{\"action\": \"error\", \"status\": 200}", "status"},
        {"{\"action\": \"error\", \"status\": \"503\"}", "status"},
        {"{\"action\": \"latency\"}", "latency_ms"},
        {"{\"action\": \"latency\", \"latency_ms\": 600000}", "latency_ms"},
        {"{\"action\": \"reset\", \"status\": 500}", "status"},
        {"{\"action\": \"error\", \"retry_after\": 5}", "retry_after"},
        {"{\"action\": \"error\", \"probability\": 1.5}", "probability"},
        {"{\"action\": \"error\", \"count\": 0}", "count"},
        {"{\"action\": \"error\", \"method\": \"FETCH\"}", "method"},
        {"{\"action\": \"error\", \"path_prefix\": \"agents\"}", "path_prefix"},
        {"{\"action\": \"error\", \"path_prefix\": \"/_mock/orgs\"}", "path_prefix"},
        {"{\"action\": \"error\", \"org_id\": \"org_nosuchorg000000\"}", "org_id"},
        {"{\"action\": \"error\", \"expect_retry\": \"yes\"}", "expect_retry"},
        {"{\"action\": \"latency\", \"latency_ms\": 5, \"expect_retry\": true}", "expect_retry"},
        {"{\"action\": \"error\", \"retry_within_ms\": 100}", "retry_within_ms"},
        {"{\"action\": \"error\", \"expect_retry\": true, \"retry_within_ms\": -1}", "retry_within_ms"},
    };
    cJSON *before = mock_call("GET", "/_mock/faults", NULL, 200);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/faults", NULL, cases[i].body, NULL, &r);
        expect_field_error(&r, cases[i].field);
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("DELETE", "/_mock/faults/flt_nosuchfault000", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    /* nothing was added (other tests may add scoped rules meanwhile: look for ours) */
    cJSON *after = mock_call("GET", "/_mock/faults", NULL, 200);
    const cJSON *f;
    cJSON_ArrayForEach(f, jarr(after, "data"))
        cr_assert(cJSON_IsString(cJSON_GetObjectItem(f, "org_id")), "an unscoped rule was added: %s",
                  cJSON_PrintUnformatted(f));
    cJSON_Delete(before);
    cJSON_Delete(after);
}

Test(faults, global_rules_spare_the_sandbox_and_clear_all, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    fault_add("{\"action\": \"error\", \"status\": 503}"); /* every api request, every org */
    fault_add("{\"action\": \"reset\", \"method\": \"DELETE\"}");
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 503, "service_unavailable");
    http_resp_free(&r);
    cJSON_Delete(mock_call("GET", "/_mock/health", NULL, 200));
    struct tenant other;
    tenant_new(&other); /* POST /_mock/orgs is not faulted */
    cJSON *cleared = mock_call("DELETE", "/_mock/faults", NULL, 200);
    cr_assert_eq(jnum(cleared, "deleted"), 2);
    cJSON_Delete(cleared);
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(list, "data")), 0);
    cJSON_Delete(list);
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    own_mock_stop();
}

/* A rule that expects a retry: each firing must be followed by the same call (org, method,
 * path, key) matching the rule again within Retry-After + retry_within_ms. */
static const cJSON *rule_in_list(const cJSON *list, const char *id) {
    const cJSON *f, *found = NULL;
    cJSON_ArrayForEach(f, jarr(list, "data")) if (!strcmp(jstr(f, "id"), id)) found = f;
    cr_assert(found, "GET /_mock/faults lacks %s", id);
    return found;
}

/* The rule's not_retried, and the org's transient_error_not_retried and total, are n. */
static void expect_not_retried(const char *id, long n) {
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    const cJSON *rule = rule_in_list(list, id);
    cr_assert_eq(jnum(rule, "not_retried"), n, "%s", cJSON_PrintUnformatted(rule));
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "transient_error_not_retried"), n);
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), n, "%s", cJSON_PrintUnformatted(jobj(rep, "violations")));
    cJSON_Delete(rep);
    cJSON_Delete(list);
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

Test(faults, a_rule_that_expects_a_retry_names_an_sdk_that_gives_up) {
    require_mock();
    tenant_new(&T);
    const char *id = fault_add(scoped("\"action\": \"error\", \"status\": 503, \"method\": \"GET\", "
                                      "\"path_prefix\": \"/agents\", \"count\": 1, \"expect_retry\": true, "
                                      "\"retry_within_ms\": 0"));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r); /* an SDK that gives up at once */
    expect_error(&r, 503, "service_unavailable");
    http_resp_free(&r);
    /* the same call with another key is another client's, not the retry */
    http_call("GET", "/agents", T.key[KEY_WRITE], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    pause_ms(50);
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    const cJSON *rule = rule_in_list(list, id);
    cr_assert(jbool(rule, "expect_retry"));
    cr_assert_eq(jnum(rule, "retry_within_ms"), 0);
    cJSON_Delete(list);
    expect_not_retried(id, 1);
}

Test(faults, a_retry_of_the_same_call_meets_the_expectation) {
    require_mock();
    tenant_new(&T);
    const char *id = fault_add(scoped("\"action\": \"rate_limit\", \"retry_after\": 1, \"method\": \"GET\", "
                                      "\"path_prefix\": \"/agents\", \"count\": 1, \"expect_retry\": true, "
                                      "\"retry_within_ms\": 0"));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 429);
    http_resp_free(&r);
    /* inside Retry-After the retry is not owed yet */
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    cr_assert_eq(jnum(rule_in_list(list, id), "not_retried"), 0);
    cJSON_Delete(list);
    pause_ms(1050);
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r); /* the retry, after Retry-After */
    expect_status(&r, 200);
    http_resp_free(&r);
    pause_ms(50);
    list = mock_call("GET", "/_mock/faults", NULL, 200);
    cr_assert_eq(jnum(rule_in_list(list, id), "fired"), 1);
    cJSON_Delete(list);
    expect_not_retried(id, 0);
}

Test(faults, rules_without_expect_retry_expect_nothing) {
    require_mock();
    tenant_new(&T);
    const char *id = fault_add(scoped("\"action\": \"error\", \"status\": 503, \"count\": 1"));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 503, "service_unavailable");
    http_resp_free(&r);
    cJSON *list = mock_call("GET", "/_mock/faults", NULL, 200);
    const cJSON *rule = rule_in_list(list, id);
    cr_assert(!jbool(rule, "expect_retry"));
    cr_assert(!cJSON_GetObjectItem(rule, "not_retried"));
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "transient_error_not_retried"), 0);
    cJSON_Delete(rep);
    cJSON_Delete(list);
}
