/* POST /_mock/webhook-probe: four deliveries to a receiver, and what it made of each.  The
 * receiver here answers as scripted; the test checks the deliveries are what the probe says
 * (signatures, timestamp, body, replay) and that the verdicts follow the answers. */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/hmac.h>

#include "receiver.h"

#define SECRET "whsec_0123456789abcdef0123456789abcdef"

static bool signed_with(const struct received *r, const char *secret) {
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)r->body, r->body_len, mac, &n);
    char hex[7 + 65] = "sha256=";
    for (unsigned i = 0; i < n; i++) snprintf(hex + 7 + 2 * i, 3, "%02x", mac[i]);
    const char *got = received_header(r, "X-Alsorn-Signature");
    return got && !strcmp(got, hex);
}

static const cJSON *result(const cJSON *probe, const char *name) {
    const cJSON *x;
    cJSON_ArrayForEach(x, jarr(probe, "results"))
        if (!strcmp(jstr(x, "case"), name)) return x;
    cr_assert_fail("no case %s", name);
    return NULL;
}

static cJSON *probe(struct receiver *rc) {
    return mock_call("POST", "/_mock/webhook-probe",
                     fmt("{\"url\": \"%s\", \"secret\": \"" SECRET "\", \"timeout_ms\": 2000}",
                         receiver_url(rc, "/hooks")), 200);
}

Test(webhook_probe, a_verifying_receiver_passes_and_the_deliveries_are_what_they_claim, .timeout = 60) {
    require_mock();
    struct receiver *rc = receiver_start();
    /* verifies the raw body: accepts the valid one, rejects the bad signature, takes the rest */
    static const int answers[] = {200, 401, 204, 200};
    receiver_script(rc, answers, 4);
    cJSON *p = probe(rc);
    cr_assert(jbool(p, "passed"), "%s", cJSON_PrintUnformatted(p));
    cr_assert(jbool(result(p, "valid_awkward_body"), "accepted"));
    cr_assert(!jbool(result(p, "bad_signature"), "accepted"));
    cr_assert_eq(jnum(result(p, "bad_signature"), "status_code"), 401);
    cr_assert(jbool(result(p, "stale_timestamp"), "advisory"));
    cr_assert(!jbool(result(p, "stale_timestamp"), "ok"), "accepting a stale timestamp is noted");

    cr_assert_eq(receiver_wait(rc, 4, 5000), 4);
    const struct received *valid = receiver_get(rc, 0), *bad = receiver_get(rc, 1);
    const struct received *stale = receiver_get(rc, 2), *replay = receiver_get(rc, 3);
    cr_assert(signed_with(valid, SECRET), "the valid delivery is signed over the raw body");
    cr_assert(!signed_with(bad, SECRET), "the bad one is not");
    cr_assert(signed_with(stale, SECRET) && signed_with(replay, SECRET));
    cr_assert(valid->body_len > 40000, "a large body");
    cr_assert(strstr(valid->body, "Z\xc3\xbcrich") && strstr(valid->body, "\\u2014"), "non-ASCII, raw and escaped");
    cJSON *env = received_json(valid);
    cr_assert_str_eq(jstr(env, "id"), jstr(p, "event_id"));
    cr_assert_str_eq(jstr(env, "event"), "webhook.test");
    cJSON_Delete(env);
    long long ts = atoll(received_header(valid, "X-Alsorn-Timestamp"));
    long long stale_ts = atoll(received_header(stale, "X-Alsorn-Timestamp"));
    cr_assert_eq(ts - stale_ts, 3600, "an hour old");
    cr_assert(replay->body_len == valid->body_len && !memcmp(replay->body, valid->body, valid->body_len),
              "the replay is the same event");
    cr_assert_str_neq(received_header(replay, "X-Alsorn-Delivery"), received_header(valid, "X-Alsorn-Delivery"));
    cJSON_Delete(p);
    receiver_stop(rc);
}

Test(webhook_probe, receivers_that_do_not_verify_or_reserialize_fail, .timeout = 60) {
    require_mock();
    struct receiver *rc = receiver_start(); /* accepts everything: not verifying */
    cJSON *p = probe(rc);
    cr_assert(!jbool(p, "passed"));
    cr_assert(!jbool(result(p, "bad_signature"), "ok"));
    cr_assert(strstr(jstr(result(p, "bad_signature"), "meaning"), "not verifying"));
    cJSON_Delete(p);
    receiver_reply(rc, 400, 0); /* rejects everything: verifies a re-serialized body */
    p = probe(rc);
    cr_assert(!jbool(p, "passed"));
    cr_assert(!jbool(result(p, "valid_awkward_body"), "ok"));
    cr_assert(strstr(jstr(result(p, "valid_awkward_body"), "meaning"), "re-serialized"));
    cJSON_Delete(p);
    receiver_stop(rc);
}

Test(webhook_probe, bad_requests_are_422) {
    require_mock();
    const char *bad[][2] = {
        {"{\"secret\": \"s\"}", "url"},
        {"{\"url\": \"http://127.0.0.1:9/h\"}", "secret"},
        {"{\"url\": \"http://203.0.113.9/h\", \"secret\": \"s\"}", "url"},
        {"{\"url\": \"not a url\", \"secret\": \"s\"}", "url"},
        {"{\"url\": \"http://127.0.0.1:9/h\", \"secret\": \"s\", \"timeout_ms\": 5}", "timeout_ms"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/webhook-probe", NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
}
