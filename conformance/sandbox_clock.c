/* The sandbox's virtual clock (GET/POST /_mock/clock) and what reads it, and the proxy's
 * start-up flags (--proxy-timeout-ms, --proxy-allow).  Each test runs a private agentmock:
 * moving a clock or changing flags must not touch the tests running in parallel. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tenant T;

static long long offset_of(const cJSON *clock) {
    return (long long)jnum(clock, "offset_seconds");
}

Test(sandbox_clock, read_advance_set_and_reset) {
    struct mock_process m = {.pid = -1};
    vault_private_mock(&m, NULL);
    cJSON *c0 = vault_admin("GET", "/_mock/clock", NULL, 200);
    cr_assert(is_rfc3339_utc_seconds(jstr(c0, "now")));
    cr_assert_eq(offset_of(c0), 0, "a fresh mock runs on real time");
    cJSON *c1 = vault_admin("POST", "/_mock/clock", "{\"advance_seconds\": 86400}", 200);
    cr_assert(offset_of(c1) >= 86399 && offset_of(c1) <= 86400, "%lld", offset_of(c1));
    cr_assert(strcmp(jstr(c1, "now"), jstr(c0, "now")) > 0);
    cJSON *c2 = vault_admin("POST", "/_mock/clock", "{\"set\": \"2031-05-06T07:08:09Z\"}", 200);
    cr_assert(!strncmp(jstr(c2, "now"), "2031-05-06T07:08:0", 18), "%s", jstr(c2, "now"));
    cJSON *c3 = vault_admin("POST", "/_mock/clock", "{\"reset\": true}", 200);
    cr_assert_eq(offset_of(c3), 0);
    /* objects are stamped with the virtual time */
    cJSON_Delete(vault_admin("POST", "/_mock/clock", "{\"set\": \"2031-05-06T07:08:09Z\"}", 200));
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "stamped");
    cr_assert(!strncmp(jstr(a, "created_at"), "2031-05-06T07:08", 16), "%s", jstr(a, "created_at"));
    const char *bad[][2] = {
        {"{}", "advance_seconds"},
        {"{\"advance_seconds\": 1, \"reset\": true}", "advance_seconds"},
        {"{\"advance_seconds\": 1.5}", "advance_seconds"},
        {"{\"advance_seconds\": \"60\"}", "advance_seconds"},
        {"{\"set\": \"tomorrow\"}", "set"},
        {"{\"reset\": false}", "reset"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/clock", NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    VAULT_DELETE(c0, c1, c2, c3, a);
    vault_private_mock_stop(&m);
}

Test(sandbox_clock, moving_the_clock_into_an_agents_time_window_lets_its_calls_through) {
    struct mock_process m = {.pid = -1};
    vault_private_mock(&m, NULL);
    cJSON_Delete(vault_admin("POST", "/_mock/clock", "{\"set\": \"2031-05-06T07:30:00Z\"}", 200));
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "office-hours",
                           "{\"time_window\": {\"start\": \"09:00\", \"end\": \"17:00\"}}");
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_hours");
    const char *body = vault_body(jstr(g, "grant_id"), "GET", "http://127.0.0.1:9/", NULL);
    struct http_resp r;
    vault_post("/sdk/token", jstr(a, "api_key"), body, NULL, &r);
    expect_alter_error(&r, 403, "policy_violation");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "policy_error"), "time_window");
    http_resp_free(&r);
    cJSON_Delete(
        vault_admin("POST", "/_mock/clock", "{\"advance_seconds\": 5400}", 200)); /* 09:00 */
    cJSON_Delete(alter_expect("POST", "/sdk/token", jstr(a, "api_key"), body, 200));
    cJSON_Delete(
        vault_admin("POST", "/_mock/clock", "{\"advance_seconds\": 28800}", 200)); /* 17:00 */
    vault_post("/sdk/token", jstr(a, "api_key"), body, NULL, &r);
    expect_alter_error(&r, 403, "policy_violation");
    http_resp_free(&r);
    cJSON_Delete(g);
    cJSON_Delete(a);
    vault_private_mock_stop(&m);
}

Test(sandbox_clock, proxy_flags_set_the_default_timeout_and_the_allow_list) {
    struct mock_process m = {.pid = -1};
    const char *const args[] = {"--proxy-timeout-ms", "400", "--proxy-allow", "localhost", NULL};
    vault_private_mock(&m, args);
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "flagged", NULL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_flags");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_flags");
    int port = atoi(strrchr(p.url, ':') + 1);
    /* only the name is allowed now: 127.0.0.1 written out is not */
    alter_call_field_error("POST", "/sdk/proxy", jstr(a, "api_key"),
                           vault_body(jstr(g, "grant_id"), "GET", fmt("%s/echo", p.url), NULL),
                           NULL, "url");
    cJSON *ok = alter_expect(
        "POST", "/sdk/proxy", jstr(a, "api_key"),
        vault_body(jstr(g, "grant_id"), "GET", fmt("http://localhost:%d/echo", port), NULL), 200);
    cr_assert_eq(jnum(ok, "status_code"), 200);
    /* the flag is the default timeout and the most a call may ask for */
    struct http_resp r;
    vault_post("/sdk/proxy", jstr(a, "api_key"),
               vault_body(jstr(g, "grant_id"), "GET", fmt("http://localhost:%d/hang", port), NULL),
               NULL, &r);
    expect_alter_error(&r, 502, "upstream_error");
    cr_assert_eq(jnum(jobj(r.json, "details"), "timeout_ms"), 400);
    http_resp_free(&r);
    alter_call_field_error("POST", "/sdk/proxy", jstr(a, "api_key"),
                           vault_body(jstr(g, "grant_id"), "GET",
                                      fmt("http://localhost:%d/echo", port), "\"timeout_ms\": 401"),
                           NULL, "timeout_ms");
    fake_provider_stop(&p);
    cJSON_Delete(ok);
    cJSON_Delete(g);
    cJSON_Delete(a);
    vault_private_mock_stop(&m);
}

Test(sandbox_clock, bad_proxy_flags_stop_the_mock_at_start) {
    require_mock();
    const char *const bad[][3] = {{"--proxy-timeout-ms", "0", NULL},
                                  {"--proxy-allow", "not a host!", NULL}};
    for (size_t i = 0; i < 2; i++) {
        struct mock_process m = {.pid = -1};
        cr_assert(!mock_process_start(&m, bad[i]), "agentmock started with %s %s", bad[i][0],
                  bad[i][1]);
    }
}
