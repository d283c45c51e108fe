/* Each transactions call sends contract §5's method, path, query and body (the SDK's argument
 * names mapped to the wire's) and decodes every field of the answer. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define TX_JSON                                                                                    \
    "{\"id\":\"tx_r4s5t6u7v8\",\"type\":\"transfer\",\"agent_id\":\"agent_7f3k9x2m\","             \
    "\"agent_name\":\"Alpha\",\"counterparty_id\":\"agent_2b8m4p1q\",\"amount\":500.25,"           \
    "\"currency\":\"USD\",\"action_type\":\"transfer_funds\",\"status\":\"reversed\","             \
    "\"permissions_checked\":true,\"audit_hash\":\"sha256:ab\",\"notes\":\"Payment\","             \
    "\"created_at\":\"2026-01-02T03:04:05Z\",\"reversed_at\":\"2026-01-03T03:04:05Z\","            \
    "\"reversal_id\":\"tx_b4c5d6\",\"reversal_reason\":\"Duplicate\","                             \
    "\"original_transaction_id\":null,\"error_code\":null,\"error_message\":null}"

#define AUDIT_ENTRY_JSON                                                                           \
    "{\"id\":\"audit_1\",\"agent_id\":\"agent_7f3k9x2m\",\"action\":\"transaction.completed\","    \
    "\"payload\":{\"transaction_id\":\"tx_r4s5t6u7v8\"},\"actor_id\":\"agent_7f3k9x2m\","          \
    "\"created_at\":\"2026-01-02T03:04:05Z\",\"previous_hash\":null,\"payload_hash\":\"sha256:"    \
    "ab\"}"

static void assert_full_transaction(const alsorn_transaction *t) {
    cr_assert_str_eq(t->id, "tx_r4s5t6u7v8");
    cr_assert_str_eq(t->type, "transfer");
    cr_assert_str_eq(t->agent_id, "agent_7f3k9x2m");
    cr_assert_str_eq(t->agent_name, "Alpha");
    cr_assert_str_eq(t->counterparty_id, "agent_2b8m4p1q");
    cr_assert_float_eq(t->amount, 500.25, 1e-9);
    cr_assert_eq(t->amount_cents, 50025);
    cr_assert_str_eq(t->currency, "USD");
    cr_assert_str_eq(t->action_type, "transfer_funds");
    cr_assert_str_eq(t->status, "reversed");
    cr_assert(t->permissions_checked);
    cr_assert_str_eq(t->audit_hash, "sha256:ab");
    cr_assert_str_eq(t->notes, "Payment");
    cr_assert_str_eq(t->created_at, "2026-01-02T03:04:05Z");
    cr_assert_str_eq(t->reversed_at, "2026-01-03T03:04:05Z");
    cr_assert_str_eq(t->reversal_id, "tx_b4c5d6");
    cr_assert_str_eq(t->reversal_reason, "Duplicate");
    cr_assert_null(t->original_transaction_id);
    cr_assert_null(t->error_code);
    cr_assert_null(t->error_message);
}

CLIENT_TEST(transactions, execute_maps_the_sdk_arguments_to_the_wire) {
    const scripted_response script[] = {{201, NULL, TX_JSON, 0}};
    script_program("tx_execute", script, COUNT(script));
    alsorn_client *client = script_client("tx_execute");
    alsorn_transaction_params params = {.from_agent = "agent_7f3k9x2m",
                                        .to_agent = "agent_2b8m4p1q",
                                        .action = "transfer_funds",
                                        .amount = 0.1 + 0.2,
                                        .currency = "USD",
                                        .memo = "Payment for data processing job"};
    alsorn_transaction *tx = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_execute(client, &params, &tx, &err), ALSORN_OK, "%s",
                 err.message);
    assert_full_transaction(tx);
    cr_assert_null(tx->audit_entry);
    cr_assert_null(tx->counterparty_trust);
    cJSON *log = script_requests("tx_execute");
    const cJSON *request = only_request(log, "POST", "/transactions");
    assert_request_body(request, "{\"agent_id\":\"agent_7f3k9x2m\",\"counterparty_id\":\"agent_2b8m4p1q\","
                         "\"action_type\":\"transfer_funds\",\"amount\":0.3,\"currency\":\"USD\","
                         "\"notes\":\"Payment for data processing job\"}");
    cr_assert(request_header(request, "Idempotency-Key"));
    cJSON_Delete(log);
    alsorn_transaction_free(tx);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, a_refused_transaction_gives_its_code_and_stored_id) {
    const scripted_response script[] = {
        {403, NULL,
         "{\"error\":{\"code\":\"insufficient_trust\",\"message\":\"Trust score 300 is below 400\","
         "\"request_id\":\"req_1\",\"transaction_id\":\"tx_failed1\"}}",
         0}};
    script_program("tx_refused", script, COUNT(script));
    alsorn_client *client = script_client("tx_refused");
    alsorn_transaction_params params = {
        .from_agent = "agent_1", .to_agent = "agent_2", .action = "pay", .amount = 5};
    alsorn_transaction *tx = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_execute(client, &params, &tx, &err), ALSORN_ERR_FORBIDDEN);
    cr_assert_null(tx);
    cr_assert_eq(err.http_status, 403);
    cr_assert_str_eq(err.code, "insufficient_trust");
    cr_assert_str_eq(err.transaction_id, "tx_failed1");
    cJSON *log = script_requests("tx_refused");
    cr_assert_eq(cJSON_GetArraySize(log), 1, "a 403 is not retried");
    cJSON_Delete(log);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, list_sends_every_filter_by_its_wire_name) {
    const scripted_response script[] = {
        {200, NULL,
         "{\"transactions\":[" TX_JSON "," TX_JSON "],\"total\":7,\"page\":2,\"limit\":2}", 0},
        {200, NULL, "{\"transactions\":[],\"total\":0,\"page\":1,\"limit\":20}", 0}};
    script_program("tx_list", script, COUNT(script));
    alsorn_client *client = script_client("tx_list");
    alsorn_transaction_list_params params = {.agent_id = "agent_7f3k9x2m",
                                             .status = "completed",
                                             .action = "transfer_funds",
                                             .min_amount = 10.5,
                                             .max_amount = 1000,
                                             .since = "2026-01-01T00:00:00Z",
                                             .until = "2026-02-01T00:00:00Z",
                                             .page = 2,
                                             .limit = 2};
    alsorn_transaction_list *list = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_list(client, &params, &list, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_eq(list->count, 2);
    cr_assert_eq(list->total, 7);
    cr_assert_eq(list->page, 2);
    cr_assert_eq(list->limit, 2);
    assert_full_transaction(&list->items[1]);
    alsorn_transaction_list_free(list);
    cr_assert_eq(alsorn_transactions_list(client, NULL, &list, &err), ALSORN_OK);
    cr_assert_eq(list->count, 0);
    alsorn_transaction_list_free(list);
    cJSON *log = script_requests("tx_list");
    const cJSON *with = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_member(with, "path"), "/transactions");
    char *query = decoded_query(with);
    cr_assert_str_eq(query, "agent_id=agent_7f3k9x2m&status=completed&action_type=transfer_funds"
                            "&min_amount=10.5&max_amount=1000&start_date=2026-01-01T00:00:00Z"
                            "&end_date=2026-02-01T00:00:00Z&page=2&limit=2");
    free(query);
    cr_assert_null(request_member(cJSON_GetArrayItem(log, 1), "query"), "unset filters are not sent");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, get_decodes_the_audit_entry_and_counterparty_trust) {
    const char *body =
        "{\"id\":\"tx_r4s5t6u7v8\",\"type\":\"transfer\",\"agent_id\":\"agent_7f3k9x2m\","
        "\"agent_name\":\"Alpha\",\"counterparty_id\":\"agent_2b8m4p1q\",\"amount\":500.25,"
        "\"currency\":\"USD\",\"action_type\":\"transfer_funds\",\"status\":\"reversed\","
        "\"permissions_checked\":true,\"audit_hash\":\"sha256:ab\",\"notes\":\"Payment\","
        "\"created_at\":\"2026-01-02T03:04:05Z\",\"reversed_at\":\"2026-01-03T03:04:05Z\","
        "\"reversal_id\":\"tx_b4c5d6\",\"reversal_reason\":\"Duplicate\","
        "\"original_transaction_id\":null,\"error_code\":null,\"error_message\":null,"
        "\"audit_entry\":" AUDIT_ENTRY_JSON ",\"counterparty_trust\":{\"agent_id\":"
        "\"agent_2b8m4p1q\",\"agent_name\":\"Beta\",\"score\":645,\"assessment\":\"Caution\"}}";
    const scripted_response script[] = {{200, NULL, body, 0}};
    script_program("tx_get", script, COUNT(script));
    alsorn_client *client = script_client("tx_get");
    alsorn_transaction *tx = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_get(client, "tx_r4s5t6u7v8", &tx, &err), ALSORN_OK, "%s",
                 err.message);
    assert_full_transaction(tx);
    cr_assert_str_eq(tx->audit_entry->action, "transaction.completed");
    cr_assert_str_eq(tx->audit_entry->actor_id, "agent_7f3k9x2m");
    cr_assert_str_eq(tx->audit_entry->payload_json, "{\"transaction_id\":\"tx_r4s5t6u7v8\"}");
    cr_assert_str_eq(tx->counterparty_trust->agent_id, "agent_2b8m4p1q");
    cr_assert_str_eq(tx->counterparty_trust->agent_name, "Beta");
    cr_assert_eq(tx->counterparty_trust->score, 645);
    cr_assert_str_eq(tx->counterparty_trust->assessment, "Caution");
    cJSON *log = script_requests("tx_get");
    only_request(log, "GET", "/transactions/tx_r4s5t6u7v8");
    cJSON_Delete(log);
    alsorn_transaction_free(tx);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, reverse_sends_the_reason_only_when_given) {
    const scripted_response script[] = {{200, NULL, TX_JSON, 0}, {200, NULL, TX_JSON, 0}};
    script_program("tx_reverse", script, COUNT(script));
    alsorn_client *client = script_client("tx_reverse");
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_transaction *rev = NULL;
    cr_assert_eq(alsorn_transactions_reverse(client, "tx_1", "Duplicate payment", &rev, &err),
                 ALSORN_OK, "%s", err.message);
    cr_assert_str_eq(rev->id, "tx_r4s5t6u7v8");
    alsorn_transaction_free(rev);
    cr_assert_eq(alsorn_transactions_reverse(client, "tx_1", NULL, NULL, &err), ALSORN_OK);
    cJSON *log = script_requests("tx_reverse");
    const cJSON *first = cJSON_GetArrayItem(log, 0), *second = cJSON_GetArrayItem(log, 1);
    cr_assert_str_eq(request_member(first, "method"), "POST");
    cr_assert_str_eq(request_member(first, "path"), "/transactions/tx_1/reverse");
    assert_request_body(first, "{\"reason\":\"Duplicate payment\"}");
    cr_assert_str_eq(request_member(second, "body"), "");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, export_writes_the_body_as_it_comes_and_nothing_on_errors) {
    const char *csv = "id,amount,notes\r\ntx_1,5,\"a, \"\"b\"\"\"\r\n";
    const scripted_response script[] = {
        {503, NULL, ERROR_JSON("service_unavailable", "try again", "req_1"), 0},
        {200, "Content-Type: text/csv\r\n", csv, 0},
        {422, NULL, ERROR_JSON("validation_error", "bad", "req_2"), 0}};
    script_program("tx_export", script, COUNT(script));
    alsorn_client *client = script_client("tx_export");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    alsorn_transaction_export_params params = {.format = "csv",
                                               .since = "2025-01-01T00:00:00Z",
                                               .until = "2025-06-01T00:00:00Z",
                                               .action = "pay",
                                               .min_amount = 1};
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_export(client, &params, out, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_eq(alsorn_transactions_export(client, NULL, out, &err), ALSORN_ERR_VALIDATION);
    fclose(out);
    cr_assert_str_eq(text, csv, "only the 200's body reaches the FILE, once");
    free(text);
    cJSON *log = script_requests("tx_export");
    cr_assert_eq(cJSON_GetArraySize(log), 3);
    const cJSON *first = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_member(first, "method"), "GET");
    cr_assert_str_eq(request_member(first, "path"), "/transactions/export");
    char *query = decoded_query(first);
    cr_assert_str_eq(query, "format=csv&since=2025-01-01T00:00:00Z&until=2025-06-01T00:00:00Z"
                            "&action_type=pay&min_amount=1");
    free(query);
    cJSON_Delete(log);
    cr_assert_eq(alsorn_transactions_export(client, NULL, NULL, &err), ALSORN_ERR_INVALID_ARGUMENT);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(transactions, a_mistyped_answer_is_a_decode_error) {
    const scripted_response script[] = {
        {201, NULL, "{\"id\":\"tx_1\",\"amount\":\"500\"}", 0},
        {200, NULL, "{\"transactions\":{},\"total\":0,\"page\":1,\"limit\":20}", 0}};
    script_program("tx_decode", script, COUNT(script));
    alsorn_client *client = script_client("tx_decode");
    alsorn_transaction_params params = {
        .from_agent = "a", .to_agent = "b", .action = "c", .amount = 1};
    alsorn_transaction *tx = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_transactions_execute(client, &params, &tx, &err), ALSORN_ERR_DECODE);
    cr_assert_null(tx);
    cr_assert(strstr(err.message, "amount"), "%s", err.message);
    alsorn_transaction_list *list = NULL;
    cr_assert_eq(alsorn_transactions_list(client, NULL, &list, &err), ALSORN_ERR_DECODE);
    cr_assert_null(list);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}
