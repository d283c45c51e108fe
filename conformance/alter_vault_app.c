/* Alter §7, the app itself in the vault (App.request() / App.proxy_request()): a bare app
 * key, no X-Alter-Caller, may use any non-revoked grant of its app, delegated or not; no
 * agent's policy applies; the audit row says caller_type "app".  An agent key, or the app
 * key with X-Alter-Caller, is still held to the agent's delegation and policy. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>

#include "alter.h"

static struct tenant T;

/* A policy that refuses every vaulted call of the agent it is on, from this machine. */
#define DENY_ALL "{\"ip_allowlist\": [\"10.0.0.0/8\"], \"require_approval\": true}"

Test(alter_vault_app, the_app_key_retrieves_any_live_grant_of_its_app) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "fenced", DENY_ALL);
    /* one grant delegated to nobody, one to an agent whose policy refuses everything */
    cJSON *undelegated = vault_user_grant(&T, "[]", "gho_app_own");
    cJSON *fenced = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_app_fenced");
    const char *trace[] = {"X-Alter-Run-Id: run-app-vault", NULL};
    struct http_resp r;
    vault_post("/sdk/token", alter_key(&T),
               vault_body(jstr(undelegated, "grant_id"), "GET", "https://api.github.example/user",
                          "\"reason\": \"app report\""),
               trace, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "access_token"), "gho_app_own");
    cr_assert_str_eq(jstr(jobj(r.json, "inject_headers"), "Authorization"), "Bearer gho_app_own");
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    char *text = cJSON_PrintUnformatted(row);
    cr_assert_str_eq(jstr(row, "action"), "token.retrieved", "%s", text);
    cr_assert_str_eq(jstr(row, "outcome"), "success", "%s", text);
    cr_assert_str_eq(jstr(row, "caller_type"), "app", "%s", text);
    cr_assert(jnull(row, "agent_id"), "the app is no agent: %s", text);
    cr_assert_str_eq(jstr(row, "grant_id"), jstr(undelegated, "grant_id"));
    cr_assert_str_eq(jstr(row, "run_id"), "run-app-vault");
    expect_key_prefix_of(jstr(row, "caller_key_prefix"), alter_key(&T));
    free(text);
    cJSON_Delete(row);
    http_resp_free(&r);

    /* the agent's policy is the agent's: the app is not held to it */
    const char *fenced_body =
        vault_body(jstr(fenced, "grant_id"), "GET", "https://api.github.example/user", NULL);
    vault_post("/sdk/token", alter_key(&T), fenced_body, NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "access_token"), "gho_app_fenced");
    http_resp_free(&r);
    /* ...while the agent, and the app acting as the agent, still are */
    alter_call_error("POST", "/sdk/token", jstr(a, "api_key"), fenced_body, NULL, 403,
                     "policy_violation");
    const char *as_agent[] = {fmt("X-Alter-Caller: %s", jstr(a, "id")), NULL};
    alter_call_error("POST", "/sdk/token", alter_key(&T), fenced_body, as_agent, 403,
                     "policy_violation");
    /* and an agent still sees only grants delegated to it */
    cJSON *b = vault_agent(&T, "plain", NULL);
    alter_call_error("POST", "/sdk/token", jstr(b, "api_key"),
                     vault_body(jstr(undelegated, "grant_id"), "GET", "http://127.0.0.1/", NULL),
                     NULL, 403, "no_delegated_grant");

    /* a revoked grant, an unknown one, another app's: refused to the app too */
    cJSON_Delete(alter_expect("POST", fmt("/sdk/grants/%s/revoke", jstr(undelegated, "grant_id")),
                              alter_key(&T), "{\"reason\": \"rotated\"}", 200));
    alter_call_error("POST", "/sdk/token", alter_key(&T),
                     vault_body(jstr(undelegated, "grant_id"), "GET", "http://127.0.0.1/", NULL),
                     NULL, 410, "grant_revoked");
    alter_call_error("POST", "/sdk/token", alter_key(&T),
                     vault_body("00000000-0000-4000-8000-000000000000", "GET", "http://127.0.0.1/",
                                NULL),
                     NULL, 404, "grant_not_found");
    struct tenant other;
    tenant_new(&other);
    cJSON *theirs = vault_user_grant(&other, "[]", "gho_theirs");
    alter_call_error("POST", "/sdk/token", alter_key(&T),
                     vault_body(jstr(theirs, "grant_id"), "GET", "http://127.0.0.1/", NULL), NULL,
                     404, "grant_not_found");
    VAULT_DELETE(a, b, undelegated, fenced, theirs);
}

