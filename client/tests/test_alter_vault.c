/* The Alter client's vault calls (contract §7) against the scripted server: each sends its
 * route of the one table with the body of the contract, answers decode into the models,
 * retrieve mode calls the provider with the injected headers, proxy mode is sent once and
 * tells a result from an approval, and await polls until the approval settles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alter.h"
#include "leak_check.h"
#include "scripted_server.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define GRANT_ID    "5b0c2a8e-3f1d-4c7a-9e2b-6d8f1a4c3e70"
#define APPROVAL_ID "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70"
#define GRANT_JSON                                                                                 \
    "{\"grant_id\":\"" GRANT_ID "\",\"provider_id\":\"google\",\"scopes\":[\"gmail.readonly\"],"   \
    "\"account_identifier\":\"ada@example.test\",\"principal_type\":\"user\","                     \
    "\"owner_agent_id\":null,\"delegated_agent_ids\":[\"a1\",\"a2\"],\"token_type\":\"Bearer\","   \
    "\"status\":\"active\",\"created_at\":\"2026-01-02T03:04:05Z\",\"revoked_at\":null,"           \
    "\"revoke_reason\":null}"
#define APPROVAL_JSON(status, has_result)                                                          \
    "{\"approval_id\":\"" APPROVAL_ID "\",\"status\":\"" status "\",\"grant_id\":\"" GRANT_ID      \
    "\",\"agent_id\":\"a1\",\"approval_url\":\"http://sandbox/_mock/alter/approvals/x\","          \
    "\"created_at\":\"2026-01-02T03:04:05Z\",\"expires_at\":\"2026-01-02T04:04:05Z\","             \
    "\"decided_at\":null,\"decision_reason\":null,\"executed_at\":null,\"has_result\":" has_result \
    ",\"error\":null}"

static alter_agent *agent_for(const char *name) {
    alter_agent *agent = alter_agent_new("alter_key_agent_test", script_base_url(name));
    cr_assert_not_null(agent);
    alter_agent_set_max_retries(agent, 0);
    return agent;
}

CLIENT_TEST(alter_vault, grants_calls_use_their_routes_and_decode) {
    const scripted_response script[] = {
        {200, NULL,
         "{\"grants\":[" GRANT_JSON "],\"total\":3,\"limit\":1,\"offset\":1,"
         "\"has_more\":true}",
         0},
        {200, NULL, "{\"grants\":[],\"total\":0,\"limit\":100,\"offset\":0,\"has_more\":false}", 0},
        {200, NULL, GRANT_JSON, 0},
    };
    script_program("vault_grants", script, COUNT(script));
    alter_app *app = alter_app_new("alter_key_app_test", script_base_url("vault_grants"));
    alter_agent *agent = agent_for("vault_grants");
    alter_error err = ALTER_ERROR_INIT;
    alter_grant_list_params p = {
        .provider_id = "google", .include_revoked = true, .limit = 1, .offset = 1};
    alter_grant_list *list = NULL;
    cr_assert_eq(alter_grants_list(app, &p, &list, &err), ALTER_OK, "%s", err.message);
    cr_assert(list->count == 1 && list->total == 3 && list->has_more && list->offset == 1);
    const alter_grant *g = &list->items[0];
    cr_assert_str_eq(g->grant_id, GRANT_ID);
    cr_assert_str_eq(g->scopes[0], "gmail.readonly");
    cr_assert(g->delegated_count == 2 && !g->owner_agent_id && !g->revoked_at);
    cr_assert_str_eq(g->delegated_agent_ids[1], "a2");
    alter_grant_list_free(list);
    cr_assert_eq(alter_agent_list_grants(agent, NULL, &list, &err), ALTER_OK, "%s", err.message);
    cr_assert_eq(list->count, 0);
    alter_grant_list_free(list);
    alter_grant *revoked = NULL;
    cr_assert_eq(alter_grants_revoke(app, GRANT_ID, "rotated", &revoked, &err), ALTER_OK);
    alter_grant_free(revoked);
    cJSON *log = script_requests("vault_grants");
    assert_request_at(log, 0, "GET", "/sdk/grants", NULL);
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "query"),
                     "provider_id=google&include_revoked=true&limit=1&offset=1");
    assert_request_at(log, 1, "GET", "/sdk/grants", NULL);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 1), "query")));
    assert_request_at(log, 2, "POST", "/sdk/grants/" GRANT_ID "/revoke",
                      "{\"reason\":\"rotated\"}");
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_agent_free(agent);
    alter_app_free(app);
}

CLIENT_TEST(alter_vault, request_fetches_the_token_then_calls_the_provider_with_its_headers) {
    const scripted_response api[] = {
        {200, NULL,
         "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_at\":"
         "\"2026-01-02T04:04:05Z\",\"scopes\":[\"repo\"],\"grant_id\":\"" GRANT_ID "\","
         "\"inject_headers\":{\"Authorization\":\"Bearer tok-1\"}}",
         0},
    };
    const scripted_response provider[] = {
        {201, "X-Provider: scripted\r\n", "created", 0},
    };
    script_program("vault_token", api, COUNT(api));
    script_program("vault_provider", provider, COUNT(provider));
    alter_agent *agent = agent_for("vault_token");
    alter_error err = ALTER_ERROR_INIT;
    char url[256];
    snprintf(url, sizeof url, "%s/repos?page=2", script_base_url("vault_provider"));
    const alter_header_param mine[] = {{"X-Mine", "1"}};
    alter_request_params p = {.method = "POST",
                              .url = url,
                              .grant_id = GRANT_ID,
                              .headers = mine,
                              .header_count = 1,
                              .body = "data",
                              .body_len = 4,
                              .reason = "sync",
                              .context_json = "{\"job\": 9}"};
    alter_response *resp = NULL;
    cr_assert_eq(alter_agent_request(agent, &p, &resp, &err), ALTER_OK, "%s", err.message);
    cr_assert_eq(resp->status_code, 201);
    cr_assert_eq(resp->body_len, 7);
    cr_assert_str_eq((const char *)resp->body, "created");
    cr_assert_str_eq(alter_header_get(resp->headers, resp->header_count, "x-provider"), "scripted");
    alter_response_free(resp);
    cJSON *log = script_requests("vault_token");
    char want[512];
    snprintf(want, sizeof want,
             "{\"grant_id\":\"" GRANT_ID
             "\",\"method\":\"POST\",\"url\":\"%s\",\"reason\":\"sync\","
             "\"context\":{\"job\":9}}",
             url);
    assert_request_at(log, 0, "POST", "/sdk/token", want);
    cJSON_Delete(log);
    log = script_requests("vault_provider");
    const cJSON *call = assert_request_at(log, 0, "POST", "/repos", NULL);
    cr_assert_str_eq(request_member(call, "query"), "page=2");
    cr_assert_str_eq(request_member(call, "body"), "data");
    cr_assert_str_eq(request_header(call, "Authorization"), "Bearer tok-1");
    cr_assert_str_eq(request_header(call, "X-Mine"), "1");
    cr_assert_null(request_header(call, "x-api-key"), "the Alter key must not reach the provider");
    cJSON_Delete(log);
    /* caller credentials are refused before anything is sent; so is a missing field */
    const alter_header_param cookie[] = {{"Cookie", "a=b"}};
    p.headers = cookie;
    cr_assert_eq(alter_agent_request(agent, &p, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    p.headers = NULL;
    p.header_count = 0;
    p.grant_id = NULL;
    cr_assert_eq(alter_agent_request(agent, &p, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    p.grant_id = GRANT_ID;
    p.context_json = "[1]";
    cr_assert_eq(alter_agent_request(agent, &p, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    log = script_requests("vault_token");
    cr_assert_eq(cJSON_GetArraySize(log), 1, "a refused call was sent");
    cJSON_Delete(log);
    /* a provider that does not answer */
    const scripted_response again[] = {api[0]};
    script_program("vault_token", again, COUNT(again));
    p.context_json = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", closed_port());
    cr_assert_eq(alter_agent_request(agent, &p, NULL, &err), ALTER_ERR_UPSTREAM);
    cr_assert_str_eq(err.details_json, "{\"reason\":\"connection_refused\"}");
    alter_error_clear(&err);
    alter_agent_free(agent);
}

CLIENT_TEST(alter_vault, proxy_is_sent_once_and_tells_a_result_from_an_approval) {
    const scripted_response script[] = {
        {200, NULL,
         "{\"status_code\":404,\"headers\":{\"Content-Type\":\"text/plain\"},"
         "\"body_b64\":\"bm9wZQ==\",\"body_truncated\":false}",
         0},
        {202, NULL, APPROVAL_JSON("pending", "false"), 0},
        {502, NULL,
         "{\"error\":\"upstream_error\",\"message\":\"m\",\"details\":{\"reason\":"
         "\"timeout\"},\"request_id\":\"req_1\"}",
         0},
        {200, NULL,
         "{\"status_code\":200,\"headers\":{},\"body_b64\":\"%%%\","
         "\"body_truncated\":false}",
         0},
    };
    script_program("vault_proxy", script, COUNT(script));
    alter_agent *agent = agent_for("vault_proxy");
    alter_agent_set_max_retries(agent, 3); /* and still only one attempt per proxy call */
    alter_error err = ALTER_ERROR_INIT;
    const alter_header_param h[] = {{"Accept", "text/plain"}};
    alter_request_params p = {.method = "PUT",
                              .url = "http://127.0.0.1/p",
                              .grant_id = GRANT_ID,
                              .headers = h,
                              .header_count = 1,
                              .body = "\x01\x02",
                              .body_len = 2,
                              .timeout_ms = 1500};
    alter_proxy_result *r = NULL;
    cr_assert_eq(alter_agent_proxy_request(agent, &p, &r, &err), ALTER_OK, "%s", err.message);
    cr_assert(r->response && !r->approval);
    cr_assert_eq(r->response->status_code, 404);
    cr_assert_eq(r->response->body_len, 4);
    cr_assert_str_eq((const char *)r->response->body, "nope");
    alter_proxy_result_free(r);
    cr_assert_eq(alter_agent_proxy_request(agent, &p, &r, &err), ALTER_OK, "%s", err.message);
    cr_assert(r->approval && !r->response);
    cr_assert_str_eq(r->approval->approval_id, APPROVAL_ID);
    cr_assert_str_eq(r->approval->status, "pending");
    alter_proxy_result_free(r);
    cr_assert_eq(alter_agent_proxy_request(agent, &p, &r, &err), ALTER_ERR_UPSTREAM);
    cr_assert_str_eq(err.details_json, "{\"reason\":\"timeout\"}");
    cr_assert_eq(alter_agent_proxy_request(agent, &p, &r, &err), ALTER_ERR_DECODE);
    cJSON *log = script_requests("vault_proxy");
    cr_assert_eq(cJSON_GetArraySize(log), 4, "the 502 was retried");
    assert_request_at(log, 0, "POST", "/sdk/proxy",
                      "{\"grant_id\":\"" GRANT_ID
                      "\",\"method\":\"PUT\",\"url\":\"http://127.0.0.1/p\","
                      "\"headers\":{\"Accept\":\"text/plain\"},\"body_b64\":\"AQI=\","
                      "\"timeout_ms\":1500}");
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_agent_free(agent);
}

CLIENT_TEST(alter_vault, await_polls_until_the_approval_settles) {
    const scripted_response script[] = {
        {200, NULL, APPROVAL_JSON("pending", "false"), 0},
        {200, NULL, APPROVAL_JSON("executing", "false"), 0},
        {200, NULL, APPROVAL_JSON("executed", "true"), 0},
        {200, NULL,
         "{\"status_code\":200,\"headers\":{},\"body_b64\":\"b2s=\","
         "\"body_truncated\":true}",
         0},
        {409, NULL,
         "{\"error\":\"approval_not_executed\",\"message\":\"m\",\"details\":"
         "{\"status\":\"denied\"},\"request_id\":\"req_2\"}",
         0},
        {200, NULL, APPROVAL_JSON("pending", "false"), 0},
        {200, NULL, APPROVAL_JSON("pending", "false"), 0},
        {200, NULL, APPROVAL_JSON("pending", "false"), 0},
        {200, NULL, APPROVAL_JSON("pending", "false"), 0},
    };
    script_program("vault_await", script, COUNT(script));
    alter_agent *agent = agent_for("vault_await");
    alter_error err = ALTER_ERROR_INIT;
    alter_approval *a = NULL;
    cr_assert_eq(alter_await_approval(agent, APPROVAL_ID, 5000, 10, &a, &err), ALTER_OK, "%s",
                 err.message);
    cr_assert_str_eq(a->status, "executed");
    cr_assert(a->has_result);
    alter_approval_free(a);
    alter_response *resp = NULL;
    cr_assert_eq(alter_approval_result(agent, APPROVAL_ID, &resp, &err), ALTER_OK);
    cr_assert(resp->body_truncated);
    cr_assert_str_eq((const char *)resp->body, "ok");
    alter_response_free(resp);
    cr_assert_eq(alter_approval_result(agent, APPROVAL_ID, &resp, &err),
                 ALTER_ERR_APPROVAL_NOT_EXECUTED);
    cr_assert_str_eq(err.details_json, "{\"status\":\"denied\"}");
    cr_assert_eq(alter_await_approval(agent, APPROVAL_ID, 30, 10, &a, &err), ALTER_ERR_TIMEOUT);
    cr_assert_str_eq(a->status, "pending", "the last state seen comes back with the timeout");
    alter_approval_free(a);
    cr_assert_eq(alter_await_approval(agent, APPROVAL_ID, -1, 10, &a, &err),
                 ALTER_ERR_INVALID_ARGUMENT);
    cJSON *log = script_requests("vault_await");
    for (int i = 0; i < 3; i++)
        assert_request_at(log, i, "GET", "/sdk/approvals/" APPROVAL_ID, NULL);
    assert_request_at(log, 3, "GET", "/sdk/approvals/" APPROVAL_ID "/result", NULL);
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_agent_free(agent);
}
