/* §6 delivery: a receiver in this process gets every subscribed event as a signed POST with
 * the envelope and headers of the contract, in order, from the action that caused it, and a
 * slow receiver never slows the API.  POST /webhooks/{id}/test.  Needs the mock: the live
 * service cannot reach a receiver on this machine. */
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tenant T;

#define WAIT_MS 10000

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A fresh org and receiver, and an endpoint at the receiver for `events`. */
static cJSON *setup(struct receiver **rc, const char *events) {
    require_mock();
    tenant_new(&T);
    *rc = receiver_start();
    return webhook_create(&T, receiver_url(*rc, "/hooks/alsorn"), events);
}

Test(webhook_delivery, signed_post_with_envelope_and_headers) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    const char *secret = jstr(w, "secret");
    cJSON *agent = agent_register_named(&T, "Hooked Agent");
    expect_deliveries(rc, 1, WAIT_MS);
    const struct received *got = receiver_get(rc, 0);
    cr_assert_str_eq(got->path, "/hooks/alsorn");
    cJSON *env = expect_delivery(got, secret, "agent.registered");
    const cJSON *data = jobj(env, "data");
    cr_assert_str_eq(jstr(data, "id"), jstr(agent, "id"), "data is the agent concerned");
    cr_assert_str_eq(jstr(data, "name"), jstr(agent, "name"));
    cr_assert_str_eq(jstr(data, "fingerprint"), jstr(agent, "fingerprint"));
    cr_assert_str_eq(jstr(data, "status"), "active");
    expect_agent_shape(data);
    /* a receiver holding another secret, or a body changed on the way, must not verify */
    const char *sig = received_header(got, "X-Alsorn-Signature");
    cr_assert_not(signature_verifies("whsec_00000000000000000000000000000000",
                                                  got->body, got->body_len, sig));
    char *tampered = strdup(got->body);
    tampered[got->body_len / 2] ^= 1;
    cr_assert_not(signature_verifies(secret, tampered, got->body_len, sig));
    free(tampered);
    cJSON_Delete(env);
    cJSON_Delete(agent);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, every_agent_action_emits_its_event) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    cJSON *a = agent_register_named(&T, "Lifecycle");
    const char *id = jstr(a, "id");
    cJSON_Delete(agent_patch(&T, id, fmt("{\"name\":\"%s\"}", tname(&T, "Renamed"))));
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON_Delete(agent_action(&T, id, "reactivate"));
    cJSON_Delete(agent_delete(&T, id));
    struct {
        const char *event, *status;
    } want[] = {{"agent.registered", "active"}, {"agent.updated", "active"},
                {"agent.suspended", "suspended"}, {"agent.reactivated", "active"},
                {"agent.deleted", "deleted"}};
    expect_deliveries(rc, 5, WAIT_MS);
    cr_assert_eq(receiver_wait(rc, 6, 500), 5, "more events than actions");
    char seen_ids[5][64];
    for (int i = 0; i < 5; i++) {
        cJSON *env = expect_delivery(receiver_get(rc, i), jstr(w, "secret"), want[i].event);
        const cJSON *data = jobj(env, "data");
        cr_assert_str_eq(jstr(data, "id"), id, "%s is about another agent", want[i].event);
        cr_assert_str_eq(jstr(data, "status"), want[i].status, "%s: data.status", want[i].event);
        if (i == 1) cr_assert_str_eq(jstr(data, "name"), tname(&T, "Renamed"));
        snprintf(seen_ids[i], sizeof seen_ids[i], "%s", jstr(env, "id"));
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(seen_ids[i], seen_ids[j], "two events share the id %s", seen_ids[i]);
        cJSON_Delete(env);
    }
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, an_endpoint_gets_only_what_it_subscribed_to) {
    struct receiver *rc;
    cJSON *only = setup(&rc, "[\"agent.suspended\"]");
    struct receiver *all_rc = receiver_start();
    cJSON *all = webhook_create(&T, receiver_url(all_rc, "/all"), "[\"*\"]");
    cJSON *a = agent_register_named(&T, "Filtered");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    expect_deliveries(all_rc, 2, WAIT_MS);
    expect_deliveries(rc, 1, WAIT_MS);
    cJSON_Delete(expect_delivery(receiver_get(rc, 0), jstr(only, "secret"), "agent.suspended"));
    cr_assert_eq(receiver_wait(rc, 2, 500), 1, "agent.registered reached an endpoint without it");
    cJSON_Delete(expect_delivery(receiver_get(all_rc, 0), jstr(all, "secret"), "agent.registered"));
    cJSON_Delete(expect_delivery(receiver_get(all_rc, 1), jstr(all, "secret"), "agent.suspended"));
    /* each endpoint signs with its own secret */
    cr_assert_str_neq(jstr(only, "secret"), jstr(all, "secret"));
    cJSON_Delete(a);
    cJSON_Delete(all);
    cJSON_Delete(only);
    receiver_stop(all_rc);
    receiver_stop(rc);
}

