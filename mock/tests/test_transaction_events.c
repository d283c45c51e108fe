/* The events a transaction emits, in order, through the domain functions the API and the
 * generator share: transaction.* with the Transaction as data, then trust.score_changed for
 * each party whose score moved notably. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "alsorn/agents.h"
#include "alsorn/events.h"
#include "alsorn/transactions.h"
#include "store/store.h"
#include "tenant_parts.h"

static cJSON *seen; /* array of envelopes */

static void capture(struct tenant *t, const char *event, cJSON *envelope, void *ctx) {
    (void)t;
    (void)event;
    (void)ctx;
    cJSON_AddItemToArray(seen, cJSON_Duplicate(envelope, true));
}

static struct tenant *org;

static void setup(void) {
    seen = cJSON_CreateArray();
    events_set_sink(capture, NULL, NULL);
    store_init(&tenant_parts);
    org = tenant_new("Events", PLAN_ENTERPRISE, false);
}

static void teardown(void) {
    events_set_sink(NULL, NULL, NULL);
    cJSON_Delete(seen);
    tenant_release(org);
}

TestSuite(transaction_events, .init = setup, .fini = teardown);

static struct agent *agent(const char *name, const char *limit) {
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"authorized_actions\": [\"pay\"], \"spending_limit\": %s}", name,
             limit);
    cJSON *json = cJSON_Parse(body);
    struct field_errors fe = {0};
    struct agent *a = NULL;
    cr_assert_eq(alsorn_agent_create(org, json, org->user_id, 1767225600, &fe, &a), CREATE_OK);
    cJSON_Delete(json);
    return a;
}

static const char *event_at(int i) {
    return cJSON_GetObjectItem(cJSON_GetArrayItem(seen, i), "event")->valuestring;
}

static const cJSON *data_at(int i) {
    return cJSON_GetObjectItem(cJSON_GetArrayItem(seen, i), "data");
}

static enum tx_outcome run(struct agent *a, struct agent *b, int64_t amount,
                           struct tx_result *res) {
    struct tx_request req = {.agent_id = a->id, .counterparty_id = b->id, .action_type = "pay",
                             .amount = amount};
    struct field_errors fe = {0};
    tenant_lock(org);
    enum tx_outcome outcome = transaction_execute(org, &req, 1767225600, &fe, res);
    tenant_unlock(org);
    field_errors_free(&fe);
    return outcome;
}

Test(transaction_events, completed_then_both_scores_changed) {
    struct agent *a = agent("Payer", "100"), *b = agent("Payee", "100");
    struct tx_result res;
    cr_assert_eq(run(a, b, 500, &res), TX_OK);
    cr_assert_eq(cJSON_GetArraySize(seen), 3);
    cr_assert_str_eq(event_at(0), "transaction.completed");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(0), "id")->valuestring, res.tx->id);
    cr_assert_str_eq(event_at(1), "trust.score_changed");
    cr_assert_str_eq(event_at(2), "trust.score_changed");
    const cJSON *d = data_at(1);
    cr_assert_str_eq(cJSON_GetObjectItem(d, "agent_id")->valuestring, a->id);
    cr_assert_eq(cJSON_GetObjectItem(d, "previous_score")->valueint, 500);
    cr_assert_eq(cJSON_GetObjectItem(d, "score")->valueint, 700);
    cr_assert_str_eq(cJSON_GetObjectItem(d, "previous_assessment")->valuestring, "Caution");
    cr_assert_str_eq(cJSON_GetObjectItem(d, "assessment")->valuestring, "Trusted");
    cr_assert_str_eq(cJSON_GetObjectItem(d, "reason")->valuestring, "Transaction completed");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(2), "agent_id")->valuestring, b->id);
}

Test(transaction_events, failed_carries_the_upper_case_code) {
    struct agent *a = agent("Payer", "1"), *b = agent("Payee", "1");
    struct tx_result res;
    cr_assert_eq(run(a, b, 500, &res), TX_REFUSED);
    cr_assert_eq(res.check, TRUST_SPENDING_LIMIT_EXCEEDED);
    cr_assert_str_eq(event_at(0), "transaction.failed");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(0), "error_code")->valuestring,
                     "SPENDING_LIMIT_EXCEEDED");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(0), "status")->valuestring, "failed");
    /* the initiator dropped 500 → 300; the payee's inputs did not change */
    cr_assert_eq(cJSON_GetArraySize(seen), 2);
    cr_assert_str_eq(event_at(1), "trust.score_changed");
    cr_assert_eq(cJSON_GetObjectItem(data_at(1), "score")->valueint, 300);
    cr_assert_eq(run(a, b, 50, &res), TX_REFUSED);
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(2), "error_code")->valuestring,
                     "INSUFFICIENT_TRUST");
    cr_assert_eq(cJSON_GetArraySize(seen), 3, "300 → 300 is no change: no trust event");
}

Test(transaction_events, reversal_then_scores) {
    struct agent *a = agent("Payer", "100"), *b = agent("Payee", "100");
    struct tx_result res, rev;
    cr_assert_eq(run(a, b, 500, &res), TX_OK);
    tenant_lock(org);
    cr_assert_eq(transaction_reverse(org, res.tx, "oops", 1767225601, &rev), TX_OK);
    cr_assert_eq(transaction_reverse(org, res.tx, NULL, 1767225602, &rev), TX_CONFLICT);
    tenant_unlock(org);
    cr_assert_str_eq(event_at(3), "transaction.reversed");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(3), "original_transaction_id")->valuestring,
                     res.tx->id);
    cr_assert_str_eq(event_at(4), "trust.score_changed");
    cr_assert_str_eq(cJSON_GetObjectItem(data_at(4), "reason")->valuestring,
                     "Transaction reversed");
    cr_assert_eq(cJSON_GetArraySize(seen), 6);
}
