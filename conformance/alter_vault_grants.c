/* Alter §7 grants: made through the sandbox (seeded or POST /_mock/alter/grants), listed by
 * the app (all) or an agent (its own and delegated ones), revoked; using one that is not the
 * agent's, revoked or unknown fails with its own code. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

static struct tenant T;

/* The grant ids of a list answer, in order, as one comma-separated string (static). */
static const char *ids_of(const cJSON *list) {
    static char out[2048];
    out[0] = '\0';
    const cJSON *g;
    cJSON_ArrayForEach(g, jarr(list, "grants")) {
        if (out[0]) strcat(out, ",");
        strcat(out, jstr(g, "grant_id"));
    }
    return out;
}

static void expect_grant_shape(const cJSON *g) {
    static const char *const fields[] = {"grant_id",
                                         "provider_id",
                                         "scopes",
                                         "account_identifier",
                                         "principal_type",
                                         "owner_agent_id",
                                         "delegated_agent_ids",
                                         "token_type",
                                         "status",
                                         "created_at",
                                         "revoked_at",
                                         "revoke_reason",
                                         NULL};
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(g, fields[i]), "grant lacks %s", fields[i]);
    cr_assert(is_uuid_v4(jstr(g, "grant_id")));
    cr_assert(is_rfc3339_utc_seconds(jstr(g, "created_at")));
    cr_assert(!cJSON_GetObjectItemCaseSensitive(g, "upstream_token"),
              "the API must never show the upstream credential");
}

Test(alter_vault_grants, the_seeded_grants_are_listed_without_their_credentials) {
    require_mock();
    const char *app_key = "alter_key_app_uZbla2JKxtLTQeJKWsx2RMxR6RGnJZnp"; /* fixtures/seed.json */
    cJSON *list = alter_expect("GET", "/sdk/grants", app_key, NULL, 200);
    cr_assert_geq(jnum(list, "total"), 2);
    const cJSON *g;
    int user = 0, agent = 0;
    cJSON_ArrayForEach(g, jarr(list, "grants")) {
        expect_grant_shape(g);
        user += !strcmp(jstr(g, "principal_type"), "user");
        agent += !strcmp(jstr(g, "principal_type"), "agent") && !jnull(g, "owner_agent_id");
    }
    cr_assert(user >= 1 && agent >= 1, "the seed has a user grant and a managed secret");
    char *text = cJSON_PrintUnformatted(list);
    cr_assert(!strstr(text, "not-real"), "a credential leaked: %.500s", text);
    free(text);
    /* research-bot sees the user grant delegated to it, not billing-sync's secret */
    cJSON *mine = alter_expect("GET", "/sdk/grants",
                               "alter_key_agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc", NULL, 200);
    cr_assert_str_eq(ids_of(mine), "5b0c2a8e-3f1d-4c7a-9e2b-6d8f1a4c3e70");
    cJSON_Delete(mine);
    cJSON_Delete(list);
}