Test(webhook_delivery, events_arrive_in_the_order_they_happened) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    cJSON *a = agent_register_named(&T, "Ordered");
    enum { UPDATES = 20 };
    for (int i = 1; i <= UPDATES; i++)
        cJSON_Delete(agent_patch(&T, jstr(a, "id"), fmt("{\"name\":\"Ordered %02d %s\"}", i, T.tag)));
    expect_deliveries(rc, UPDATES + 1, WAIT_MS);
    cJSON *first = expect_delivery(receiver_get(rc, 0), jstr(w, "secret"), "agent.registered");
    cJSON_Delete(first);
    for (int i = 1; i <= UPDATES; i++) {
        cJSON *env = expect_delivery(receiver_get(rc, (size_t)i), jstr(w, "secret"), "agent.updated");
        char want[64];
        snprintf(want, sizeof want, "Ordered %02d %s", i, T.tag);
        cr_assert_str_eq(jstr(jobj(env, "data"), "name"), want, "delivery %d out of order", i);
        cJSON_Delete(env);
    }
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, a_slow_receiver_does_not_slow_the_api, .timeout = 60) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    receiver_reply(rc, 200, 2000);
    cJSON *a = agent_register_named(&T, "Slow Receiver");
    expect_deliveries(rc, 1, WAIT_MS); /* the receiver now sleeps on the first delivery */
    const char *paths[][3] = {{"POST", "/agents", NULL},
                              {"PATCH", NULL, "{\"description\":\"changed\"}"},
                              {"POST", NULL, NULL}};
    char *body = agent_body(tname(&T, "Second"));
    paths[0][2] = body;
    char patch_path[128], suspend_path[128];
    snprintf(patch_path, sizeof patch_path, "/agents/%s", jstr(a, "id"));
    snprintf(suspend_path, sizeof suspend_path, "/agents/%s/suspend", jstr(a, "id"));
    paths[1][1] = patch_path;
    paths[2][1] = suspend_path;
    for (int i = 0; i < 3; i++) {
        double start = now_ms();
        struct http_resp r;
        http_call(paths[i][0], paths[i][1], tkey_min(&T, KEY_WRITE), paths[i][2], NULL, &r);
        double took = now_ms() - start;
        cr_assert(r.status == 200 || r.status == 201, "%s %s: %ld %s", paths[i][0], paths[i][1],
                  r.status, resp_excerpt(&r));
        http_resp_free(&r);
        cr_assert_lt(took, 500, "%s %s took %.0f ms while the receiver slept", paths[i][0],
                     paths[i][1], took);
    }
    cr_assert_eq(receiver_count(rc), 1, "the next event went out before the slow one finished");
    expect_deliveries(rc, 2, WAIT_MS); /* they are delivered, in order, after it */
    cJSON *env = expect_delivery(receiver_get(rc, 1), jstr(w, "secret"), "agent.registered");
    cr_assert_str_eq(jstr(jobj(env, "data"), "name"), tname(&T, "Second"));
    cJSON_Delete(env);
    free(body);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, other_orgs_and_inactive_endpoints_receive_nothing) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    struct tenant other;
    tenant_other(&other);
    cJSON_Delete(agent_register_named(&other, "Elsewhere"));
    struct http_resp r;
    http_call("PATCH", fmt("/webhooks/%s", jstr(w, "id")), tkey(&T, KEY_ADMIN), "{\"active\":false}",
              NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON_Delete(agent_register_named(&T, "While Disabled"));
    cr_assert_eq(receiver_wait(rc, 1, 700), 0, "an event reached an endpoint it was not for");
    /* re-enabled, it gets what happens from then on (not what happened meanwhile) */
    http_call("PATCH", fmt("/webhooks/%s", jstr(w, "id")), tkey(&T, KEY_ADMIN), "{\"active\":true}",
              NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON *a = agent_register_named(&T, "After Enable");
    expect_deliveries(rc, 1, WAIT_MS);
    cJSON *env = expect_delivery(receiver_get(rc, 0), jstr(w, "secret"), "agent.registered");
    cr_assert_str_eq(jstr(jobj(env, "data"), "id"), jstr(a, "id"));
    cJSON_Delete(env);
    cJSON_Delete(a);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, a_deleted_endpoint_receives_nothing) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    struct http_resp r;
    http_call("DELETE", fmt("/webhooks/%s", jstr(w, "id")), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 204);
    http_resp_free(&r);
    cJSON_Delete(agent_register_named(&T, "After Delete"));
    cr_assert_eq(receiver_wait(rc, 1, 700), 0, "a deleted endpoint got an event");
    cJSON_Delete(w);
    receiver_stop(rc);
}

