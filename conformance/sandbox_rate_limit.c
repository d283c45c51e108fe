/* Rate limits (alsorn.md §8): per-key fixed windows at the plan's tier, X-RateLimit-* on every
 * response, 429 rate_limit_exceeded with Retry-After, 100/h per address without a valid key,
 * and the sandbox's control over a tenant's limit and window. */
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared */

#include <string.h>
#include <time.h>

static struct tenant T;

Test(rate_limit, headers_on_every_response) {
    tenant_new(&T);
    const char *key = tkey_min(&T, KEY_WRITE);
    cJSON *a = agent_register_named(&T, "Rate Headers");
    const char *id = jstr(a, "id");
    struct {
        const char *method, *path, *key, *body;
        long status;
    } calls[] = {
        {"GET", "/agents", key, NULL, 200},
        {"GET", fmt("/agents/%s", id), key, NULL, 200},
        {"GET", "/agents/agent_doesnotexist00", key, NULL, 404},
        {"POST", "/agents", key, "{\"name\": 5}", 422},
        {"POST", "/agents", key, "{", 400},
        {"PATCH", fmt("/agents/%s", id), key, "{\"description\": \"x\"}", 200},
        {"GET", fmt("/agents/%s/verify", id), NULL, NULL, 200},
        {"GET", "/agents", NULL, NULL, 401},
        {"GET", "/no/such/route", key, NULL, 404},
        {"PUT", "/agents", key, NULL, 405},
        {"GET", "/agents", "als_0000000000000000000000000000000000000000000000000000000000000000", NULL, 401},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        struct http_resp r;
        http_call(calls[i].method, calls[i].path, calls[i].key, calls[i].body, NULL, &r);
        expect_status(&r, calls[i].status);
        expect_rate_headers(&r, NULL, NULL, NULL);
        http_resp_free(&r);
    }
    cJSON_Delete(a);
}

Test(rate_limit, remaining_counts_down_per_key) {
    clock_hold_shared(); /* counts within a window of virtual time */
    require_mock(); /* on a shared live key other traffic moves the counter too */
    tenant_new(&T);
    long limit, rem1, rem2, rem_read;
    long long reset1, reset2;
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_WRITE], NULL, NULL, &r);
    expect_rate_headers(&r, &limit, &rem1, &reset1);
    cr_assert_eq(limit, 100000, "enterprise tier: X-RateLimit-Limit %ld", limit);
    cr_assert_eq(rem1, limit - 1, "first request of the window leaves limit - 1, got %ld", rem1);
    http_resp_free(&r);
    http_call("GET", "/agents", T.key[KEY_WRITE], NULL, NULL, &r);
    expect_rate_headers(&r, NULL, &rem2, &reset2);
    cr_assert_eq(rem2, rem1 - 1, "remaining %ld after %ld", rem2, rem1);
    cr_assert_eq(reset2, reset1, "a fixed window keeps its end: %lld then %lld", reset1, reset2);
    http_resp_free(&r);
    /* another key of the same org has its own bucket */
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_rate_headers(&r, NULL, &rem_read, NULL);
    cr_assert_eq(rem_read, limit - 1, "the read key's bucket is separate: remaining %ld", rem_read);
    http_resp_free(&r);
}

static long limit_of_plan(const char *plan) {
    struct tenant t;
    tenant_new_with(&t, fmt("{\"plan\": \"%s\"}", plan));
    struct http_resp r;
    http_call("GET", "/agents", t.key[KEY_READ], NULL, NULL, &r);
    long limit;
    expect_rate_headers(&r, &limit, NULL, NULL);
    http_resp_free(&r);
    return limit;
}

Test(rate_limit, plan_tiers) {
    require_mock();
    cr_assert_eq(limit_of_plan("starter"), 1000);
    cr_assert_eq(limit_of_plan("growth"), 10000);
    cr_assert_eq(limit_of_plan("enterprise"), 100000);
}

Test(rate_limit, over_the_limit_is_429_and_does_nothing) {
    require_mock();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 3, \"rate_window_seconds\": 600}"));
    const char *key = T.key[KEY_WRITE];
    struct http_resp r;
    for (int i = 0; i < 3; i++) {
        http_call("GET", "/agents", key, NULL, NULL, &r);
        expect_status(&r, 200);
        long limit, rem;
        expect_rate_headers(&r, &limit, &rem, NULL);
        cr_assert_eq(limit, 3);
        cr_assert_eq(rem, 2 - i, "request %d: remaining %ld", i + 1, rem);
        http_resp_free(&r);
    }
    char *body = agent_body(tname(&T, "Over Limit"));
    http_call("POST", "/agents", key, body, NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    long rem;
    long long reset;
    expect_rate_headers(&r, NULL, &rem, &reset);
    cr_assert_eq(rem, 0);
    long long retry_after = header_int(&r, "Retry-After");
    cr_assert(retry_after >= 1 && retry_after <= 600, "Retry-After %lld within the 600 s window",
              retry_after);
    /* a client compares Reset with its own clock, whatever the mock's virtual clock says */
    long long now = (long long)time(NULL);
    cr_assert(reset - now <= retry_after + 1 && reset - now >= retry_after - 1,
              "Retry-After %lld agrees with X-RateLimit-Reset %lld (now %lld)", retry_after, reset, now);
    http_resp_free(&r);
    free(body);
    /* the refused POST created nothing: a fresh key of a higher limit sees no agent */
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": null}"));
    cr_assert_eq(agent_count(&T), 0, "a 429 must not execute the request");
}

