/* Each agents call sends the method, path, query and body of contract §3, and decodes the
 * answer into every field of the model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void assert_full_agent(const alsorn_agent *a) {
    cr_assert_str_eq(a->id, "agent_7f3k9x2m");
    cr_assert_str_eq(a->name, "Trading Agent Alpha");
    cr_assert_null(a->description);
    cr_assert_str_eq(a->fingerprint,
                     "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    cr_assert_str_eq(a->environment, "production");
    cr_assert_str_eq(a->status, "active");
    cr_assert_eq(a->authorized_action_count, 2);
    cr_assert_str_eq(a->authorized_actions[0], "execute_trades");
    cr_assert_str_eq(a->authorized_actions[1], "transfer_funds");
    cr_assert_float_eq(a->spending_limit, 50000.07, 1e-9);
    cr_assert_eq(a->spending_limit_cents, 5000007LL);
    cr_assert_str_eq(a->currency, "USD");
    cr_assert_str_eq(a->org_id, "org_a1");
    cr_assert_str_eq(a->owner_id, "user_b2");
    cr_assert_str_eq(a->created_at, "2026-01-02T03:04:05Z");
    cr_assert_str_eq(a->updated_at, "2026-01-03T03:04:05Z");
    cr_assert_null(a->suspended_at);
    cr_assert_null(a->deleted_at);
    const alsorn_trust_record *t = a->trust_record;
    cr_assert(t);
    cr_assert_str_eq(t->id, "tr_c3");
    cr_assert_str_eq(t->agent_id, "agent_7f3k9x2m");
    cr_assert_eq(t->score, 500);
    cr_assert_eq(t->total_tasks, 7);
    cr_assert_eq(t->disputes, 1);
    cr_assert_float_eq(t->completion_rate, 0.86, 1e-12);
    cr_assert_eq(t->tenure_days, 12);
    cr_assert(t->operator_verified);
    cr_assert_str_eq(t->last_evaluated, "2026-01-03T00:00:00Z");
}

CLIENT_TEST(agents, register_sends_every_given_field_and_decodes_the_agent) {
    const scripted_response script[] = {{201, NULL, AGENT_JSON, 0}};
    script_program("register", script, COUNT(script));
    alsorn_client *client = script_client("register");
    const char *actions[] = {"execute_trades", "transfer_funds"};
    alsorn_agent_params params = {
        .name = "Trading Agent Alpha",
        .description = "trades",
        .authorized_actions = actions,
        .authorized_action_count = 2,
        .spending_limit = 50000,
        .currency = "USD",
        .environment = "sandbox",
    };
    alsorn_agent *agent = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_register(client, &params, &agent, &err), ALSORN_OK, "%s",
                 err.message);
    assert_full_agent(agent);
    cJSON *log = script_requests("register");
    const cJSON *request = only_request(log, "POST", "/agents");
    assert_request_body(request, "{\"name\":\"Trading Agent Alpha\",\"description\":\"trades\","
                         "\"authorized_actions\":[\"execute_trades\",\"transfer_funds\"],"
                         "\"spending_limit\":50000,\"currency\":\"USD\","
                         "\"environment\":\"sandbox\"}");
    cr_assert(request_header(request, "Idempotency-Key"));
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, register_leaves_out_unset_fields) {
    const scripted_response script[] = {{201, NULL, AGENT_JSON, 0}};
    script_program("register_min", script, COUNT(script));
    alsorn_client *client = script_client("register_min");
    alsorn_agent_params params = {.name = "Alpha"};

    cr_assert_eq(alsorn_agents_register(client, &params, NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("register_min");
    assert_request_body(only_request(log, "POST", "/agents"), "{\"name\":\"Alpha\"}");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, money_goes_out_as_the_exact_decimal) {
    const scripted_response script[] = {{201, NULL, AGENT_JSON, 0}};
    script_program("money", script, COUNT(script));
    alsorn_client *client = script_client("money");
    volatile double tenth = 0.1, fifth = 0.2; /* volatile: no compile-time folding */
    alsorn_agent_params params = {.name = "Alpha", .spending_limit = tenth + fifth};
    cr_assert_neq(params.spending_limit, 0.3, "the test needs the inexact sum");

    cr_assert_eq(alsorn_agents_register(client, &params, NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("money");
    const char *body = request_member(only_request(log, "POST", "/agents"), "body");
    cr_assert(strstr(body, "\"spending_limit\":0.3}"), "body %s", body);
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, list_sends_the_filters_and_decodes_the_page) {
    char body[4096];
    snprintf(body, sizeof body,
             "{\"data\":[%s,%s],\"pagination\":{\"page\":2,\"limit\":2,\"total\":5,"
             "\"total_pages\":3}}",
             AGENT_JSON, AGENT_JSON);
    const scripted_response script[] = {{200, NULL, body, 0}};
    script_program("list", script, COUNT(script));
    alsorn_client *client = script_client("list");
    alsorn_agent_list_params params = {
        .status = "active", .environment = "sandbox", .search = "a&b c", .page = 2, .limit = 2};
    alsorn_agent_list *list = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_list(client, &params, &list, &err), ALSORN_OK, "%s", err.message);
    cr_assert_eq(list->count, 2);
    assert_full_agent(&list->items[0]);
    assert_full_agent(&list->items[1]);
    cr_assert_eq(list->page, 2);
    cr_assert_eq(list->limit, 2);
    cr_assert_eq(list->total, 5);
    cr_assert_eq(list->total_pages, 3);

    cJSON *log = script_requests("list");
    const cJSON *request = only_request(log, "GET", "/agents");
    /* "a&b c" must stay one parameter: its '&' escaped, its space a '+' */
    cr_assert_str_eq(request_member(request, "query"),
                     "status=active&environment=sandbox&search=a%26b+c&page=2&limit=2");
    cJSON_Delete(log);
    alsorn_agent_list_free(list);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, list_without_params_sends_no_query) {
    const scripted_response script[] = {
        {200, NULL,
         "{\"data\":[],\"pagination\":{\"page\":1,\"limit\":20,\"total\":0,\"total_pages\":0}}",
         0}};
    script_program("list_plain", script, COUNT(script));
    alsorn_client *client = script_client("list_plain");
    alsorn_agent_list *list = NULL;

    cr_assert_eq(alsorn_agents_list(client, NULL, &list, NULL), ALSORN_OK);
    cr_assert_eq(list->count, 0);
    cr_assert_eq(list->limit, 20);
    cJSON *log = script_requests("list_plain");
    cr_assert_null(request_member(only_request(log, "GET", "/agents"), "query"));
    cJSON_Delete(log);
    alsorn_agent_list_free(list);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, list_rejects_a_body_of_the_wrong_shape) {
    const scripted_response script[] = {{200, NULL, "{\"agents\":[]}", 0}};
    script_program("list_shape", script, COUNT(script));
    alsorn_client *client = script_client("list_shape");
    alsorn_agent_list *list = NULL;

    cr_assert_eq(alsorn_agents_list(client, NULL, &list, NULL), ALSORN_ERR_DECODE);
    cr_assert_null(list);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, get_puts_the_id_in_the_path_escaped) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}, {200, NULL, AGENT_JSON, 0}};
    script_program("get", script, COUNT(script));
    alsorn_client *client = script_client("get");
    alsorn_agent *agent = NULL;

    cr_assert_eq(alsorn_agents_get(client, "agent_7f3k9x2m", &agent, NULL), ALSORN_OK);
    assert_full_agent(agent);
    /* unescaped, "?" would start a query and the server would see the path "/agents/a" */
    cr_assert_eq(alsorn_agents_get(client, "a?b c", NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("get");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "path"), "/agents/agent_7f3k9x2m");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 1), "path"), "/agents/a?b c");
    cr_assert_null(request_member(cJSON_GetArrayItem(log, 1), "query"));
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, a_missing_id_is_refused_before_sending) {
    script_program("no_id", NULL, 0);
    alsorn_client *client = script_client("no_id");
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, NULL, NULL, &err), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alsorn_agents_suspend(client, "", NULL, &err), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alsorn_agents_register(client, NULL, NULL, &err), ALSORN_ERR_INVALID_ARGUMENT);
    cJSON *log = script_requests("no_id");
    cr_assert_eq(cJSON_GetArraySize(log), 0);
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, update_sends_only_the_fields_set) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}, {200, NULL, AGENT_JSON, 0}};
    script_program("update", script, COUNT(script));
    alsorn_client *client = script_client("update");
    alsorn_agent_update rename = {.name = "renamed-agent", .spending_limit = 20000};
    const char *actions[] = {"transfer_funds"};
    alsorn_agent_update other = {.description = "",
                                 .authorized_actions = actions,
                                 .authorized_action_count = 1,
                                 .currency = "EUR"};

    cr_assert_eq(alsorn_agents_update(client, "agent_1", &rename, NULL, NULL), ALSORN_OK);
    cr_assert_eq(alsorn_agents_update(client, "agent_1", &other, NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("update");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    const cJSON *first = cJSON_GetArrayItem(log, 0), *second = cJSON_GetArrayItem(log, 1);
    cr_assert_str_eq(request_member(first, "method"), "PATCH");
    cr_assert_str_eq(request_member(first, "path"), "/agents/agent_1");
    assert_request_body(first, "{\"name\":\"renamed-agent\",\"spending_limit\":20000}");
    assert_request_body(second, "{\"description\":\"\",\"authorized_actions\":[\"transfer_funds\"],"
                        "\"currency\":\"EUR\"}");
    cr_assert_null(request_header(first, "Idempotency-Key"), "only POSTs carry one");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

/* suspend and reactivate: a POST without a body, so no Content-Type, but a key. */
static void assert_bodiless_post(const char *name, const char *path,
                                 alsorn_status (*call)(alsorn_client *, const char *,
                                                       alsorn_agent **, alsorn_error *)) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}};
    script_program(name, script, COUNT(script));
    alsorn_client *client = script_client(name);
    alsorn_agent *agent = NULL;

    cr_assert_eq(call(client, "agent_1", &agent, NULL), ALSORN_OK);
    cr_assert_str_eq(agent->id, "agent_7f3k9x2m");
    cJSON *log = script_requests(name);
    const cJSON *request = only_request(log, "POST", path);
    cr_assert_str_eq(request_member(request, "body"), "");
    cr_assert_null(request_header(request, "Content-Type"));
    cr_assert(request_header(request, "Idempotency-Key"));
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, suspend) {
    assert_bodiless_post("suspend", "/agents/agent_1/suspend", alsorn_agents_suspend);
}

