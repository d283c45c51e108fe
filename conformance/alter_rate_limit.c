/* alter.md §8: per key, a fixed one-minute window (default 600), the X-RateLimit-* headers,
 * and 429 `rate_limited` with Retry-After in Alter's error envelope. */
#include "alter_harness.h"
#include "harness.h"
#include "sandbox.h"
#include "trust_tx.h"

static struct tenant T;

Test(alter_rate_limit, default_is_600_per_minute_with_headers) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    alter_http("GET", "/sdk/agents", alter_key(&T), NULL, NULL, &r);
    expect_status(&r, 200);
    long limit, remaining;
    expect_rate_headers(&r, &limit, &remaining, NULL);
    cr_assert_eq(limit, 600);
    cr_assert_eq(remaining, 599);
    http_resp_free(&r);
}

Test(alter_rate_limit, over_the_limit_is_429_rate_limited_per_key) {
    require_mock();
    clock_hold_shared(); /* the counts below live in one minute of virtual time */
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"alter_rate_limit_rpm\": 3}"));
    struct http_resp r;
    for (int i = 0; i < 3; i++) {
        alter_http("GET", "/sdk/agents", alter_key(&T), NULL, NULL, &r);
        expect_status(&r, 200);
        long limit, remaining;
        expect_rate_headers(&r, &limit, &remaining, NULL);
        cr_assert_eq(limit, 3);
        cr_assert_eq(remaining, 2 - i);
        http_resp_free(&r);
    }
    alter_http("POST", "/sdk/agents", alter_key(&T), "{\"name\": \"over-the-limit\"}", NULL, &r);
    expect_alter_error(&r, 429, "rate_limited");
    long long retry_after = header_int(&r, "Retry-After");
    cr_assert(retry_after >= 1 && retry_after <= 60, "Retry-After %lld within the minute", retry_after);
    http_resp_free(&r);
    alter_http("GET", "/sdk/agents/by-name/over-the-limit", alter_key(&T), NULL, NULL, &r);
    cr_assert_eq(r.status, 429, "still limited: the refused create must not have run either");
    http_resp_free(&r);

    char scoped[96];
    alter_scoped_key(&T, "[\"agents:read\"]", scoped); /* another key: its own bucket */
    alter_http("GET", "/sdk/agents/by-name/over-the-limit", scoped, NULL, NULL, &r);
    expect_alter_error(&r, 404, "agent_not_found");
    http_resp_free(&r);
}