Test(rate_limit, unauthenticated_requests_share_100_per_hour_per_address, .timeout = 120) {
    own_mock_start(NULL); /* the contract's default limit; the shared mock lifts it */
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Public");
    const char *verify = fmt("/agents/%s/verify", jstr(a, "id"));
    struct http_resp r;
    for (int i = 0; i < 100; i++) {
        /* public verify and failed authentication count against the same address bucket */
        http_call("GET", i % 2 ? verify : "/agents", NULL, NULL, NULL, &r);
        expect_status(&r, i % 2 ? 200 : 401);
        long limit, rem;
        expect_rate_headers(&r, &limit, &rem, NULL);
        cr_assert_eq(limit, 100, "X-RateLimit-Limit without a key: %ld", limit);
        cr_assert_eq(rem, 99 - i, "request %d: remaining %ld", i + 1, rem);
        http_resp_free(&r);
    }
    http_call("GET", verify, NULL, NULL, NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    cr_assert(header_int(&r, "Retry-After") >= 1);
    http_resp_free(&r);
    /* a valid key is its own bucket, also on the public route */
    http_call("GET", verify, t.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    long limit;
    expect_rate_headers(&r, &limit, NULL, NULL);
    cr_assert_eq(limit, 100000, "verify with a valid key counts against the key: %ld", limit);
    http_resp_free(&r);
    cJSON_Delete(a);
    own_mock_stop();
}

Test(rate_limit, window_restarts_when_the_clock_advances, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 2, \"rate_window_seconds\": 60}"));
    struct http_resp r;
    for (int i = 0; i < 2; i++) {
        http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    long long retry_after = header_int(&r, "Retry-After");
    http_resp_free(&r);
    cJSON_Delete(mock_call("POST", "/_mock/clock", fmt("{\"advance_seconds\": %lld}", retry_after), 200));
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    long rem;
    long long reset;
    expect_rate_headers(&r, NULL, &rem, &reset);
    cr_assert_eq(rem, 1, "a new window after the clock moved: remaining %ld", rem);
    cr_assert(reset >= (long long)time(NULL) + 58, "the new window ends a full window later (%lld)", reset);
    http_resp_free(&r);
    own_mock_stop();
}

Test(rate_limit, plan_change_moves_the_tier_unless_a_limit_was_set) {
    require_mock();
    tenant_new_with(&T, "{\"plan\": \"starter\"}");
    cJSON *o = org_patch(&T, "{\"plan\": \"growth\"}");
    cr_assert_eq(jnum(o, "rate_limit"), 10000);
    cJSON_Delete(o);
    o = org_patch(&T, "{\"rate_limit\": 7}");
    cr_assert_eq(jnum(o, "rate_limit"), 7);
    cJSON_Delete(o);
    o = org_patch(&T, "{\"plan\": \"enterprise\"}");
    cr_assert_eq(jnum(o, "rate_limit"), 7, "an explicit limit survives a plan change");
    cJSON_Delete(o);
    o = org_patch(&T, "{\"rate_limit\": null}");
    cr_assert_eq(jnum(o, "rate_limit"), 100000, "null returns to the plan's tier");
    cJSON_Delete(o);
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    long limit;
    expect_rate_headers(&r, &limit, NULL, NULL);
    cr_assert_eq(limit, 100000);
    http_resp_free(&r);
}

/* A client reads X-RateLimit-Reset against its own clock: with the mock's clock a day ahead,
 * Reset - now must still be the Retry-After it was sent. */
Test(rate_limit, reset_and_retry_after_agree_when_the_clock_is_moved, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 1, \"rate_window_seconds\": 60}"));
    cJSON_Delete(mock_call("POST", "/_mock/clock", "{\"advance_seconds\": 86400}", 200));
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 429, "rate_limit_exceeded");
    long long retry_after = header_int(&r, "Retry-After"), reset = header_int(&r, "X-RateLimit-Reset");
    long long now = (long long)time(NULL);
    cr_assert(reset - now >= retry_after - 1 && reset - now <= retry_after + 1,
              "X-RateLimit-Reset %lld is %lld s from now, Retry-After says %lld", reset, reset - now,
              retry_after);
    http_resp_free(&r);
    own_mock_stop();
}
