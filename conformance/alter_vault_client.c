/* The reference client's vault calls (client/include/alter.h §7) end to end: an agent inside a
 * trace scope lists its grants, calls a provider in retrieve mode and in proxy mode, waits for
 * an approval and reads its result; every §7 error arrives as its own status. */
#include "alter_vault_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alter.h"

static struct tenant T;

static void expect_ok(alter_status st, const alter_error *err, const char *what) {
    cr_assert_eq(st, ALTER_OK, "%s: %s (HTTP %ld, %s: %s)", what, alter_status_name(st),
                 err->http_status, err->code, err->message);
}

static void expect_status_is(alter_status st, alter_status want, const alter_error *err,
                             const char *what) {
    cr_assert_eq(st, want, "%s: expected %s, got %s (HTTP %ld, %s: %s)", what,
                 alter_status_name(want), alter_status_name(st), err->http_status, err->code,
                 err->message);
}

Test(alter_vault_client, an_agent_uses_its_grants_in_both_modes_inside_a_trace_scope) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "sdk-agent", NULL), *other = vault_agent(&T, "sdk-other", NULL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_sdk");
    cJSON *not_mine = vault_agent_grant(&T, jstr(other, "id"), "sk_other");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_sdk");
    alter_app *app = alter_app_new(alter_key(&T), alter_base_url());
    alter_agent *agent = alter_app_get_agent(app, jstr(a, "id"));
    alter_error err = ALTER_ERROR_INIT;
    char run_id[64];
    snprintf(run_id, sizeof run_id, "sdk-%s", T.tag);
    alter_trace run = {.run_id = run_id, .thread_id = "t1"};
    expect_ok(alter_trace_begin(agent, &run), &err, "trace");

    alter_grant_list *mine = NULL;
    expect_ok(alter_agent_list_grants(agent, NULL, &mine, &err), &err, "agent grants");
    cr_assert(mine->count == 1 && mine->total == 1 && !mine->has_more);
    cr_assert_str_eq(mine->items[0].grant_id, jstr(g, "grant_id"));
    cr_assert_str_eq(mine->items[0].principal_type, "user");
    cr_assert(mine->items[0].scope_count == 2 && mine->items[0].delegated_count == 1);
    cr_assert_null(mine->items[0].owner_agent_id);
    alter_grant_list_free(mine);
    alter_grant_list *all = NULL;
    alter_grant_list_params lp = {.provider_id = "stripe"};
    expect_ok(alter_grants_list(app, &lp, &all, &err), &err, "app grants");
    cr_assert(all->count == 1);
    cr_assert_str_eq(all->items[0].owner_agent_id, jstr(other, "id"));
    alter_grant_list_free(all);

    /* retrieve mode */
    alter_request_params rp = {
        .method = "GET", .url = fmt("%s/echo/me", p.url), .grant_id = jstr(g, "grant_id")};
    alter_token *token = NULL;
    expect_ok(alter_agent_token(agent, &rp, &token, &err), &err, "token");
    cr_assert_str_eq(token->access_token, "gho_sdk");
    cr_assert_str_eq(
        alter_header_get(token->inject_headers, token->inject_header_count, "authorization"),
        "Bearer gho_sdk");
    alter_token_free(token);
    alter_response *resp = NULL;
    expect_ok(alter_agent_request(agent, &rp, &resp, &err), &err, "request");
    cr_assert_eq(resp->status_code, 200, "%s", resp->body);
    alter_response_free(resp);

    /* proxy mode */
    const alter_header_param accept[] = {{"Accept", "application/json"}};
    alter_request_params pp = {.method = "POST",
                               .url = fmt("%s/echo/proxied", p.url),
                               .grant_id = jstr(g, "grant_id"),
                               .headers = accept,
                               .header_count = 1,
                               .body = "{\"n\":1}",
                               .body_len = 7,
                               .reason = "sdk test",
                               .context_json = "{\"step\": 3}"};
    alter_proxy_result *pr = NULL;
    expect_ok(alter_agent_proxy_request(agent, &pp, &pr, &err), &err, "proxy");
    cr_assert(pr->response && !pr->approval);
    cr_assert_eq(pr->response->status_code, 200);
    cJSON *echo = cJSON_Parse((const char *)pr->response->body);
    cr_assert_str_eq(jstr(echo, "authorization"), "Bearer gho_sdk");
    cr_assert_str_eq(jstr(echo, "body_b64"), "eyJuIjoxfQ==");
    cr_assert_str_eq(jstr(jobj(echo, "headers"), "accept"), "application/json");
    cJSON_Delete(echo);
    alter_proxy_result_free(pr);

    /* typed errors of §7 */
    alter_request_params bad = rp;
    bad.grant_id = jstr(not_mine, "grant_id");
    expect_status_is(alter_agent_proxy_request(agent, &bad, NULL, &err),
                     ALTER_ERR_NO_DELEGATED_GRANT, &err, "not delegated");
    cr_assert_str_eq(alter_error_class(err.status), "NoDelegatedGrantError");
    bad.grant_id = "00000000-0000-4000-8000-000000000000";
    expect_status_is(alter_agent_token(agent, &bad, NULL, &err), ALTER_ERR_GRANT_NOT_FOUND, &err,
                     "unknown grant");
    const alter_header_param auth[] = {{"Authorization", "Bearer mine"}};
    bad = pp;
    bad.headers = auth;
    expect_status_is(alter_agent_proxy_request(agent, &bad, NULL, &err), ALTER_ERR_VALIDATION, &err,
                     "credential header");
    cr_assert(err.field_error_count == 1);
    cr_assert_str_eq(err.field_errors[0].field, "headers.Authorization");
    /* a hanging provider: 502 upstream_error, and the proxy call was sent once, not retried */
    bad = pp;
    bad.url = fmt("%s/hang", p.url);
    bad.timeout_ms = 200;
    int hits = fake_provider_hits(&p);
    expect_status_is(alter_agent_proxy_request(agent, &bad, NULL, &err), ALTER_ERR_UPSTREAM, &err,
                     "hang");
    cr_assert(err.details_json && strstr(err.details_json, "timeout"));
    cr_assert_eq(fake_provider_hits(&p), hits + 1, "a failed proxy call was retried");
    expect_status_is(alter_approval_get(agent, "00000000-0000-4000-8000-000000000000", NULL, &err),
                     ALTER_ERR_APPROVAL_NOT_FOUND, &err, "unknown approval");
    alter_grant *revoked = NULL;
    expect_ok(alter_grants_revoke(app, jstr(g, "grant_id"), "done", &revoked, &err), &err,
              "revoke");
    cr_assert_str_eq(revoked->status, "revoked");
    cr_assert_str_eq(revoked->revoke_reason, "done");
    alter_grant_free(revoked);
    expect_status_is(alter_agent_request(agent, &rp, NULL, &err), ALTER_ERR_GRANT_REVOKED, &err,
                     "revoked");
    cr_assert_str_eq(alter_error_class(err.status), "GrantRevokedError");
    alter_trace_end(agent);

    /* the scope's run_id is on every vault row */
    cJSON *rows = alter_audit_all(&T, fmt("run_id=sdk-%s", T.tag));
    int token_rows = 0, proxy_rows = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        token_rows += !strcmp(jstr(row, "action"), "token.retrieved");
        proxy_rows += !strcmp(jstr(row, "action"), "proxy.executed");
        cr_assert_str_eq(jstr(row, "thread_id"), "t1");
    }
    cr_assert(token_rows >= 2 && proxy_rows >= 2, "token rows %d, proxy rows %d", token_rows,
              proxy_rows);
    cJSON_Delete(rows);
    /* the client reads a row's details, and the chain with them still checks out here */
    alter_audit_params ap = {.run_id = run.run_id, .action = "proxy.executed"};
    alter_audit_page *page = NULL;
    expect_ok(alter_audit_list(app, &ap, &page, &err), &err, "audit");
    cr_assert(page->count >= 2);
    cr_assert(strstr(page->rows[0].details_json, "\"upstream\""), "%s", page->rows[0].details_json);
    cr_assert(strstr(page->rows[0].details_json, "\"reason\":\"sdk test\""), "%s",
              page->rows[0].details_json);
    alter_audit_page_free(page);
    alter_audit_row *chain = NULL;
    size_t n = 0;
    expect_ok(alter_audit_get_chain(app, &chain, &n, &err), &err, "chain");
    cr_assert_eq(alter_audit_chain_verify(chain, n, NULL), 1, "the chain does not verify here");
    alter_audit_rows_free(chain, n);
    alter_error_clear(&err);
    alter_agent_free(agent);
    alter_app_free(app);
    fake_provider_stop(&p);
    VAULT_DELETE(a, other, g, not_mine);
}