Test(alter_vault_grants, the_app_sees_every_grant_and_an_agent_only_its_own_and_delegated_ones) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "lister-a", NULL), *b = vault_agent(&T, "lister-b", NULL);
    const char *a_id = jstr(a, "id"), *b_id = jstr(b, "id");
    cJSON *to_a = vault_user_grant(&T, fmt("[\"%s\"]", a_id), "tok-a");
    cJSON *to_both = vault_user_grant(&T, fmt("[\"%s\", \"%s\"]", a_id, b_id), "tok-ab");
    cJSON *owned_by_b = vault_agent_grant(&T, b_id, "tok-b");
    cJSON *to_none = vault_user_grant(&T, "[]", "tok-none");
    cr_assert_str_eq(jstr(to_a, "upstream_token"), "tok-a",
                     "the sandbox view shows the credential");
    cr_assert_str_eq(jstr(owned_by_b, "owner_agent_id"), b_id);
    cr_assert(jnull(to_a, "owner_agent_id"));
    cJSON *all = alter_expect("GET", "/sdk/grants", alter_key(&T), NULL, 200);
    cr_assert_str_eq(ids_of(all),
                     fmt("%s,%s,%s,%s", jstr(to_a, "grant_id"), jstr(to_both, "grant_id"),
                         jstr(owned_by_b, "grant_id"), jstr(to_none, "grant_id")));
    cr_assert(jnum(all, "total") == 4 && !jbool(all, "has_more"));
    const cJSON *listed;
    cJSON_ArrayForEach(listed, jarr(all, "grants")) expect_grant_shape(listed);
    cJSON *seen_by_a = alter_expect("GET", "/sdk/grants", jstr(a, "api_key"), NULL, 200);
    cr_assert_str_eq(ids_of(seen_by_a),
                     fmt("%s,%s", jstr(to_a, "grant_id"), jstr(to_both, "grant_id")));
    cJSON *seen_by_b = alter_expect("GET", "/sdk/grants", jstr(b, "api_key"), NULL, 200);
    cr_assert_str_eq(ids_of(seen_by_b),
                     fmt("%s,%s", jstr(to_both, "grant_id"), jstr(owned_by_b, "grant_id")));
    /* the app acting as b (X-Alter-Caller) sees what b sees */
    const char *as_b[] = {fmt("X-Alter-Caller: %s", b_id), NULL};
    struct http_resp r;
    alter_http("GET", "/sdk/grants", alter_key(&T), NULL, as_b, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(ids_of(r.json), ids_of(seen_by_b));
    http_resp_free(&r);
    /* filters and pages */
    cJSON *stripe = alter_expect("GET", "/sdk/grants?provider_id=stripe", alter_key(&T), NULL, 200);
    cr_assert_str_eq(ids_of(stripe), jstr(owned_by_b, "grant_id"));
    cJSON *b_github =
        alter_expect("GET", "/sdk/grants?provider_id=github", jstr(b, "api_key"), NULL, 200);
    cr_assert_str_eq(ids_of(b_github), jstr(to_both, "grant_id"));
    cJSON *page = alter_expect("GET", "/sdk/grants?limit=2&offset=1", alter_key(&T), NULL, 200);
    cr_assert_str_eq(ids_of(page),
                     fmt("%s,%s", jstr(to_both, "grant_id"), jstr(owned_by_b, "grant_id")));
    cr_assert(jnum(page, "total") == 4 && jbool(page, "has_more") && jnum(page, "limit") == 2 &&
              jnum(page, "offset") == 1);
    cJSON *none = alter_expect("GET", "/sdk/grants?provider_id=gitlab", alter_key(&T), NULL, 200);
    cr_assert(jnum(none, "total") == 0 && cJSON_GetArraySize(jarr(none, "grants")) == 0);
    alter_call_field_error("GET", "/sdk/grants?limit=0", alter_key(&T), NULL, NULL, "limit");
    alter_call_field_error("GET", "/sdk/grants?offset=-1", alter_key(&T), NULL, NULL, "offset");
    alter_call_field_error("GET", "/sdk/grants?include_revoked=maybe", alter_key(&T), NULL, NULL,
                           "include_revoked");
    /* a key without agents:read may not list the app's grants */
    char scoped[96];
    alter_call_error("GET", "/sdk/grants", alter_scoped_key(&T, "[\"audit_logs:read\"]", scoped),
                     NULL, NULL, 403, "insufficient_scope");
    VAULT_DELETE(a, b, to_a, to_both, owned_by_b, to_none, all, seen_by_a, seen_by_b, stripe,
                 b_github, page, none);
}