CLIENT_TEST(agents, reactivate) {
    assert_bodiless_post("reactivate", "/agents/agent_1/reactivate", alsorn_agents_reactivate);
}

CLIENT_TEST(agents, delete_is_a_soft_delete_returning_the_agent) {
    const char *deleted = "{\"id\":\"agent_1\",\"status\":\"deleted\","
                          "\"deleted_at\":\"2026-02-01T00:00:00Z\",\"spending_limit\":10}";
    const scripted_response script[] = {{200, NULL, deleted, 0}};
    script_program("delete", script, COUNT(script));
    alsorn_client *client = script_client("delete");
    alsorn_agent *agent = NULL;

    cr_assert_eq(alsorn_agents_delete(client, "agent_1", &agent, NULL), ALSORN_OK);
    cr_assert_str_eq(agent->status, "deleted");
    cr_assert_str_eq(agent->deleted_at, "2026-02-01T00:00:00Z");
    cr_assert_null(agent->trust_record);
    cr_assert_eq(agent->spending_limit_cents, 1000);
    cJSON *log = script_requests("delete");
    const cJSON *request = only_request(log, "DELETE", "/agents/agent_1");
    cr_assert_null(request_header(request, "Idempotency-Key"));
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, verify_sends_the_fingerprint_and_decodes_the_result) {
    const char *answer =
        "{\"id\":\"agent_1\",\"name\":\"Alpha\",\"fingerprint\":\"sha256:ab12\","
        "\"environment\":\"production\",\"status\":\"active\",\"org_name\":\"Acme\","
        "\"trust_score\":640,\"operator_verified\":true,\"created_at\":\"2026-01-01T00:00:00Z\","
        "\"verified\":true}";
    const scripted_response script[] = {{200, NULL, answer, 0}, {200, NULL, answer, 0}};
    script_program("verify", script, COUNT(script));
    alsorn_client *client = script_client("verify");
    alsorn_verification *v = NULL;

    cr_assert_eq(alsorn_agents_verify(client, "agent_1", "sha256:ab12", &v, NULL), ALSORN_OK);
    cr_assert_str_eq(v->id, "agent_1");
    cr_assert_str_eq(v->name, "Alpha");
    cr_assert_str_eq(v->fingerprint, "sha256:ab12");
    cr_assert_str_eq(v->environment, "production");
    cr_assert_str_eq(v->status, "active");
    cr_assert_str_eq(v->org_name, "Acme");
    cr_assert_eq(v->trust_score, 640);
    cr_assert(v->operator_verified);
    cr_assert_str_eq(v->created_at, "2026-01-01T00:00:00Z");
    cr_assert(v->verified);
    cr_assert_eq(alsorn_agents_verify(client, "agent_1", NULL, NULL, NULL), ALSORN_OK);

    cJSON *log = script_requests("verify");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    const cJSON *with = cJSON_GetArrayItem(log, 0), *without = cJSON_GetArrayItem(log, 1);
    cr_assert_str_eq(request_member(with, "method"), "GET");
    cr_assert_str_eq(request_member(with, "path"), "/agents/agent_1/verify");
    char *query = decoded_query(with);
    cr_assert_str_eq(query, "fingerprint=sha256:ab12");
    free(query);
    cr_assert_null(request_member(without, "query"));
    cJSON_Delete(log);
    alsorn_verification_free(v);
    alsorn_client_free(client);
}

CLIENT_TEST(agents, verify_without_the_verdict_is_a_decode_error) {
    const scripted_response script[] = {{200, NULL, "{\"id\":\"agent_1\"}", 0}};
    script_program("verify_missing", script, COUNT(script));
    alsorn_client *client = script_client("verify_missing");
    alsorn_verification *v = NULL;

    cr_assert_eq(alsorn_agents_verify(client, "agent_1", NULL, &v, NULL), ALSORN_ERR_DECODE);
    cr_assert_null(v);
    alsorn_client_free(client);
}
