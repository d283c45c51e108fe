/* §6 sandbox delivery: registration takes the URL the SDK documents show
 * (https://example.com/webhooks/alsorn) as the live service does; the allow-list applies at
 * delivery (an event for a URL outside it is logged once as "blocked_by_sandbox", never
 * retried, never counted toward disabling); and a forward target, like `stripe listen
 * --forward-to`, brings every delivery of the organization to a local receiver, signed with
 * the endpoint's own secret.  Needs the mock except for the registration itself. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* usleep */
#endif
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tenant T;

#define WAIT_MS  10000
#define DOC_URL  "https://example.com/webhooks/alsorn" /* the SDK documents' example */
#define DOC_EVENTS "[\"agent.registered\",\"transaction.completed\"]"

/* The delivery-log row of a blocked attempt: one attempt, no status, no retry. */
static void expect_blocked(const cJSON *d) {
    char *s = cJSON_PrintUnformatted(d);
    cr_assert_str_eq(jstr(d, "error"), "blocked_by_sandbox", "%s", s);
    cr_assert(jnull(d, "status_code"), "a blocked attempt has no status: %s", s);
    cr_assert(jnull(d, "next_retry_at"), "a blocked attempt is not retried: %s", s);
    cr_assert_eq(jnum(d, "attempt"), 1, "%s", s);
    free(s);
}

Test(webhook_sandbox, the_documents_public_url_registers_as_on_the_live_service) {
    tenant_new(&T);
    cJSON *w = webhook_create(&T, DOC_URL, DOC_EVENTS);
    cr_assert_str_eq(jstr(w, "url"), DOC_URL);
    cr_assert(jbool(w, "active"));
    /* any http(s) host: a name, a private address, a port, IPv6 */
    const char *others[] = {"http://10.0.0.1/hook", "http://169.254.169.254/latest",
                            "https://[2001:db8::1]:8443/h", "http://hooks.example.org:8080/x?y=1"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        cJSON_Delete(webhook_create(&T, others[i], "[\"*\"]"));
    /* PATCH takes them too */
    if (!ext_skipped()) {
        struct http_resp r;
        http_call("PATCH", fmt("/webhooks/%s", jstr(w, "id")), tkey_min(&T, KEY_ADMIN),
                  "{\"url\":\"https://example.net/other\"}", NULL, &r);
        expect_status(&r, 200);
        cr_assert_str_eq(jstr(r.json, "url"), "https://example.net/other");
        http_resp_free(&r);
    }
    cJSON_Delete(w);
}

Test(webhook_sandbox, test_of_a_url_outside_the_allow_list_is_blocked) {
    require_mock();
    tenant_new(&T);
    cJSON *w = webhook_create(&T, DOC_URL, DOC_EVENTS);
    struct http_resp r;
    http_call("POST", fmt("/webhooks/%s/test", jstr(w, "id")), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_not(jbool(r.json, "success"), "%s", resp_excerpt(&r));
    cr_assert_str_eq(jstr(r.json, "error"), "blocked_by_sandbox");
    cr_assert(jnull(r.json, "status_code"));
    http_resp_free(&r);
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 1, WAIT_MS);
    cr_assert_eq(cJSON_GetArraySize(log), 1);
    expect_blocked(cJSON_GetArrayItem(log, 0));
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(log, 0), "event"), "webhook.test");
    cJSON_Delete(log);
    cJSON_Delete(w);
}

Test(webhook_sandbox, events_for_a_blocked_url_are_logged_once_and_never_disable) {
    require_mock();
    tenant_new(&T);
    /* a compressed schedule: retries, if any were made, would show within the wait below */
    webhook_settings(&T, "{\"retry_base_ms\":10,\"max_attempts\":8}");
    cJSON *w = webhook_create(&T, DOC_URL, DOC_EVENTS);
    const char *id = jstr(w, "id");
    /* more events than the ten failures that disable an endpoint */
    for (int i = 0; i < 12; i++) cJSON_Delete(agent_register_named(&T, fmt("Blocked %d", i)));
    cJSON *log = webhook_wait_deliveries(&T, id, 12, WAIT_MS);
    usleep(300 * 1000); /* 30 retry bases: a retry storm would have started */
    cJSON_Delete(log);
    log = webhook_wait_deliveries(&T, id, 12, WAIT_MS);
    cr_assert_eq(cJSON_GetArraySize(log), 12, "one attempt per event, not %d",
                 cJSON_GetArraySize(log));
    for (int i = 0; i < 12; i++) {
        const cJSON *d = cJSON_GetArrayItem(log, i);
        expect_blocked(d);
        cr_assert_str_eq(jstr(d, "event"), "agent.registered");
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(jstr(d, "event_id"), jstr(cJSON_GetArrayItem(log, j), "event_id"),
                              "one event logged twice");
    }
    cJSON *g = webhook_get(&T, id);
    cr_assert(jbool(g, "active"), "blocked events disabled the endpoint");
    cr_assert_eq(jnum(g, "consecutive_failures"), 0, "a blocked event counted as a failure");
    cJSON_Delete(g);
    cJSON_Delete(log);
    cJSON_Delete(w);
}