Test(alter_vault_client, an_agent_waits_for_its_approval_and_reads_the_result) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "sdk-gated", "{\"require_approval\": true}");
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_wait");
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_wait");
    alter_agent *agent = alter_agent_new(jstr(a, "api_key"), alter_base_url());
    alter_error err = ALTER_ERROR_INIT;
    alter_request_params pp = {
        .method = "GET", .url = fmt("%s/echo/gated", p.url), .grant_id = jstr(g, "grant_id")};
    alter_proxy_result *pr = NULL;
    expect_ok(alter_agent_proxy_request(agent, &pp, &pr, &err), &err, "proxy");
    cr_assert(pr->approval && !pr->response, "require_approval must answer with an approval");
    cr_assert_str_eq(pr->approval->status, "pending");
    cr_assert_not_null(pr->approval->approval_url);
    char id[64];
    snprintf(id, sizeof id, "%s", pr->approval->approval_id);
    alter_proxy_result_free(pr);
    /* undecided: the wait times out, and the result is not there */
    alter_approval *seen = NULL;
    expect_status_is(alter_await_approval(agent, id, 150, 50, &seen, &err), ALTER_ERR_TIMEOUT, &err,
                     "await undecided");
    cr_assert_str_eq(seen->status, "pending");
    alter_approval_free(seen);
    expect_status_is(alter_approval_result(agent, id, NULL, &err), ALTER_ERR_APPROVAL_NOT_EXECUTED,
                     &err, "result too early");
    cr_assert(err.details_json && strstr(err.details_json, "pending"));
    cJSON_Delete(vault_admin("POST", fmt("/_mock/alter/approvals/%s/approve", id), NULL, 200));
    alter_approval *done = NULL;
    expect_ok(alter_await_approval(agent, id, 10000, 50, &done, &err), &err, "await");
    cr_assert_str_eq(done->status, "executed");
    cr_assert(done->has_result && done->executed_at && !done->error_json);
    alter_approval_free(done);
    alter_response *resp = NULL;
    expect_ok(alter_approval_result(agent, id, &resp, &err), &err, "result");
    cr_assert_eq(resp->status_code, 200);
    cr_assert(strstr((const char *)resp->body, "Bearer gho_wait"), "%s", resp->body);
    alter_response_free(resp);
    /* a denied one: the wait ends with its status */
    expect_ok(alter_agent_proxy_request(agent, &pp, &pr, &err), &err, "proxy again");
    snprintf(id, sizeof id, "%s", pr->approval->approval_id);
    alter_proxy_result_free(pr);
    cJSON_Delete(vault_admin("POST", fmt("/_mock/alter/approvals/%s/deny", id),
                             "{\"reason\": \"no\"}", 200));
    expect_ok(alter_await_approval(agent, id, 10000, 50, &done, &err), &err, "await denied");
    cr_assert_str_eq(done->status, "denied");
    cr_assert_str_eq(done->decision_reason, "no");
    alter_approval_free(done);
    /* retrieve mode cannot wait for an approval */
    expect_status_is(alter_agent_request(agent, &pp, NULL, &err), ALTER_ERR_POLICY_VIOLATION, &err,
                     "request with require_approval");
    cr_assert(err.details_json && strstr(err.details_json, "require_approval"));
    cr_assert_str_eq(alter_error_class(err.status), "PolicyViolationError");
    cr_assert_eq(fake_provider_hits(&p), 1, "only the approved call reached the provider");
    alter_error_clear(&err);
    alter_agent_free(agent);
    fake_provider_stop(&p);
    cJSON_Delete(g);
    cJSON_Delete(a);
}

#ifdef ALTER_VAULT_EXAMPLE
Test(alter_vault_client, the_readme_example_calls_its_provider_in_both_modes) {
    require_mock(); /* it uses the seeded agent and grant */
    if (access(ALTER_VAULT_EXAMPLE, X_OK) != 0)
        cr_skip_test("the example %s is not here (an installed runner without its build tree)",
                     ALTER_VAULT_EXAMPLE);
    char command[1024];
    snprintf(command, sizeof command, "ALTER_BASE_URL='%s' '%s' 2>&1", alter_base_url(),
             ALTER_VAULT_EXAMPLE);
    FILE *out = popen(command, "r");
    cr_assert_not_null(out);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = '\0';
    int status = pclose(out);
    cr_assert_eq(status, 0, "the example failed: %s", text);
    const char *retrieve = strstr(text, "retrieve provider answered 200");
    const char *proxy = strstr(text, "proxy    provider answered 200");
    cr_assert(retrieve && proxy, "%s", text);
    cr_assert(strstr(retrieve, "Bearer ya29.sandbox-google-token-not-real"), "%s", text);
    cr_assert(strstr(proxy, "Bearer ya29.sandbox-google-token-not-real"), "%s", text);
}
#endif
