/* Alter §7 retrieve mode: POST /sdk/token hands the agent the grant's credential and the
 * headers to inject; the agent (here the reference client's alter_agent_request) calls the
 * provider itself, and the credential arrives there. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>

#include "alter.h"

static struct tenant T;

Test(alter_vault_retrieve, token_returns_the_credential_and_the_headers_to_inject) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "retriever", NULL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_retrieve_1");
    const char *headers[] = {"X-Alter-Run-Id: run-token", "X-Alter-Thread-Id: th-1",
                             "X-Alter-Trace-step: fetch", NULL};
    struct http_resp r;
    vault_post("/sdk/token", jstr(a, "api_key"),
               vault_body(jstr(g, "grant_id"), "GET", "https://api.github.example/user",
                          "\"reason\": \"read the profile\", \"context\": {\"ticket\": 42}"),
               headers, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "access_token"), "gho_retrieve_1");
    cr_assert_str_eq(jstr(r.json, "token_type"), "Bearer");
    cr_assert_str_eq(jstr(r.json, "grant_id"), jstr(g, "grant_id"));
    cr_assert(is_rfc3339_utc_seconds(jstr(r.json, "expires_at")));
    const char *scopes[] = {"repo", "read:user"};
    cr_assert(json_strings_equal(jarr(r.json, "scopes"), scopes, 2));
    cr_assert_str_eq(jstr(jobj(r.json, "inject_headers"), "Authorization"),
                     "Bearer gho_retrieve_1");
    /* its audit row: token.retrieved with the grant, the target and the trace */
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "token.retrieved");
    cr_assert_str_eq(jstr(row, "outcome"), "success");
    cr_assert_str_eq(jstr(row, "grant_id"), jstr(g, "grant_id"));
    cr_assert_str_eq(jstr(row, "agent_id"), jstr(a, "id"));
    cr_assert_str_eq(jstr(row, "run_id"), "run-token");
    cr_assert_str_eq(jstr(row, "thread_id"), "th-1");
    cr_assert_str_eq(jstr(jobj(row, "trace"), "step"), "fetch");
    cr_assert_str_eq(jstr(jobj(row, "details"), "url"), "https://api.github.example/user");
    cr_assert_str_eq(jstr(jobj(row, "details"), "reason"), "read the profile");
    char *text = cJSON_PrintUnformatted(row);
    cr_assert(!strstr(text, "gho_retrieve_1"), "the credential is on the audit row: %s", text);
    free(text);
    cJSON_Delete(row);
    http_resp_free(&r);
    cJSON_Delete(g);
    cJSON_Delete(a);
}

Test(alter_vault_retrieve, token_checks_its_body_and_needs_a_key) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "strict", NULL);
    const char *key = jstr(a, "api_key");
    const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"method\": \"GET\", \"url\": \"http://127.0.0.1/\"}", "grant_id"},
        {"{\"grant_id\": \"g\", \"url\": \"http://127.0.0.1/\"}", "method"},
        {"{\"grant_id\": \"g\", \"method\": \"FETCH\", \"url\": \"http://127.0.0.1/\"}", "method"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\"}", "url"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\", \"url\": \"/relative\"}", "url"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\", \"url\": \"ftp://127.0.0.1/x\"}", "url"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\", \"url\": \"http://u:p@127.0.0.1/\"}", "url"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\", \"url\": \"http://127.0.0.1/\", "
         "\"reason\": 7}",
         "reason"},
        {"{\"grant_id\": \"g\", \"method\": \"GET\", \"url\": \"http://127.0.0.1/\", "
         "\"context\": [1]}",
         "context"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        alter_call_field_error("POST", "/sdk/token", key, bad[i].body, NULL, bad[i].field);
    alter_call_error("POST", "/sdk/token", key, NULL, NULL, 400, "invalid_json");
    /* the app acting as the agent (a bare app key, the app itself: alter_vault_app.c) */
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_x");
    const char *body = vault_body(jstr(g, "grant_id"), "GET", "http://127.0.0.1/", NULL);
    const char *as_agent[] = {fmt("X-Alter-Caller: %s", jstr(a, "id")), NULL};
    struct http_resp r;
    vault_post("/sdk/token", alter_key(&T), body, as_agent, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "access_token"), "gho_x");
    http_resp_free(&r);
    alter_call_error("POST", "/sdk/token", NULL, body, NULL, 401, "missing_key");
    cJSON_Delete(g);
    cJSON_Delete(a);
}

