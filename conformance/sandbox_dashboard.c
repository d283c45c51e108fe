/* The sandbox dashboard's server side: /_mock/ui (the page and its files, open without the
 * admin token), GET /_mock/orgs (every org, keys by level, never a key), the Alsorn and Alter
 * APIs read through /_mock/orgs/{id}/api as the org's administrator (kept out of the org's
 * journal and report), and an org's Alter approvals listed. */
#include "alter_vault_harness.h"
#include "sandbox.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static struct tenant T;

static const char *on_behalf(const struct tenant *t, const char *api_path) {
    return fmt("/_mock/orgs/%s/api?path=%s", t->org_id, urlenc(api_path));
}

Test(dashboard, page_and_files_are_served_from_the_binary) {
    require_mock();
    struct http_resp r;
    http_call("GET", "/_mock/ui", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(strncmp(resp_header(&r, "Content-Type"), "text/html", 9) == 0);
    cr_assert_not_null(strstr(r.body, "/_mock/ui/app.js"), "the page loads its module");
    cr_assert_not_null(strstr(resp_header(&r, "Content-Security-Policy"), "default-src 'self'"),
                       "the page may load nothing from elsewhere");
    http_resp_free(&r);
    http_call("GET", "/_mock/ui/app.js", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(strncmp(resp_header(&r, "Content-Type"), "text/javascript", 15) == 0);
    cr_assert_not_null(strstr(r.body, "import "), "an ES module");
    http_resp_free(&r);
    http_call("GET", "/_mock/ui/style.css", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(strncmp(resp_header(&r, "Content-Type"), "text/css", 8) == 0);
    http_resp_free(&r);
    http_call("GET", "/_mock/ui/secrets.json", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("GET", "/_mock/ui/..%2Fmain.c", NULL, NULL, NULL, &r);
    cr_assert_eq(r.status, 404, "only the embedded files: %s", resp_excerpt(&r));
    http_resp_free(&r);
}

Test(dashboard, org_list_shows_key_levels_and_counts_never_a_key) {
    require_mock();
    tenant_new(&T);
    cJSON_Delete(agent_register_named(&T, "Listed"));
    cJSON *list = mock_call("GET", "/_mock/orgs", NULL, 200);
    const cJSON *org = NULL, *o;
    cJSON_ArrayForEach(o, jarr(list, "data"))
        if (strcmp(jstr(o, "id"), T.org_id) == 0) org = o;
    cr_assert_not_null(org, "the new org is listed");
    cr_assert_eq(jnum(jobj(org, "counts"), "agents"), 1);
    cr_assert_str_eq(jstr(org, "plan"), T.plan);
    const cJSON *keys = jarr(org, "keys");
    cr_assert_eq(cJSON_GetArraySize(keys), 3);
    const char *levels[] = {"read", "write", "admin"};
    for (int i = 0; i < 3; i++) {
        bool found = false;
        cJSON_ArrayForEach(o, keys) found |= strcmp(jstr(o, "level"), levels[i]) == 0 && !jbool(o, "revoked");
        cr_assert(found, "a %s key is listed", levels[i]);
    }
    cr_assert_eq(cJSON_GetArraySize(jarr(jobj(org, "alter"), "app_keys")), 1);
    char *text = cJSON_PrintUnformatted(list);
    for (int i = 0; i < 3; i++)
        cr_assert_null(strstr(text, T.key[i] + 4), "no Alsorn key in the list");
    cr_assert_null(strstr(text, T.alter_key + 16), "no Alter key in the list");
    free(text);
    cJSON_Delete(list);
}

Test(dashboard, api_read_as_the_org_is_the_api_answer_and_stays_out_of_its_journal) {
    require_mock();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Seen");
    cJSON *direct = NULL, *via = mock_call("GET", on_behalf(&T, "/agents?limit=5"), NULL, 200);
    struct http_resp r;
    http_call("GET", "/agents?limit=5", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    direct = r.json;
    r.json = NULL;
    http_resp_free(&r);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(via, "data"), 0), "id"), jstr(a, "id"));
    cr_assert(cJSON_Compare(via, direct, true), "the same page as with the org's key");
    cJSON *alter = mock_call("GET", on_behalf(&T, "/sdk/agents"), NULL, 200);
    cr_assert_not_null(jarr(alter, "agents"), "Alter reads too");

    cJSON *journal = mock_call("GET", fmt("/_mock/requests?org_id=%s", T.org_id), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(journal, "data")), 2, "the key's calls only (register, list)");
    cJSON *report = report_of(&T);
    cr_assert_eq(coverage_count(report, "GET", "/agents", "200"), 1, "the dashboard's read is not the SDK's");
    cr_assert_eq(coverage_count(report, "GET", "/sdk/agents", "200"), 0);
    cJSON_Delete(report);
    cJSON_Delete(journal);
    cJSON_Delete(alter);
    cJSON_Delete(direct);
    cJSON_Delete(via);
    cJSON_Delete(a);
}

Test(dashboard, api_write_as_the_org_reverses_a_transaction) {
    require_mock();
    tenant_new(&T);
    cJSON *x = agent_register_named(&T, "Payer"), *y = agent_register_named(&T, "Payee");
    struct http_resp r;
    http_call("POST", "/transactions", T.key[KEY_WRITE],
              fmt("{\"agent_id\": \"%s\", \"counterparty_id\": \"%s\", \"amount\": 5, \"action_type\": \"execute_trades\"}",
                  jstr(x, "id"), jstr(y, "id")), NULL, &r);
    expect_status(&r, 201);
    char *tx = strdup(jstr(r.json, "id"));
    http_resp_free(&r);
    cJSON *rev = mock_call("POST", on_behalf(&T, fmt("/transactions/%s/reverse", tx)),
                           "{\"reason\": \"from the dashboard\"}", 200);
    cJSON *got = mock_call("GET", on_behalf(&T, fmt("/transactions/%s", tx)), NULL, 200);
    cr_assert_str_eq(jstr(got, "status"), "reversed");
    cr_assert_str_eq(jstr(got, "reversal_reason"), "from the dashboard");
    free(tx);
    cJSON_Delete(got);
    cJSON_Delete(rev);
    cJSON_Delete(x);
    cJSON_Delete(y);
}

Test(dashboard, api_as_the_org_errors) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    http_call("GET", fmt("/_mock/orgs/%s/api", T.org_id), NULL, NULL, NULL, &r);
    expect_field_error(&r, "path");
    http_resp_free(&r);
    http_call("GET", fmt("/_mock/orgs/%s/api?path=agents", T.org_id), NULL, NULL, NULL, &r);
    expect_field_error(&r, "path");
    http_resp_free(&r);
    char *long_path = malloc(3000);
    memset(long_path, 'a', 2999);
    long_path[0] = '/';
    long_path[2999] = '\0';
    http_call("GET", fmt("/_mock/orgs/%s/api?path=%s", T.org_id, long_path), NULL, NULL, NULL, &r);
    expect_field_error(&r, "path");
    http_resp_free(&r);
    free(long_path);
    http_call("GET", on_behalf(&T, "/nowhere"), NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("GET", on_behalf(&T, "/_mock/orgs"), NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found"); /* the sandbox's own routes are not reachable this way */
    http_resp_free(&r);
    http_call("GET", on_behalf(&T, "/agents/agent_doesnotexist00"), NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found"); /* the API's own answer */
    http_resp_free(&r);
    http_call("POST", on_behalf(&T, "/sdk/agents"), NULL, "{\"name\": \"written-here\"}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    http_resp_free(&r);
    cJSON *alter = mock_call("GET", on_behalf(&T, "/sdk/agents"), NULL, 200);
    cr_assert_eq(jnum(alter, "total"), 0, "the refused Alter write wrote nothing");
    cJSON_Delete(alter);
    http_call("POST", on_behalf(&T, "/transactions"), NULL, NULL, NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("POST", on_behalf(&T, "/agents"), NULL, "{\"name\": \"x\"}", NULL, &r);
    expect_field_error(&r, "name"); /* the handler's validation */
    http_resp_free(&r);
    http_call("GET", fmt("/_mock/orgs/org_nosuchorg000/api?path=%s", urlenc("/agents")), NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0, "nothing was created");
}

Test(dashboard, approvals_are_listed_by_status) {
    require_mock();
    tenant_new(&T);
    cJSON *agent = vault_agent(&T, "gated", "{\"require_approval\": true}");
    cJSON *grant = vault_user_grant(&T, fmt("[\"%s\"]", jstr(agent, "id")), "gho_listed");
    struct http_resp r;
    vault_post("/sdk/proxy", jstr(agent, "api_key"),
               vault_body(jstr(grant, "grant_id"), "GET", "http://127.0.0.1:9/never", NULL), NULL, &r);
    expect_status(&r, 202);
    const char *id = fmt("%s", jstr(r.json, "approval_id"));
    http_resp_free(&r);
    cJSON *pending = mock_call("GET", fmt("/_mock/orgs/%s/alter/approvals?status=pending", T.org_id), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(pending, "data")), 1);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(pending, "data"), 0), "approval_id"), id);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(pending, "data"), 0), "org_id"), T.org_id);
    cJSON_Delete(vault_admin("POST", fmt("/_mock/alter/approvals/%s/deny", id), NULL, 200));
    cJSON *still = mock_call("GET", fmt("/_mock/orgs/%s/alter/approvals?status=pending", T.org_id), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(still, "data")), 0, "a denied approval is no longer pending");
    cJSON *all = mock_call("GET", fmt("/_mock/orgs/%s/alter/approvals", T.org_id), NULL, 200);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(all, "data"), 0), "status"), "denied");

    http_call("GET", fmt("/_mock/orgs/%s/alter/approvals?status=maybe", T.org_id), NULL, NULL, NULL, &r);
    expect_field_error(&r, "status");
    http_resp_free(&r);
    http_call("GET", "/_mock/orgs/org_nosuchorg000/alter/approvals", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(all);
    cJSON_Delete(still);
    cJSON_Delete(pending);
    cJSON_Delete(grant);
    cJSON_Delete(agent);
}

