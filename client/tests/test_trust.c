/* Each trust call sends contract §4's method, path, query and body and decodes every field of
 * the answer: TrustProfile with its components and the SDK's factors, batches with nulls,
 * history, decisions and disputes. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The first published example: 887 Trusted. */
#define PROFILE_JSON                                                                               \
    "{\"agent_id\":\"agent_7f3k9x2m\",\"agent_name\":\"Alpha\",\"score\":887,"                     \
    "\"assessment\":\"Trusted\",\"components\":{"                                                  \
    "\"completion_rate\":{\"weight\":400,\"score\":392,\"value\":0.98},"                           \
    "\"dispute_rate\":{\"weight\":300,\"score\":285,\"value\":0.02},"                              \
    "\"tenure\":{\"weight\":150,\"score\":60,\"value\":72},"                                       \
    "\"operator_verified\":{\"weight\":150,\"score\":150,\"value\":true}},"                        \
    "\"total_tasks\":150,\"disputes\":3,\"tenure_days\":72,\"operator_verified\":true,"            \
    "\"last_evaluated\":\"2026-01-02T03:04:05Z\",\"trend\":\"improving\"}"

#define DISPUTE_JSON                                                                               \
    "{\"dispute_id\":\"dsp_g9h0i1j2k3\",\"agent_id\":\"agent_7f3k9x2m\","                          \
    "\"reported_by\":\"agent_2b8m4p1q\",\"reason\":\"Agent did not deliver.\",\"evidence\":null,"  \
    "\"evidence_ids\":[\"tx_r4s5t6u7v8\"],\"transaction_id\":\"tx_r4s5t6u7v8\","                   \
    "\"status\":\"pending_review\",\"created_at\":\"2026-01-02T03:04:05Z\"}"

static void assert_example_profile(const alsorn_trust_profile *p) {
    cr_assert_str_eq(p->agent_id, "agent_7f3k9x2m");
    cr_assert_str_eq(p->agent_name, "Alpha");
    cr_assert_eq(p->score, 887);
    cr_assert_str_eq(p->assessment, "Trusted");
    cr_assert(p->components.completion_rate.weight == 400 &&
              p->components.completion_rate.score == 392);
    cr_assert_float_eq(p->components.completion_rate.value, 0.98, 1e-12);
    cr_assert(p->components.dispute_rate.weight == 300 && p->components.dispute_rate.score == 285);
    cr_assert(p->components.tenure.score == 60 && p->components.tenure.value == 72);
    cr_assert(p->components.operator_verified.score == 150 &&
              p->components.operator_verified.value == 1);
    cr_assert_float_eq(p->factors.completion_rate, 0.98, 1e-12);
    cr_assert_float_eq(p->factors.dispute_ratio, 0.02, 1e-12);
    cr_assert_eq(p->factors.tenure_days, 72);
    cr_assert(p->factors.operator_verified);
    cr_assert_eq(p->total_tasks, 150);
    cr_assert_eq(p->disputes, 3);
    cr_assert_eq(p->tenure_days, 72);
    cr_assert(p->operator_verified);
    cr_assert_str_eq(p->last_evaluated, "2026-01-02T03:04:05Z");
    cr_assert_str_eq(p->trend, "improving");
}

CLIENT_TEST(trust, query_decodes_the_profile_and_its_factors) {
    const scripted_response script[] = {{200, NULL, PROFILE_JSON, 0}};
    script_program("trust_query", script, COUNT(script));
    alsorn_client *client = script_client("trust_query");
    alsorn_trust_profile *p = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_query(client, "agent_7f3k9x2m", &p, &err), ALSORN_OK, "%s",
                 err.message);
    assert_example_profile(p);
    cr_assert_null(p->decision);
    cJSON *log = script_requests("trust_query");
    only_request(log, "GET", "/trust/agent_7f3k9x2m");
    cJSON_Delete(log);
    alsorn_trust_profile_free(p);
    alsorn_client_free(client);
}