Test(webhook_sandbox, the_forward_target_receives_the_documents_webhook_signed) {
    require_mock();
    tenant_new(&T);
    struct receiver *rc = receiver_start();
    const char *target = receiver_url(rc, "/hook");
    cJSON *set = mock_settings_patch(&T, fmt("{\"forward_to\":\"%s\"}", target), 200);
    cr_assert_str_eq(jstr(set, "forward_to"), target);
    cJSON_Delete(set);
    cJSON *w = webhook_create(&T, DOC_URL, DOC_EVENTS);
    const char *secret = jstr(w, "secret");
    cJSON *agent = agent_register_named(&T, "order-fulfillment-agent");
    expect_deliveries(rc, 1, WAIT_MS);
    const struct received *got = receiver_get(rc, 0);
    cr_assert_str_eq(got->path, "/hook");
    /* the endpoint's own signature and headers: the documents' receiver check accepts it */
    cJSON *env = expect_delivery(got, secret, "agent.registered");
    cr_assert_str_eq(jstr(jobj(env, "data"), "id"), jstr(agent, "id"));
    const char *from = received_header(got, "X-Alsorn-Forwarded-From");
    cr_assert(from && !strcmp(from, DOC_URL), "X-Alsorn-Forwarded-From: %s", from ? from : "(none)");

    /* the test route goes the same way */
    struct http_resp r;
    http_call("POST", fmt("/webhooks/%s/test", jstr(w, "id")), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "success"), "%s", resp_excerpt(&r));
    cr_assert_eq(jnum(r.json, "status_code"), 200);
    http_resp_free(&r);
    expect_deliveries(rc, 2, WAIT_MS);
    const struct received *test = receiver_get(rc, 1);
    cJSON_Delete(expect_delivery(test, secret, "webhook.test"));
    cr_assert_str_eq(received_header(test, "X-Alsorn-Forwarded-From"), DOC_URL);

    /* the log shows the deliveries as successes of the endpoint */
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 2, WAIT_MS);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(jnum(cJSON_GetArrayItem(log, i), "status_code"), 200);
        cr_assert(jnull(cJSON_GetArrayItem(log, i), "error"));
    }
    /* another org without a forward target is not forwarded: its events are blocked */
    struct tenant other;
    tenant_other(&other);
    cJSON *ow = webhook_create(&other, DOC_URL, DOC_EVENTS);
    cJSON_Delete(agent_register_named(&other, "Elsewhere"));
    cJSON *olog = webhook_wait_deliveries(&other, jstr(ow, "id"), 1, WAIT_MS);
    expect_blocked(cJSON_GetArrayItem(olog, 0));
    cr_assert_eq(receiver_wait(rc, 3, 300), 2, "another org's event reached this org's target");

    /* null stops forwarding: events are blocked again */
    cJSON *cleared = mock_settings_patch(&T, "{\"forward_to\":null}", 200);
    cr_assert(jnull(cleared, "forward_to"));
    cJSON_Delete(cleared);
    cJSON_Delete(agent_register_named(&T, "Unforwarded"));
    cJSON_Delete(log);
    log = webhook_wait_deliveries(&T, jstr(w, "id"), 3, WAIT_MS);
    expect_blocked(cJSON_GetArrayItem(log, 0));
    cr_assert_eq(receiver_count(rc), 2);

    cJSON_Delete(olog);
    cJSON_Delete(ow);
    cJSON_Delete(log);
    cJSON_Delete(env);
    cJSON_Delete(agent);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_sandbox, forwarded_deliveries_retry_and_disable_like_direct_ones) {
    require_mock();
    tenant_new(&T);
    struct receiver *rc = receiver_start();
    cJSON_Delete(mock_settings_patch(
        &T, fmt("{\"forward_to\":\"%s\",\"retry_base_ms\":50,\"max_attempts\":2}",
                receiver_url(rc, "/fwd")),
        200));
    cJSON *w = webhook_create(&T, DOC_URL, "[\"*\"]");
    const char *id = jstr(w, "id");
    /* a 500 is retried with the same event and body */
    receiver_script(rc, (const int[]){500}, 1);
    cJSON *a = agent_register_named(&T, "Forwarded Retry");
    expect_deliveries(rc, 2, WAIT_MS);
    const struct received *first = receiver_get(rc, 0), *second = receiver_get(rc, 1);
    cr_assert_eq(first->answered, 500);
    cr_assert_eq(second->answered, 200);
    cr_assert(first->body_len == second->body_len &&
                  !memcmp(first->body, second->body, first->body_len),
              "a forwarded retry must carry the same body");
    cr_assert_str_eq(received_header(second, "X-Alsorn-Forwarded-From"), DOC_URL);
    cJSON *log = webhook_wait_deliveries(&T, id, 2, WAIT_MS);
    cr_assert_eq(jnum(cJSON_GetArrayItem(log, 1), "status_code"), 500);
    cr_assert(is_rfc3339_utc_seconds(jstr(cJSON_GetArrayItem(log, 1), "next_retry_at")));
    cr_assert_eq(jnum(cJSON_GetArrayItem(log, 0), "status_code"), 200);
    cJSON_Delete(log);
    /* ten failed events disable the endpoint */
    receiver_reply(rc, 500, 0);
    cJSON_Delete(mock_settings_patch(&T, "{\"max_attempts\":1}", 200));
    for (int i = 0; i < 10; i++)
        cJSON_Delete(agent_patch(&T, jstr(a, "id"), fmt("{\"description\":\"v%d\"}", i)));
    cJSON *g = webhook_wait_member(&T, id, "active", 0, WAIT_MS);
    cr_assert_eq(jnum(g, "consecutive_failures"), 10);
    cJSON_Delete(g);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_sandbox, a_forward_target_must_be_on_the_allow_list) {
    require_mock();
    tenant_new(&T);
    struct {
        const char *body, *field;
    } bad[] = {
        {"{\"forward_to\":\"https://example.com/hook\"}", "forward_to"},
        {"{\"forward_to\":\"http://10.1.2.3:4242/hook\"}", "forward_to"},
        {"{\"forward_to\":\"not a url\"}", "forward_to"},
        {"{\"forward_to\":\"ftp://127.0.0.1/x\"}", "forward_to"},
        {"{\"forward_to\":\"\"}", "forward_to"},
        {"{\"forward_to\":42}", "forward_to"},
        {"{\"forward_to\":\"http://127.0.0.1/\",\"max_attempts\":0}", "max_attempts"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct http_resp r;
        http_call("PATCH", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL, bad[i].body,
                  NULL, &r);
        expect_field_error(&r, bad[i].field);
        http_resp_free(&r);
    }
    /* nothing was set by the refused calls */
    struct http_resp r;
    http_call("GET", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jnull(r.json, "forward_to"), "%s", resp_excerpt(&r));
    http_resp_free(&r);
}

Test(webhook_sandbox, the_webhook_forward_flag_forwards_every_org) {
    require_mock();
    struct receiver *rc = receiver_start();
    const char *target = receiver_url(rc, "/all");
    /* a target outside the allow-list is refused at start */
    struct mock_process refused;
    cr_assert_not(mock_process_start(&refused, (const char *const[]){"--webhook-forward",
                                                                     "https://example.com/x", NULL}),
                  "agentmock started with a forward target outside the allow-list");
    own_mock_start((const char *const[]){"--webhook-forward", target, NULL});
    tenant_new(&T);
    cJSON *set = mock_settings_patch(&T, NULL, 200);
    cr_assert_str_eq(jstr(set, "forward_to"), target, "GET shows the server's target");
    cJSON_Delete(set);
    cJSON *w = webhook_create(&T, DOC_URL, DOC_EVENTS);
    cJSON_Delete(agent_register_named(&T, "Flagged"));
    expect_deliveries(rc, 1, WAIT_MS);
    const struct received *got = receiver_get(rc, 0);
    cr_assert_str_eq(got->path, "/all");
    cJSON_Delete(expect_delivery(got, jstr(w, "secret"), "agent.registered"));
    cr_assert_str_eq(received_header(got, "X-Alsorn-Forwarded-From"), DOC_URL);
    cJSON_Delete(w);
    own_mock_stop();
    receiver_stop(rc);
}