/* With --admin-token the page and its files load without it (they hold no data); the data
 * routes the page calls need it; health says so, for the page to ask first. */
static struct mock_process M = {.pid = -1};
static void stop_private(void) { mock_process_stop(&M, SIGTERM, 10000); }

Test(dashboard, admin_token_guards_the_data_not_the_page, .fini = stop_private) {
    require_mock();
    const char *args[] = {"--admin-token", "dash-token", NULL};
    cr_assert(mock_process_start(&M, args), "private agentmock did not start");
    struct http_resp r;
    http_call("GET", fmt("%s/_mock/health", M.url), NULL, NULL, NULL, &r);
    cr_assert(jbool(r.json, "admin_token_required"));
    http_resp_free(&r);
    http_call("GET", fmt("%s/_mock/ui", M.url), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    http_call("GET", fmt("%s/_mock/ui/api.js", M.url), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    const char *guarded[] = {"/_mock/orgs", "/_mock/orgs/org_x/api?path=%2Fagents", "/_mock/orgs/org_x/alter/approvals"};
    for (int i = 0; i < 3; i++) {
        http_call("GET", fmt("%s%s", M.url, guarded[i]), NULL, NULL, NULL, &r);
        expect_error(&r, 401, "missing_auth");
        http_resp_free(&r);
    }
    const char *token[] = {"X-Mock-Admin-Token: dash-token", NULL};
    http_call_h("GET", fmt("%s/_mock/orgs", M.url), NULL, NULL, token, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
}