Test(alter_vault_retrieve, the_client_calls_the_provider_itself_with_the_injected_credential) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "caller", NULL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_client_2");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_client_2");
    alter_agent *agent = alter_agent_new(jstr(a, "api_key"), alter_base_url());
    alter_error err = ALTER_ERROR_INIT;
    alter_trace run = {.run_id = fmt("run-%s", T.tag)};
    cr_assert_eq(alter_trace_begin(agent, &run), ALTER_OK);
    const alter_header_param mine[] = {{"X-Request-Kind", "profile"},
                                       {"Content-Type", "text/plain"}};
    alter_request_params rp = {.method = "PUT",
                               .url = fmt("%s/echo/user?x=1", p.url),
                               .grant_id = jstr(g, "grant_id"),
                               .headers = mine,
                               .header_count = 2,
                               .body = "hello provider",
                               .body_len = 14};
    alter_response *resp = NULL;
    alter_status st = alter_agent_request(agent, &rp, &resp, &err);
    cr_assert_eq(st, ALTER_OK, "%s: %s", alter_status_name(st), err.message);
    cr_assert_eq(resp->status_code, 200, "the provider refused the credential: %s", resp->body);
    cr_assert_str_eq(alter_header_get(resp->headers, resp->header_count, "x-provider"), "fake");
    cJSON *echo = cJSON_Parse((const char *)resp->body);
    cr_assert_str_eq(jstr(echo, "authorization"), "Bearer gho_client_2");
    cr_assert_str_eq(jstr(echo, "method"), "PUT");
    cr_assert_str_eq(jstr(echo, "path"), "/echo/user");
    cr_assert_str_eq(jstr(echo, "query"), "x=1");
    cr_assert_str_eq(jstr(jobj(echo, "headers"), "x-request-kind"), "profile");
    cr_assert_str_eq(jstr(jobj(echo, "headers"), "content-type"), "text/plain");
    cr_assert_str_eq(jstr(echo, "body_b64"), "aGVsbG8gcHJvdmlkZXI="); /* "hello provider" */
    cJSON_Delete(echo);
    alter_response_free(resp);
    cr_assert_eq(fake_provider_hits(&p), 1, "the provider was called once");
    /* a provider answer of any status is the answer */
    rp.url = fmt("%s/status/418", p.url);
    rp.body = NULL;
    rp.body_len = 0;
    cr_assert_eq(alter_agent_request(agent, &rp, &resp, &err), ALTER_OK, "%s", err.message);
    cr_assert_eq(resp->status_code, 418);
    alter_response_free(resp);
    /* no answer: ALTER_ERR_UPSTREAM with the reason */
    rp.url = fmt("%s/hang", p.url);
    rp.timeout_ms = 300;
    cr_assert_eq(alter_agent_request(agent, &rp, &resp, &err), ALTER_ERR_UPSTREAM);
    cr_assert(err.details_json && strstr(err.details_json, "\"timeout\""), "%s",
              err.details_json ? err.details_json : "(no details)");
    /* credentials of the caller's own are refused before anything is sent */
    const alter_header_param cookie[] = {{"cookie", "session=1"}};
    rp.headers = cookie;
    rp.header_count = 1;
    int hits = fake_provider_hits(&p);
    cr_assert_eq(alter_agent_request(agent, &rp, &resp, &err), ALTER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fake_provider_hits(&p), hits);
    /* typed errors of the token step */
    rp.headers = NULL;
    rp.header_count = 0;
    rp.grant_id = "00000000-0000-4000-8000-000000000000";
    cr_assert_eq(alter_agent_request(agent, &rp, &resp, &err), ALTER_ERR_GRANT_NOT_FOUND);
    cr_assert_str_eq(alter_error_class(err.status), "GrantNotFoundError");
    alter_trace_end(agent);
    alter_error_clear(&err);
    alter_agent_free(agent);
    /* the token fetch carried the trace scope */
    cJSON *rows = alter_audit_all(&T, fmt("run_id=run-%s&action=token.retrieved", T.tag));
    cr_assert_geq(cJSON_GetArraySize(rows), 3, "every token fetch of the scope is on the chain");
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(rows, 0), "grant_id"), jstr(g, "grant_id"));
    cJSON_Delete(rows);
    fake_provider_stop(&p);
    cJSON_Delete(g);
    cJSON_Delete(a);
}