Test(alter_vault_grants, a_grant_that_is_not_the_agents_is_refused_with_no_delegated_grant) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "outsider", NULL), *b = vault_agent(&T, "owner", NULL);
    cJSON *g = vault_agent_grant(&T, jstr(b, "id"), "sk_test_owner");
    const char *body = vault_body(jstr(g, "grant_id"), "GET", "http://127.0.0.1:9/echo", NULL);
    alter_call_error("POST", "/sdk/token", jstr(a, "api_key"), body, NULL, 403,
                     "no_delegated_grant");
    alter_call_error("POST", "/sdk/proxy", jstr(a, "api_key"), body, NULL, 403,
                     "no_delegated_grant");
    /* unknown grant: 404 grant_not_found in both modes */
    const char *unknown =
        vault_body("00000000-0000-4000-8000-000000000000", "GET", "http://127.0.0.1:9/echo", NULL);
    alter_call_error("POST", "/sdk/token", jstr(a, "api_key"), unknown, NULL, 404,
                     "grant_not_found");
    alter_call_error("POST", "/sdk/proxy", jstr(a, "api_key"), unknown, NULL, 404,
                     "grant_not_found");
    /* the refusal is on the audit chain with the grant */
    struct http_resp r;
    vault_post("/sdk/token", jstr(a, "api_key"), body, NULL, &r);
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "token.retrieved");
    cr_assert_str_eq(jstr(row, "outcome"), "denied");
    cr_assert_str_eq(jstr(row, "grant_id"), jstr(g, "grant_id"));
    cr_assert_str_eq(jstr(row, "agent_id"), jstr(a, "id"));
    http_resp_free(&r);
    cJSON_Delete(row);
    cJSON_Delete(g);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(alter_vault_grants, a_revoked_grant_is_gone_for_every_use) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "revokee", NULL);
    cJSON *g = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_revoke_me");
    const char *id = jstr(g, "grant_id");
    const char *body = vault_body(id, "GET", "http://127.0.0.1:9/echo", NULL);
    cJSON *tok = alter_expect("POST", "/sdk/token", jstr(a, "api_key"), body, 200);
    cJSON *revoked = alter_expect("POST", fmt("/sdk/grants/%s/revoke", id), alter_key(&T),
                                  "{\"reason\": \"rotated upstream\"}", 200);
    expect_grant_shape(revoked);
    cr_assert_str_eq(jstr(revoked, "status"), "revoked");
    cr_assert_str_eq(jstr(revoked, "revoke_reason"), "rotated upstream");
    cr_assert(is_rfc3339_utc_seconds(jstr(revoked, "revoked_at")));
    /* again: 200, unchanged (the first reason stands) */
    cJSON *again = alter_expect("POST", fmt("/sdk/grants/%s/revoke", id), alter_key(&T),
                                "{\"reason\": \"other\"}", 200);
    cr_assert_str_eq(jstr(again, "revoke_reason"), "rotated upstream");
    cr_assert_str_eq(jstr(again, "revoked_at"), jstr(revoked, "revoked_at"));
    alter_call_error("POST", "/sdk/token", jstr(a, "api_key"), body, NULL, 410, "grant_revoked");
    alter_call_error("POST", "/sdk/proxy", jstr(a, "api_key"), body, NULL, 410, "grant_revoked");
    /* listed only when asked for */
    cJSON *list = alter_expect("GET", "/sdk/grants", jstr(a, "api_key"), NULL, 200);
    cr_assert_eq(jnum(list, "total"), 0);
    cJSON *with =
        alter_expect("GET", "/sdk/grants?include_revoked=true", jstr(a, "api_key"), NULL, 200);
    cr_assert_str_eq(ids_of(with), id);
    /* the revocation is on the audit chain */
    cJSON *rows = alter_audit_all(&T, "action=grant.revoked");
    const cJSON *row = cJSON_GetArrayItem(rows, 0);
    cr_assert_str_eq(jstr(row, "grant_id"), id);
    cr_assert_str_eq(jstr(jobj(row, "details"), "reason"), "rotated upstream");
    /* errors: unknown grant, an agent may not revoke, a key without agents:admin may not, bad
     * reason */
    alter_call_error("POST", "/sdk/grants/00000000-0000-4000-8000-000000000000/revoke",
                     alter_key(&T), NULL, NULL, 404, "grant_not_found");
    alter_call_error("POST", fmt("/sdk/grants/%s/revoke", id), jstr(a, "api_key"), NULL, NULL, 403,
                     "agent_cannot_mint_subagents");
    char scoped[96];
    alter_call_error("POST", fmt("/sdk/grants/%s/revoke", id),
                     alter_scoped_key(&T, "[\"agents:write\"]", scoped), NULL, NULL, 403,
                     "insufficient_scope");
    alter_call_field_error("POST", fmt("/sdk/grants/%s/revoke", id), alter_key(&T),
                           "{\"reason\": 5}", NULL, "reason");
    VAULT_DELETE(a, g, tok, revoked, again, list, with, rows);
}