Test(alter_vault_app, the_app_key_proxies_without_an_agents_policy_or_approval) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "approver", DENY_ALL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_app_proxy");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_app_proxy");
    struct http_resp r;
    vault_post("/sdk/proxy", alter_key(&T),
               vault_body(jstr(g, "grant_id"), "GET", fmt("%s/echo/app", p.url), NULL), NULL, &r);
    expect_status(&r, 200); /* not 202: approvals are an agent's policy */
    cr_assert_eq(jnum(r.json, "status_code"), 200, "%s", resp_excerpt(&r));
    cJSON *echo = vault_echo_of(r.json);
    cr_assert_str_eq(jstr(echo, "authorization"), "Bearer gho_app_proxy");
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "proxy.executed");
    cr_assert_str_eq(jstr(row, "caller_type"), "app");
    cr_assert(jnull(row, "agent_id"));
    cJSON_Delete(row);
    cJSON_Delete(echo);
    http_resp_free(&r);
    /* the agent itself is refused by its policy, and the provider is not called */
    int hits = fake_provider_hits(&p);
    alter_call_error("POST", "/sdk/proxy", jstr(a, "api_key"),
                     vault_body(jstr(g, "grant_id"), "GET", fmt("%s/echo/app", p.url), NULL), NULL,
                     403, "policy_violation");
    cr_assert_eq(fake_provider_hits(&p), hits);
    fake_provider_stop(&p);
    VAULT_DELETE(a, g);
}

Test(alter_vault_app, the_client_calls_the_vault_as_the_app) {
    tenant_new(&T);
    cJSON *g = vault_user_grant(&T, "[]", "gho_app_client");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_app_client");
    alter_app *app = alter_app_new(alter_key(&T), alter_base_url());
    cr_assert_not_null(app);
    alter_error err = ALTER_ERROR_INIT;
    alter_request_params rp = {.method = "GET",
                               .url = fmt("%s/echo/retrieve", p.url),
                               .grant_id = jstr(g, "grant_id"),
                               .reason = "nightly export"};
    /* retrieve mode: the client calls the provider itself */
    alter_response *resp = NULL;
    alter_status st = alter_app_request(app, &rp, &resp, &err);
    cr_assert_eq(st, ALTER_OK, "%s: %s", alter_status_name(st), err.message);
    cr_assert_eq(resp->status_code, 200, "%s", resp->body);
    cJSON *echo = cJSON_Parse((const char *)resp->body);
    cr_assert_str_eq(jstr(echo, "path"), "/echo/retrieve");
    cJSON_Delete(echo);
    alter_response_free(resp);
    /* the credential alone */
    alter_token *token = NULL;
    cr_assert_eq(alter_app_token(app, &rp, &token, &err), ALTER_OK, "%s", err.message);
    cr_assert_str_eq(token->access_token, "gho_app_client");
    alter_token_free(token);
    /* proxy mode: the server calls it */
    rp.url = fmt("%s/echo/proxied", p.url);
    alter_proxy_result *result = NULL;
    st = alter_app_proxy_request(app, &rp, &result, &err);
    cr_assert_eq(st, ALTER_OK, "%s: %s", alter_status_name(st), err.message);
    cr_assert_not_null(result->response, "the app's call waited for an approval");
    cr_assert_eq(result->response->status_code, 200);
    alter_proxy_result_free(result);
    cr_assert_eq(fake_provider_hits(&p), 2);
    /* a typed error for a grant the app does not have */
    rp.grant_id = "00000000-0000-4000-8000-000000000000";
    cr_assert_eq(alter_app_request(app, &rp, &resp, &err), ALTER_ERR_GRANT_NOT_FOUND);
    cr_assert_eq(alter_app_proxy_request(app, &rp, &result, &err), ALTER_ERR_GRANT_NOT_FOUND);
    cr_assert_eq(alter_app_token(NULL, &rp, &token, &err), ALTER_ERR_INVALID_ARGUMENT);
    alter_app_free(app);
    fake_provider_stop(&p);
    cJSON_Delete(g);
}