/* POST /webhooks/{id}/test: {success, status_code, duration_ms, error}. */
static cJSON *send_test(const char *id) {
    struct http_resp r;
    http_call("POST", fmt("/webhooks/%s/test", id), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    cr_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "success")), "success missing");
    cr_assert(jnum(j, "duration_ms") >= 0);
    return j;
}

Test(webhook_delivery, test_sends_a_signed_webhook_test_event_now) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"agent.deleted\"]");
    cJSON *res = send_test(jstr(w, "id"));
    cr_assert(jbool(res, "success"));
    cr_assert_eq(jnum(res, "status_code"), 200);
    cr_assert(jnull(res, "error"));
    cr_assert_eq(receiver_count(rc), 1, "the test event had not arrived when the call answered");
    cJSON *env = expect_delivery(receiver_get(rc, 0), jstr(w, "secret"), "webhook.test");
    cr_assert_str_eq(jstr(jobj(env, "data"), "id"), jstr(w, "id"), "data is the endpoint");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(jobj(env, "data"), "secret"));
    cJSON *log = webhook_wait_deliveries(&T, jstr(w, "id"), 1, WAIT_MS);
    const cJSON *d = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(jstr(d, "event"), "webhook.test");
    cr_assert_str_eq(jstr(d, "event_id"), jstr(env, "id"));
    cr_assert_str_eq(jstr(d, "delivery_id"), received_header(receiver_get(rc, 0), "X-Alsorn-Delivery"));
    cr_assert_eq(jnum(d, "status_code"), 200);
    cJSON_Delete(log);
    cJSON_Delete(env);
    cJSON_Delete(res);
    cJSON_Delete(w);
    receiver_stop(rc);
}

Test(webhook_delivery, test_reports_failures_without_retrying_or_counting_them) {
    struct receiver *rc;
    cJSON *w = setup(&rc, "[\"*\"]");
    webhook_settings(&T, "{\"retry_base_ms\":50}");
    receiver_reply(rc, 500, 0);
    cJSON *res = send_test(jstr(w, "id"));
    cr_assert_not(jbool(res, "success"));
    cr_assert_eq(jnum(res, "status_code"), 500);
    cr_assert(strlen(jstr(res, "error")) > 0);
    cJSON_Delete(res);
    cr_assert_eq(receiver_wait(rc, 2, 500), 1, "webhook.test was retried");
    cJSON *g = webhook_get(&T, jstr(w, "id"));
    cr_assert_eq(jnum(g, "consecutive_failures"), 0, "a failed test counted as a failed event");
    cJSON_Delete(g);

    /* nobody listening: no status, an error; an inactive endpoint can still be tested */
    struct receiver *gone = receiver_start();
    const char *url = receiver_url(gone, "/gone");
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"active\":false}", url);
    receiver_stop(gone);
    struct http_resp r;
    http_call("PATCH", fmt("/webhooks/%s", jstr(w, "id")), tkey(&T, KEY_ADMIN), body, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    res = send_test(jstr(w, "id"));
    cr_assert_not(jbool(res, "success"));
    cr_assert(jnull(res, "status_code"), "status_code of a refused connection must be null");
    cr_assert(strlen(jstr(res, "error")) > 0);
    cJSON_Delete(res);
    cJSON_Delete(w);
    receiver_stop(rc);
}