Test(alter_vault_grants, the_sandbox_checks_every_field_of_a_new_grant) {
    tenant_new(&T);
    cJSON *a = vault_agent(&T, "checked", NULL);
    const char *id = jstr(a, "id");
    const struct {
        const char *members, *field;
    } bad[] = {
        {"\"account_identifier\": \"x\", \"principal_type\": \"user\", \"upstream_token\": \"t\"",
         "provider_id"},
        {"\"provider_id\": \"p\", \"principal_type\": \"user\", \"upstream_token\": \"t\"",
         "account_identifier"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"upstream_token\": \"t\"",
         "principal_type"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"robot\", "
         "\"upstream_token\": \"t\"",
         "principal_type"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\"",
         "upstream_token"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
         "\"upstream_token\": \"line\\nbreak\"",
         "upstream_token"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"agent\", "
         "\"upstream_token\": \"t\"",
         "owner_agent_id"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"agent\", "
         "\"owner_agent_id\": \"00000000-0000-4000-8000-000000000000\", \"upstream_token\": \"t\"",
         "owner_agent_id"},
        {fmt("\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
             "\"owner_agent_id\": \"%s\", \"upstream_token\": \"t\"",
             id),
         "owner_agent_id"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
         "\"delegated_agent_ids\": [\"00000000-0000-4000-8000-000000000000\"], "
         "\"upstream_token\": \"t\"",
         "delegated_agent_ids[0]"},
        {fmt("\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
             "\"delegated_agent_ids\": [\"%s\", \"%s\"], \"upstream_token\": \"t\"",
             id, id),
         "delegated_agent_ids[1]"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
         "\"scopes\": [\"ok\", 3], \"upstream_token\": \"t\"",
         "scopes[1]"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
         "\"token_type\": \"MAC\", \"upstream_token\": \"t\"",
         "token_type"},
        {"\"provider_id\": \"p\", \"account_identifier\": \"x\", \"principal_type\": \"user\", "
         "\"grant_id\": \"not-a-uuid\", \"upstream_token\": \"t\"",
         "grant_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/alter/grants", NULL,
                  fmt("{\"org_id\": \"%s\", %s}", T.org_id, bad[i].members), NULL, &r);
        expect_field_error(&r, bad[i].field);
        http_resp_free(&r);
    }
    cJSON *list = alter_expect("GET", "/sdk/grants", alter_key(&T), NULL, 200);
    cr_assert_eq(jnum(list, "total"), 0, "a rejected grant was stored");
    /* unknown organization, unknown grant in the sandbox view */
    struct http_resp r;
    http_call("POST", "/_mock/alter/grants", NULL,
              "{\"org_id\": \"org_nope\", \"provider_id\": \"p\", \"account_identifier\": \"x\", "
              "\"principal_type\": \"user\", \"upstream_token\": \"t\"}",
              NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("GET", "/_mock/alter/grants/00000000-0000-4000-8000-000000000000", NULL, NULL, NULL,
              &r);
    expect_error(&r, 404, "grant_not_found");
    http_resp_free(&r);
    /* a fixed grant_id (fixtures use them) is kept, and cannot be taken twice */
    unsigned char b[16];
    cr_assert(RAND_bytes(b, sizeof b) == 1);
    char fixed_id[40];
    snprintf(fixed_id, sizeof fixed_id,
             "%02x%02x%02x%02x-%02x%02x-4%x%02x-8%x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6] & 15, b[7], b[8] & 15, b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    const char *members = fmt("\"grant_id\": \"%s\", \"provider_id\": \"p\", "
                              "\"account_identifier\": \"x\", \"principal_type\": \"user\", "
                              "\"upstream_token\": \"t\"",
                              fixed_id);
    cJSON *fixed = vault_grant(&T, members);
    cr_assert_str_eq(jstr(fixed, "grant_id"), fixed_id);
    cJSON *read = vault_admin("GET", fmt("/_mock/alter/grants/%s", fixed_id), NULL, 200);
    cr_assert_str_eq(jstr(read, "org_id"), T.org_id);
    http_call("POST", "/_mock/alter/grants", NULL,
              fmt("{\"org_id\": \"%s\", %s}", T.org_id, members), NULL, &r);
    expect_field_error(&r, "grant_id");
    http_resp_free(&r);
    cJSON_Delete(fixed);
    cJSON_Delete(read);
    cJSON_Delete(list);
    cJSON_Delete(a);
}