CLIENT_TEST(trust, batch_query_keeps_order_and_nulls) {
    const scripted_response script[] = {
        {200, NULL, "{\"results\":[" PROFILE_JSON ",null," PROFILE_JSON "]}", 0}};
    script_program("trust_batch", script, COUNT(script));
    alsorn_client *client = script_client("trust_batch");
    const char *ids[] = {"agent_7f3k9x2m", "agent_nope", "agent_7f3k9x2m"};
    alsorn_trust_batch *batch = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_batch_query(client, ids, 3, &batch, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_eq(batch->count, 3);
    assert_example_profile(batch->items[0]);
    cr_assert_null(batch->items[1]);
    assert_example_profile(batch->items[2]);
    cJSON *log = script_requests("trust_batch");
    assert_request_body(only_request(log, "POST", "/trust/query"),
                "{\"agent_ids\":[\"agent_7f3k9x2m\",\"agent_nope\",\"agent_7f3k9x2m\"]}");
    cJSON_Delete(log);
    alsorn_trust_batch_free(batch);
    const char *with_null[] = {"agent_1", NULL};
    cr_assert_eq(alsorn_trust_batch_query(client, with_null, 2, &batch, &err),
                 ALSORN_ERR_INVALID_ARGUMENT);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(trust, history_sends_days_or_since_and_decodes_snapshots) {
    const char *body =
        "[{\"score\":645,\"assessment\":\"Caution\",\"reason\":\"Dispute filed against "
        "agent\",\"created_at\":\"2026-01-03T00:00:00Z\"},{\"score\":700,\"assessment\":"
        "\"Trusted\",\"reason\":\"Transaction completed\",\"created_at\":"
        "\"2026-01-02T00:00:00Z\"}]";
    const scripted_response script[] = {
        {200, NULL, body, 0}, {200, NULL, "[]", 0}, {200, NULL, "{\"not\":\"an array\"}", 0}};
    script_program("trust_history", script, COUNT(script));
    alsorn_client *client = script_client("trust_history");
    alsorn_trust_history_params params = {.since = "2025-01-01T00:00:00Z"};
    alsorn_trust_history *h = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_get_history(client, "agent_1", &params, &h, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_eq(h->count, 2);
    cr_assert_eq(h->items[0].score, 645);
    cr_assert_str_eq(h->items[0].assessment, "Caution");
    cr_assert_str_eq(h->items[0].reason, "Dispute filed against agent");
    cr_assert_str_eq(h->items[1].created_at, "2026-01-02T00:00:00Z");
    alsorn_trust_history_free(h);
    params = (alsorn_trust_history_params){.days = 7};
    cr_assert_eq(alsorn_trust_get_history(client, "agent_1", &params, &h, &err), ALSORN_OK);
    cr_assert_eq(h->count, 0);
    alsorn_trust_history_free(h);
    cr_assert_eq(alsorn_trust_get_history(client, "agent_1", NULL, &h, &err), ALSORN_ERR_DECODE);
    cJSON *log = script_requests("trust_history");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "path"), "/trust/agent_1/history");
    char *q0 = decoded_query(cJSON_GetArrayItem(log, 0)),
         *q1 = decoded_query(cJSON_GetArrayItem(log, 1));
    cr_assert_str_eq(q0, "since=2025-01-01T00:00:00Z");
    cr_assert_str_eq(q1, "days=7");
    cr_assert_null(request_member(cJSON_GetArrayItem(log, 2), "query"));
    free(q0);
    free(q1);
    cJSON_Delete(log);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(trust, evaluate_decides_a_prospective_transaction) {
    char with_decision[2048];
    snprintf(with_decision, sizeof with_decision,
             "%.*s,\"decision\":{\"allowed\":true,"
             "\"reason\":\"Trust score meets threshold\",\"required_score\":400}}",
             (int)strlen(PROFILE_JSON) - 1, PROFILE_JSON);
    const scripted_response script[] = {{200, NULL, with_decision, 0},
                                        {200, NULL, PROFILE_JSON, 0}};
    script_program("trust_evaluate", script, COUNT(script));
    alsorn_client *client = script_client("trust_evaluate");
    alsorn_trust_evaluation_params params = {
        .action = "transfer_funds", .amount = 5000, .currency = "USD"};
    alsorn_trust_profile *p = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_evaluate(client, "agent_7f3k9x2m", &params, &p, &err), ALSORN_OK,
                 "%s", err.message);
    assert_example_profile(p);
    cr_assert(p->decision && p->decision->allowed);
    cr_assert_str_eq(p->decision->reason, "Trust score meets threshold");
    cr_assert_eq(p->decision->required_score, 400);
    alsorn_trust_profile_free(p);
    cr_assert_eq(alsorn_trust_evaluate(client, "agent_7f3k9x2m", NULL, &p, &err), ALSORN_OK);
    cr_assert_null(p->decision);
    alsorn_trust_profile_free(p);
    cJSON *log = script_requests("trust_evaluate");
    const cJSON *first = cJSON_GetArrayItem(log, 0), *second = cJSON_GetArrayItem(log, 1);
    cr_assert_str_eq(request_member(first, "method"), "POST");
    cr_assert_str_eq(request_member(first, "path"), "/trust/evaluate/agent_7f3k9x2m");
    assert_request_body(first, "{\"action\":\"transfer_funds\",\"amount\":5000,\"currency\":\"USD\"}");
    cr_assert_str_eq(request_member(second, "body"), "", "no params: recompute only, no body");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(trust, report_files_a_dispute_and_get_dispute_reads_it) {
    const scripted_response script[] = {{201, NULL, DISPUTE_JSON, 0}, {200, NULL, DISPUTE_JSON, 0}};
    script_program("trust_report", script, COUNT(script));
    alsorn_client *client = script_client("trust_report");
    const char *evidence[] = {"tx_r4s5t6u7v8"};
    alsorn_dispute_params params = {.agent_id = "agent_7f3k9x2m",
                                    .reason = "Agent did not deliver.",
                                    .transaction_id = "tx_r4s5t6u7v8",
                                    .evidence_ids = evidence,
                                    .evidence_id_count = 1};
    alsorn_dispute *d = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_report(client, &params, &d, &err), ALSORN_OK, "%s", err.message);
    cr_assert_str_eq(d->dispute_id, "dsp_g9h0i1j2k3");
    cr_assert_str_eq(d->agent_id, "agent_7f3k9x2m");
    cr_assert_str_eq(d->reported_by, "agent_2b8m4p1q");
    cr_assert_str_eq(d->reason, "Agent did not deliver.");
    cr_assert_null(d->evidence);
    cr_assert_eq(d->evidence_id_count, 1);
    cr_assert_str_eq(d->evidence_ids[0], "tx_r4s5t6u7v8");
    cr_assert_str_eq(d->transaction_id, "tx_r4s5t6u7v8");
    cr_assert_str_eq(d->status, "pending_review");
    cr_assert_str_eq(d->created_at, "2026-01-02T03:04:05Z");
    alsorn_dispute_free(d);
    cr_assert_eq(alsorn_trust_get_dispute(client, "dsp_g9h0i1j2k3", &d, &err), ALSORN_OK);
    cr_assert_str_eq(d->dispute_id, "dsp_g9h0i1j2k3");
    alsorn_dispute_free(d);
    cJSON *log = script_requests("trust_report");
    const cJSON *first = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_member(first, "path"), "/trust/report");
    assert_request_body(first,
                "{\"agent_id\":\"agent_7f3k9x2m\",\"reason\":\"Agent did not deliver.\","
                "\"transaction_id\":\"tx_r4s5t6u7v8\",\"evidence_ids\":[\"tx_r4s5t6u7v8\"]}");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 1), "path"), "/trust/disputes/dsp_g9h0i1j2k3");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(trust, a_profile_of_the_wrong_shape_is_a_decode_error) {
    const scripted_response script[] = {
        {200, NULL, "{\"agent_id\":\"agent_1\",\"components\":{\"tenure\":5}}", 0},
        {200, NULL, "{\"agent_id\":\"agent_1\",\"decision\":{\"reason\":\"x\"}}", 0}};
    script_program("trust_decode", script, COUNT(script));
    alsorn_client *client = script_client("trust_decode");
    alsorn_trust_profile *p = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_trust_query(client, "agent_1", &p, &err), ALSORN_ERR_DECODE);
    cr_assert(strstr(err.message, "tenure"), "%s", err.message);
    cr_assert_eq(alsorn_trust_query(client, "agent_1", &p, &err), ALSORN_ERR_DECODE);
    cr_assert(strstr(err.message, "allowed"), "a decision without allowed: %s", err.message);
    cr_assert_null(p);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}
