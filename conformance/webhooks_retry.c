/* §6 retries: a failed delivery (non-2xx, timeout, refused connection) is retried with the
 * same event id and body and a new delivery id, on a doubling back-off; later events wait
 * behind it; after its last attempt it counts as one failure of the endpoint, and ten in a
 * row disable it until a PATCH re-enables it.  Every attempt is in the delivery log.  The
 * sandbox compresses the schedule (PATCH /_mock/orgs/{id}/webhook-settings), so these run
 * in seconds; they need the mock. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tenant T;

#define WAIT_MS 10000

static cJSON *setup(struct receiver **rc, const char *settings) {
    require_mock();
    tenant_new(&T);
    webhook_settings(&T, settings);
    *rc = receiver_start();
    return webhook_create(&T, receiver_url(*rc, "/hook"), "[\"*\"]");
}

static const char *delivery_id_of(const struct received *r) {
    return received_header(r, "X-Alsorn-Delivery");
}

Test(webhook_retry, a_500_is_retried_with_the_same_event_and_a_new_delivery_id) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":200}");
    receiver_script(rc, (const int[]){500}, 1);
    cJSON *a = agent_register_named(&T, "Retried");
    expect_deliveries(rc, 2, WAIT_MS);
    const struct received *first = receiver_get(rc, 0), *second = receiver_get(rc, 1);
    cr_assert_eq(first->answered, 500);
    cr_assert_eq(second->answered, 200);
    cJSON *e1 = expect_delivery(first, jstr(w, "secret"), "agent.registered");
    cJSON *e2 = expect_delivery(second, jstr(w, "secret"), "agent.registered");
    cr_assert_str_eq(jstr(e1, "id"), jstr(e2, "id"), "a retry must carry the same event id");
    cr_assert(first->body_len == second->body_len && !memcmp(first->body, second->body, first->body_len),
              "a retry must carry the same body");
    cr_assert_str_neq(delivery_id_of(first), delivery_id_of(second),
                      "each attempt needs its own X-Alsorn-Delivery");
    cr_assert_geq(second->at_ms - first->at_ms, 180, "retried after %.0f ms, base is 200",
                  second->at_ms - first->at_ms);
    cr_assert_eq(receiver_wait(rc, 3, 600), 2, "a delivered event was sent again");

    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 2, WAIT_MS);
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    const cJSON *newest = cJSON_GetArrayItem(log, 0), *oldest = cJSON_GetArrayItem(log, 1);
    cr_assert_eq(jnum(oldest, "attempt"), 1);
    cr_assert_eq(jnum(newest, "attempt"), 2);
    cr_assert_str_eq(jstr(oldest, "event_id"), jstr(e1, "id"));
    cr_assert_str_eq(jstr(newest, "event_id"), jstr(e1, "id"));
    cr_assert_str_eq(jstr(oldest, "event"), "agent.registered");
    cr_assert_str_eq(jstr(oldest, "delivery_id"), delivery_id_of(first));
    cr_assert_str_eq(jstr(newest, "delivery_id"), delivery_id_of(second));
    cr_assert_eq(jnum(oldest, "status_code"), 500);
    cr_assert(strlen(jstr(oldest, "error")) > 0);
    cr_assert(is_rfc3339_utc_seconds(jstr(oldest, "next_retry_at")), "attempt 1 names its retry");
    cr_assert(strcmp(jstr(oldest, "next_retry_at"), jstr(oldest, "delivered_at")) >= 0);
    cr_assert_eq(jnum(newest, "status_code"), 200);
    cr_assert(jnull(newest, "error"));
    cr_assert(jnull(newest, "next_retry_at"));
    cr_assert(is_rfc3339_utc_seconds(jstr(newest, "delivered_at")));
    cr_assert(jnum(newest, "duration_ms") >= 0);
    cJSON *g = webhook_get(&T, jstr(w, "id"));
    cr_assert_eq(jnum(g, "consecutive_failures"), 0, "a delivered event is not a failure");
    cJSON_Delete(g);
    cJSON_Delete(log);
    cJSON_Delete(e1);
    cJSON_Delete(e2);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, back_off_doubles_and_stops_after_max_attempts) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":150,\"max_attempts\":4}");
    receiver_reply(rc, 503, 0);
    cJSON_Delete(agent_register_named(&T, "Never Delivered"));
    expect_deliveries(rc, 4, WAIT_MS);
    double gap[3];
    for (int i = 0; i < 3; i++) gap[i] = receiver_get(rc, i + 1)->at_ms - receiver_get(rc, i)->at_ms;
    /* 150, 300, 600 ms: each wait at least its share, and doubling */
    cr_assert_geq(gap[0], 135, "gaps %.0f %.0f %.0f", gap[0], gap[1], gap[2]);
    cr_assert_geq(gap[1], 270, "gaps %.0f %.0f %.0f", gap[0], gap[1], gap[2]);
    cr_assert_geq(gap[2], 540, "gaps %.0f %.0f %.0f", gap[0], gap[1], gap[2]);
    cr_assert_gt(gap[2], gap[1] * 1.5, "gaps %.0f %.0f %.0f", gap[0], gap[1], gap[2]);
    cr_assert_eq(receiver_wait(rc, 5, 1600), 4, "a fifth attempt with max_attempts 4");
    cJSON *g = webhook_wait_member(&T, jstr(w, "id"), "consecutive_failures", 1, WAIT_MS);
    cr_assert(jbool(g, "active"), "one failed event must not disable the endpoint");
    cJSON_Delete(g);
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 4, WAIT_MS);
    for (int i = 0; i < 4; i++) {
        const cJSON *d = cJSON_GetArrayItem(log, i); /* newest first */
        cr_assert_eq(jnum(d, "attempt"), 4 - i);
        cr_assert_eq(jnum(d, "status_code"), 503);
        cr_assert_eq(i == 0, jnull(d, "next_retry_at"), "only the last attempt has no retry");
    }
    cJSON_Delete(log);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, a_later_event_waits_behind_one_being_retried) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":150}");
    receiver_script(rc, (const int[]){500, 500}, 2);
    cJSON *a = agent_register_named(&T, "Queue Head");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    expect_deliveries(rc, 4, WAIT_MS);
    const char *want[] = {"agent.registered", "agent.registered", "agent.registered",
                          "agent.suspended"};
    for (int i = 0; i < 4; i++)
        cJSON_Delete(expect_delivery(receiver_get(rc, (size_t)i), jstr(w, "secret"), want[i]));
    cr_assert_eq(receiver_get(rc, 2)->answered, 200);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, ten_failed_events_disable_the_endpoint_until_re_enabled) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":20,\"max_attempts\":1}");
    const char *id = jstr(w, "id");
    receiver_reply(rc, 500, 0);
    cJSON *a = agent_register_named(&T, "Failing 0");
    for (int i = 1; i < 9; i++)
        cJSON_Delete(agent_patch(&T, jstr(a, "id"), fmt("{\"name\":\"Failing %d %s\"}", i, T.tag)));
    expect_deliveries(rc, 9, WAIT_MS);
    cJSON *g = webhook_wait_member(&T, id, "consecutive_failures", 9, WAIT_MS);
    cr_assert(jbool(g, "active"), "disabled after 9 failures");
    cJSON_Delete(g);

    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend")); /* the tenth */
    expect_deliveries(rc, 10, WAIT_MS);
    g = webhook_wait_member(&T, id, "active", 0, WAIT_MS);
    cr_assert_eq(jnum(g, "consecutive_failures"), 10);
    cJSON_Delete(g);
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "reactivate"));
    cr_assert_eq(receiver_wait(rc, 11, 700), 10, "a disabled endpoint got an event");

    struct http_resp r;
    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), "{\"active\":true}", NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "active"));
    cr_assert_eq(jnum(r.json, "consecutive_failures"), 0, "re-enabling resets the count");
    http_resp_free(&r);
    receiver_reply(rc, 200, 0);
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    expect_deliveries(rc, 11, WAIT_MS);
    cJSON_Delete(expect_delivery(receiver_get(rc, 10), jstr(w, "secret"), "agent.suspended"));
    cJSON *log = webhook_wait_deliveries(&T, id, 11, WAIT_MS);
    cr_assert_eq(cJSON_GetArraySize(log), 11);
    cJSON_Delete(log);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, a_delivered_event_resets_the_failure_count) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":20,\"max_attempts\":1}");
    receiver_script(rc, (const int[]){500, 404}, 2);
    cJSON *a = agent_register_named(&T, "Flaky");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    expect_deliveries(rc, 2, WAIT_MS);
    cJSON_Delete(webhook_wait_member(&T, jstr(w, "id"), "consecutive_failures", 2, WAIT_MS));
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "reactivate"));
    expect_deliveries(rc, 3, WAIT_MS);
    cJSON_Delete(webhook_wait_member(&T, jstr(w, "id"), "consecutive_failures", 0, WAIT_MS));
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, a_timeout_is_a_failure) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "{\"retry_base_ms\":20,\"max_attempts\":1,\"timeout_ms\":300}");
    receiver_reply(rc, 200, 1500);
    cJSON_Delete(agent_register_named(&T, "Too Slow"));
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 1, WAIT_MS);
    const cJSON *d = cJSON_GetArrayItem(log, 0);
    cr_assert(jnull(d, "status_code"), "a timed-out attempt has no status");
    cr_assert(strstr(jstr(d, "error"), "timed out"), "error: %s", jstr(d, "error"));
    cr_assert_geq(jnum(d, "duration_ms"), 250);
    cr_assert_lt(jnum(d, "duration_ms"), 1400, "the timeout was not applied");
    cJSON_Delete(webhook_wait_member(&T, jstr(w, "id"), "consecutive_failures", 1, WAIT_MS));
    cJSON_Delete(log);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_retry, a_refused_connection_is_retried_then_counted) {
    require_mock();
    tenant_new(&T);
    webhook_settings(&T, "{\"retry_base_ms\":50,\"max_attempts\":3}");
    struct receiver *gone = receiver_start();
    const char *url = receiver_url(gone, "/nobody");
    receiver_stop(gone); /* the port is free now: connections are refused */
    cJSON *w = webhook_create(&T, url, "[\"agent.registered\"]");
    cJSON_Delete(agent_register_named(&T, "Unheard"));
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 3, WAIT_MS);
    for (int i = 0; i < 3; i++) {
        const cJSON *d = cJSON_GetArrayItem(log, i);
        cr_assert_eq(jnum(d, "attempt"), 3 - i);
        cr_assert(jnull(d, "status_code"));
        cr_assert(strlen(jstr(d, "error")) > 0);
        cr_assert(is_uuid(jstr(d, "delivery_id")));
    }
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(log, 0), "event_id"),
                     jstr(cJSON_GetArrayItem(log, 2), "event_id"));
    cr_assert_str_neq(jstr(cJSON_GetArrayItem(log, 0), "delivery_id"),
                      jstr(cJSON_GetArrayItem(log, 1), "delivery_id"));
    cJSON_Delete(webhook_wait_member(&T, jstr(w, "id"), "consecutive_failures", 1, WAIT_MS));
    cJSON_Delete(log);
    cJSON_Delete(w);
}

