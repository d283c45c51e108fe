/* Sandbox controls added for §4–§5: the virtual clock (GET/POST /_mock/clock) and the data
 * generator (POST /_mock/orgs/{id}/generate).  Mock only. */
#include "trust_tx.h"

#include <string.h>
#include <time.h>

static struct tenant T;

static cJSON *clock_get(void) {
    struct http_resp r;
    http_call("GET", "/_mock/clock", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    cr_assert(is_rfc3339_utc_seconds(jstr(j, "now")), "clock now");
    jnum(j, "offset_seconds");
    return j;
}

static time_t parse_utc(const char *s) {
    struct tm tm = {0};
    strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return timegm(&tm);
}

Test(clock, reads_now_and_offset) {
    require_mock();
    cJSON *c = clock_get();
    time_t now = parse_utc(jstr(c, "now"));
    double offset = jnum(c, "offset_seconds");
    time_t real = time(NULL);
    cr_assert(labs((long)(now - (real + (time_t)offset))) <= 2,
              "now (%s) is not real time + offset_seconds (%g)", jstr(c, "now"), offset);
    cJSON_Delete(c);
}

Test(clock, rejects_bad_changes) {
    require_mock();
    static const char *const bad[][2] = {
        {"{}", "advance_seconds"},
        {"{\"advance_seconds\": 1, \"set\": \"2030-01-01T00:00:00Z\"}", "set"},
        {"{\"advance_seconds\": \"60\"}", "advance_seconds"},
        {"{\"advance_seconds\": 1.5}", "advance_seconds"},
        {"{\"advance_seconds\": 1e300}", "advance_seconds"},
        {"{\"set\": \"tomorrow\"}", "set"},
        {"{\"set\": 5}", "set"},
    };
    cJSON *before = clock_get();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/clock", NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("POST", "/_mock/clock", NULL, "{", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    cJSON *after = clock_get();
    cr_assert_eq(jnum(after, "offset_seconds"), jnum(before, "offset_seconds"),
                 "a rejected change moved the clock");
    cJSON_Delete(before);
    cJSON_Delete(after);
}

Test(clock, advance_and_set_move_time_and_tenure) {
    require_mock();
    clock_hold_exclusive();
    tenant_new(&T);
    const char *a = tx_agent(&T, "Old Timer", "[\"pay\"]", "10");
    cJSON *before = clock_get();
    clock_advance_by(8 * 86400);
    cJSON *after = clock_get();
    double moved = parse_utc(jstr(after, "now")) - parse_utc(jstr(before, "now"));
    cr_assert(moved >= 8 * 86400 && moved <= 8 * 86400 + 5, "advanced by %g s", moved);
    cr_assert(jnum(after, "offset_seconds") - jnum(before, "offset_seconds") >= 8 * 86400 - 1);
    struct http_resp r;
    http_call("POST", fmt("/trust/evaluate/%s", a), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "tenure_days"), 8);
    cr_assert_eq(jnum(jobj(jobj(r.json, "components"), "tenure"), "score"), 20, "7-29 days: 20");
    cr_assert_eq(jnum(r.json, "score"), 500, "no task yet: 500 whatever the tenure");
    http_resp_free(&r);
    /* set: an absolute instant, forward only so other tests never see time go back */
    time_t target = parse_utc(jstr(after, "now")) + 86400;
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&target));
    http_call("POST", "/_mock/clock", NULL, fmt("{\"set\": \"%s\"}", ts), NULL, &r);
    expect_status(&r, 200);
    cr_assert(labs((long)(parse_utc(jstr(r.json, "now")) - target)) <= 2, "set to %s, now %s", ts,
              jstr(r.json, "now"));
    http_resp_free(&r);
    cJSON *agent = agent_get(&T, a);
    cr_assert(strcmp(jstr(agent, "created_at"), jstr(before, "now")) <= 0);
    cJSON_Delete(agent);
    cJSON_Delete(before);
    cJSON_Delete(after);
}

static void generate(const char *org, const char *body, struct http_resp *r) {
    http_call("POST", fmt("/_mock/orgs/%s/generate", org), NULL, body, NULL, r);
}

Test(generate, fills_an_org_through_the_api_rules) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    generate(T.org_id, "{\"agents\": 6, \"transactions\": 400}", &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "agents_created"), 6);
    cr_assert_eq(jnum(r.json, "agents"), 6);
    cr_assert_eq(jnum(r.json, "transactions"), 400);
    double completed = jnum(r.json, "transactions_completed"), failed = jnum(r.json, "transactions_failed");
    cr_assert_eq(completed + failed, 400);
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 6);
    cr_assert_eq(tx_total(&T, "limit=1"), 400);
    cr_assert_eq(tx_total(&T, "status=completed&limit=1"), (int)completed);
    cr_assert_eq(tx_total(&T, "status=failed&limit=1"), (int)failed);
    /* every party's chain records its transactions and verifies */
    cJSON *agents = get_ok(&T, "/agents?limit=100");
    const cJSON *a;
    int entries = 0;
    cJSON_ArrayForEach(a, jarr(agents, "data")) {
        cJSON *v = get_ok(&T, fmt("/agents/%s/audit/verify", jstr(a, "id")));
        cr_assert(jbool(v, "valid"));
        entries += (int)jnum(v, "length") - 1; /* minus agent.registered */
        cJSON_Delete(v);
        cJSON *p = get_ok(&T, fmt("/trust/%s", jstr(a, "id")));
        expect_profile_shape(p);
        cJSON_Delete(p);
    }
    cr_assert_eq(entries, 800, "each transaction is in both parties' chains");
    cJSON_Delete(agents);
}

Test(generate, rejects_bad_requests) {
    require_mock();
    tenant_new(&T);
    static const char *const bad[][2] = {
        {"{\"agents\": -1}", "agents"},
        {"{\"agents\": 1.5}", "agents"},
        {"{\"transactions\": 100000000}", "transactions"},
        {"{\"agents\": 1, \"transactions\": 5}", "transactions"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        generate(T.org_id, bad[i][0], &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    cr_assert_eq(agent_count(&T), 0, "a rejected request generated agents");
    struct http_resp r;
    generate("org_doesnotexist0000", "{\"agents\": 1}", &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    struct tenant capped;
    tenant_new_with(&capped, "{\"max_agents\": 3}");
    generate(capped.org_id, "{\"agents\": 4}", &r);
    expect_field_error(&r, "agents");
    http_resp_free(&r);
}
