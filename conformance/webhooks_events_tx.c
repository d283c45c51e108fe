/* §6 events of transactions and trust (§4, §5): each is emitted by the action that should
 * emit it, with the object concerned as data.  Each test skips with a reason while the
 * target answers POST /transactions with 404 (those routes land separately). */
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

#define WAIT_MS 10000

struct fixture {
    struct receiver *rc;
    cJSON *webhook;
    cJSON *initiator, *counterparty;
};

/* An org with transactions served, a receiver subscribed to `events`, and two agents that
 * may trade "execute_trades" up to 1000. */
static void setup(struct fixture *f, const char *events) {
    require_mock();
    tenant_new(&T);
    require_transactions(&T);
    f->rc = receiver_start();
    f->webhook = webhook_create(&T, receiver_url(f->rc, "/tx"), events);
    char *body = agent_body(tname(&T, "Initiator"));
    f->initiator = agent_register(&T, body);
    free(body);
    body = agent_body(tname(&T, "Counterparty"));
    f->counterparty = agent_register(&T, body);
    free(body);
}

static void teardown(struct fixture *f) {
    cJSON_Delete(f->initiator);
    cJSON_Delete(f->counterparty);
    cJSON_Delete(f->webhook);
    receiver_stop(f->rc);
}

/* POST /transactions; asserts the status and returns the body (caller deletes). */
static cJSON *transact(struct fixture *f, const char *action_type, const char *amount, long status) {
    char body[512];
    snprintf(body, sizeof body,
             "{\"agent_id\":\"%s\",\"counterparty_id\":\"%s\",\"amount\":%s,\"action_type\":\"%s\"}",
             jstr(f->initiator, "id"), jstr(f->counterparty, "id"), amount, action_type);
    struct http_resp r;
    http_call("POST", "/transactions", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    expect_status(&r, status);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

/* The first delivery of `event` at f's receiver (waiting for it); returns its envelope. */
static cJSON *delivery_of(struct fixture *f, const char *event) {
    for (size_t i = 0;; i++) {
        expect_deliveries(f->rc, i + 1, WAIT_MS);
        const struct received *r = receiver_get(f->rc, i);
        const char *ev = received_header(r, "X-Alsorn-Event");
        if (ev && !strcmp(ev, event)) return expect_delivery(r, jstr(f->webhook, "secret"), event);
    }
}

Test(webhook_events, transaction_completed) {
    struct fixture f;
    setup(&f, "[\"transaction.completed\"]");
    cJSON *tx = transact(&f, "execute_trades", "25.5", 201);
    cJSON *env = delivery_of(&f, "transaction.completed");
    const cJSON *data = jobj(env, "data");
    cr_assert_str_eq(jstr(data, "id"), jstr(tx, "id"), "data is the transaction");
    cr_assert_str_eq(jstr(data, "status"), "completed");
    cr_assert_str_eq(jstr(data, "agent_id"), jstr(f.initiator, "id"));
    cr_assert_str_eq(jstr(data, "counterparty_id"), jstr(f.counterparty, "id"));
    cr_assert_eq(jnum(data, "amount"), 25.5);
    cr_assert_eq(receiver_count(f.rc), 1, "events it did not subscribe to reached it");
    cJSON_Delete(env);
    cJSON_Delete(tx);
    teardown(&f);
}

Test(webhook_events, transaction_failed) {
    struct fixture f;
    setup(&f, "[\"transaction.failed\"]");
    cJSON *err = transact(&f, "not_authorized_action", "10", 403);
    const char *tx_id = jstr(jobj(err, "error"), "transaction_id");
    cJSON *env = delivery_of(&f, "transaction.failed");
    const cJSON *data = jobj(env, "data");
    cr_assert_str_eq(jstr(data, "id"), tx_id, "data is the stored failed transaction");
    cr_assert_str_eq(jstr(data, "status"), "failed");
    cr_assert_str_eq(jstr(data, "error_code"), "ACTION_NOT_AUTHORIZED");
    cJSON_Delete(env);
    cJSON_Delete(err);
    teardown(&f);
}

Test(webhook_events, transaction_reversed) {
    struct fixture f;
    setup(&f, "[\"transaction.reversed\"]");
    cJSON *tx = transact(&f, "execute_trades", "10", 201);
    struct http_resp r;
    http_call("POST", fmt("/transactions/%s/reverse", jstr(tx, "id")), tkey_min(&T, KEY_WRITE),
              "{\"reason\":\"customer refund\"}", NULL, &r);
    expect_status(&r, 200);
    const char *reversal_id = jstr(r.json, "id");
    cJSON *env = delivery_of(&f, "transaction.reversed");
    const cJSON *data = jobj(env, "data");
    cr_assert_str_eq(jstr(data, "status"), "reversed");
    /* the object concerned: the reversal record, or the original now marked reversed */
    const cJSON *orig = cJSON_GetObjectItemCaseSensitive(data, "original_transaction_id");
    bool names_it = !strcmp(jstr(data, "id"), jstr(tx, "id")) ||
                    (!strcmp(jstr(data, "id"), reversal_id) && cJSON_IsString(orig) &&
                     !strcmp(orig->valuestring, jstr(tx, "id")));
    cr_assert(names_it, "transaction.reversed names neither %s nor its reversal %s",
              jstr(tx, "id"), reversal_id);
    http_resp_free(&r);
    cJSON_Delete(env);
    cJSON_Delete(tx);
    teardown(&f);
}

Test(webhook_events, trust_score_changed) {
    struct fixture f;
    setup(&f, "[\"trust.score_changed\"]");
    /* a first completed task moves a new agent from 500 (no tasks) to 700: |delta| >= 10 */
    cJSON *tx = transact(&f, "execute_trades", "10", 201);
    cJSON *env = delivery_of(&f, "trust.score_changed");
    const cJSON *data = jobj(env, "data");
    const char *agent = jstr(data, "agent_id");
    cr_assert(!strcmp(agent, jstr(f.initiator, "id")) || !strcmp(agent, jstr(f.counterparty, "id")),
              "score change of an agent outside the transaction: %s", agent);
    cr_assert_eq(jnum(data, "previous_score"), 500);
    cr_assert_eq(jnum(data, "score"), 700);
    cr_assert_str_eq(jstr(data, "previous_assessment"), "Caution");
    cr_assert_str_eq(jstr(data, "assessment"), "Trusted");
    cr_assert(strlen(jstr(data, "reason")) > 0);
    cJSON_Delete(env);
    cJSON_Delete(tx);
    teardown(&f);
}

Test(webhook_events, trust_dispute_filed) {
    struct fixture f;
    setup(&f, "[\"trust.dispute_filed\"]");
    cJSON *tx = transact(&f, "execute_trades", "10", 201);
    char body[512];
    snprintf(body, sizeof body,
             "{\"agent_id\":\"%s\",\"reason\":\"goods never arrived\",\"transaction_id\":\"%s\"}",
             jstr(f.initiator, "id"), jstr(tx, "id"));
    struct http_resp r;
    http_call("POST", "/trust/report", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    if (r.status == 404 && r.json && !strcmp(jstr(jobj(r.json, "error"), "code"), "not_found") &&
        strstr(jstr(jobj(r.json, "error"), "message"), "No route"))
        cr_skip_test("POST /trust/report is not served by this target yet (404)");
    expect_status(&r, 201);
    cJSON *env = delivery_of(&f, "trust.dispute_filed");
    const cJSON *data = jobj(env, "data");
    cr_assert_str_eq(jstr(data, "dispute_id"), jstr(r.json, "dispute_id"), "data is the dispute");
    cr_assert_str_eq(jstr(data, "agent_id"), jstr(f.initiator, "id"));
    cr_assert_str_eq(jstr(data, "status"), "pending_review");
    http_resp_free(&r);
    cJSON_Delete(env);
    cJSON_Delete(tx);
    teardown(&f);
}