Test(webhook_retry, the_default_schedule_retries_a_minute_later) {
    require_mock();
    tenant_new(&T); /* no compression: the contract's one-minute base */
    struct receiver *rc = receiver_start();
    receiver_reply(rc, 500, 0);
    cJSON *w = webhook_create(&T, receiver_url(rc, "/hook"), "[\"*\"]");
    cJSON_Delete(agent_register_named(&T, "Patient"));
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 1, WAIT_MS);
    const cJSON *d = cJSON_GetArrayItem(log, 0);
    long long attempted = 0, next = 0;
    struct tm tm = {0};
    cr_assert(strptime(jstr(d, "delivered_at"), "%Y-%m-%dT%H:%M:%SZ", &tm));
    attempted = (long long)timegm(&tm);
    cr_assert(strptime(jstr(d, "next_retry_at"), "%Y-%m-%dT%H:%M:%SZ", &tm));
    next = (long long)timegm(&tm);
    cr_assert(next - attempted >= 59 && next - attempted <= 61,
              "next_retry_at is %lld s after the attempt, expected 60", next - attempted);
    cr_assert_eq(receiver_wait(rc, 2, 1000), 1, "retried long before the minute");
    cJSON_Delete(log);
    cJSON_Delete(w);
    receiver_stop(rc);
}
