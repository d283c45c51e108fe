/* Alter §3: agents.create, list, get, get_by_name, update and delete, every rule and error. */
#include "alter_harness.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* Number of live agents of the app (mock: the tenant's own app). */
static int live_count(struct tenant *t) {
    cJSON *j = alter_expect("GET", "/sdk/agents?limit=1", alter_key(t), NULL, 200);
    int n = (int)jnum(j, "total");
    cJSON_Delete(j);
    return n;
}

/* POST /sdk/agents with body must be a 422 naming field, and store nothing. */
static void expect_create_rejected(const char *body, const char *field) {
    int before = T.live ? 0 : live_count(&T);
    struct http_resp r;
    alter_http("POST", "/sdk/agents", alter_key(&T), body, NULL, &r);
    if (r.status != 422)
        cr_assert_fail("POST /sdk/agents %.300s: expected 422 naming %s, got %ld: %s", body, field,
                       r.status, resp_excerpt(&r));
    expect_alter_field_error(&r, field);
    http_resp_free(&r);
    if (!T.live)
        cr_assert_eq(live_count(&T), before, "a rejected create stored an agent: %s", body);
}

Test(alter_agents, create_returns_the_agent_its_first_key_and_the_plaintext_once) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "first");
    const cJSON *key = jobj(a, "key");
    const char *api_key = jstr(a, "api_key");
    cr_assert_str_eq(jstr(a, "name"), alter_name(&T, "first"));
    cr_assert_str_eq(jstr(a, "status"), "active");
    cr_assert_str_eq(jstr(a, "type"), "agent");
    cr_assert(jnull(a, "display_name") && jnull(a, "revoked_at"));
    cr_assert_eq(cJSON_GetArraySize(jobj(a, "scopes")), 0);
    cr_assert_eq(cJSON_GetArraySize(jobj(a, "metadata")), 0);
    cr_assert_eq(cJSON_GetArraySize(jobj(a, "policy")), 0);
    cr_assert_str_eq(jstr(a, "created_at"), jstr(a, "updated_at"));
    cr_assert_str_eq(jstr(key, "agent_id"), jstr(a, "id"));
    cr_assert_str_eq(jstr(key, "status"), "active");
    expect_key_prefix_of(jstr(key, "key_prefix"), api_key);
    cr_assert(jnull(key, "last_used_at") && jnull(key, "deprecated_at") &&
              jnull(key, "revoked_at"));
    /* the plaintext is never shown again: not by get, not by list_keys */
    struct http_resp r;
    alter_http("GET", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(!strstr(r.body, api_key) && !cJSON_GetObjectItemCaseSensitive(r.json, "api_key"));
    expect_agent_info(r.json);
    http_resp_free(&r);
    alter_http("GET", fmt("/sdk/agents/%s/keys", jstr(a, "id")), alter_key(&T), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(!strstr(r.body, api_key + 16), "list_keys shows the plaintext: %s", resp_excerpt(&r));
    http_resp_free(&r);
    /* and the key works */
    cJSON *me = alter_expect("GET", "/sdk/agents/me", api_key, NULL, 200);
    cr_assert_str_eq(jstr(me, "id"), jstr(a, "id"));
    cJSON_Delete(me);
    cJSON_Delete(a);
}

Test(alter_agents, create_stores_every_field) {
    tenant_new(&T);
    const char *name = alter_name(&T, "full");
    cJSON *a = alter_create(
        &T, fmt("{\"name\": \"%s\", \"display_name\": \"Full Agent ✓\", "
                "\"type\": \"service\", \"scopes\": {\"google\": "
                "[\"gmail.readonly\", \"calendar\"], \"slack\": []}, "
                "\"metadata\": {\"team\": \"ops\", \"n\": 3, \"deep\": {\"a\": [1, null]}}, "
                "\"policy\": {\"rate_limit_rpm\": 60, \"ip_allowlist\": [\"10.0.0.0/8\", "
                "\"2001:db8::/32\", \"192.168.1.7\"], \"time_window\": {\"start\": "
                "\"09:00\", \"end\": \"17:30\", \"tz\": \"UTC\"}, \"require_approval\": true}}",
                name));
    cJSON *got =
        alter_expect("GET", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, 200);
    cJSON *want = cJSON_Parse("{\"google\": [\"gmail.readonly\", \"calendar\"], \"slack\": []}");
    cr_assert(cJSON_Compare(jobj(got, "scopes"), want, true), "scopes not stored as sent");
    cJSON_Delete(want);
    want = cJSON_Parse("{\"team\": \"ops\", \"n\": 3, \"deep\": {\"a\": [1, null]}}");
    cr_assert(cJSON_Compare(jobj(got, "metadata"), want, true), "metadata not stored as sent");
    cJSON_Delete(want);
    cr_assert_eq(jnum(jobj(got, "policy"), "rate_limit_rpm"), 60);
    cr_assert(jbool(jobj(got, "policy"), "require_approval"));
    cr_assert_str_eq(jstr(got, "display_name"), "Full Agent ✓");
    cr_assert_str_eq(jstr(got, "type"), "service");
    cr_assert_str_eq(jstr(got, "name"), name);
    cJSON_Delete(got);
    cJSON_Delete(a);
}

Test(alter_agents, create_rejects_each_invalid_field) {
    tenant_new(&T);
    static const char *const cases[][2] = {
        {"{}", "name"},
        {"{\"name\": null}", "name"},
        {"{\"name\": 7}", "name"},
        {"{\"name\": \"a\"}", "name"}, /* 2 to 63 characters */
        {"{\"name\": \"Upper\"}", "name"},
        {"{\"name\": \"-lead\"}", "name"},
        {"{\"name\": \"_lead\"}", "name"},
        {"{\"name\": \"has space\"}", "name"},
        {"{\"name\": \"dot.ted\"}", "name"},
        {"{\"name\": \"ok-name\", \"display_name\": 5}", "display_name"},
        {"{\"name\": \"ok-name\", \"type\": \"robot\"}", "type"},
        {"{\"name\": \"ok-name\", \"scopes\": [\"google\"]}", "scopes"},
        {"{\"name\": \"ok-name\", \"scopes\": {\"google\": \"gmail\"}}", "scopes.google"},
        {"{\"name\": \"ok-name\", \"scopes\": {\"google\": [1]}}", "scopes.google[0]"},
        {"{\"name\": \"ok-name\", \"scopes\": {\"google\": [\"a\", \"\"]}}", "scopes.google[1]"},
        {"{\"name\": \"ok-name\", \"scopes\": {\"google\": [\"a\", \"a\"]}}", "scopes.google[1]"},
        {"{\"name\": \"ok-name\", \"scopes\": {\"\": [\"a\"]}}", "scopes."},
        {"{\"name\": \"ok-name\", \"scopes\": {\"g\": [\"a\"], \"g\": [\"b\"]}}", "scopes"},
        {"{\"name\": \"ok-name\", \"metadata\": [1]}", "metadata"},
        {"{\"name\": \"ok-name\", \"metadata\": \"x\"}", "metadata"},
        {"{\"name\": \"ok-name\", \"metadata\": {\"k\": 1, \"k\": 2}}", "metadata"},
        {"{\"name\": \"ok-name\", \"policy\": true}", "policy"},
        {"{\"name\": \"ok-name\", \"policy\": {\"rate_limit_rpm\": 0}}", "policy.rate_limit_rpm"},
        {"{\"name\": \"ok-name\", \"policy\": {\"rate_limit_rpm\": 1.5}}", "policy.rate_limit_rpm"},
        {"{\"name\": \"ok-name\", \"policy\": {\"rate_limit_rpm\": \"60\"}}",
         "policy.rate_limit_rpm"},
        {"{\"name\": \"ok-name\", \"policy\": {\"ip_allowlist\": \"10.0.0.0/8\"}}",
         "policy.ip_allowlist"},
        {"{\"name\": \"ok-name\", \"policy\": {\"ip_allowlist\": [\"10.0.0.0/33\"]}}",
         "policy.ip_allowlist[0]"},
        {"{\"name\": \"ok-name\", \"policy\": {\"ip_allowlist\": [\"1.2.3.4\", \"nope\"]}}",
         "policy.ip_allowlist[1]"},
        {"{\"name\": \"ok-name\", \"policy\": {\"time_window\": {\"start\": \"24:00\", \"end\": "
         "\"10:00\"}}}",
         "policy.time_window.start"},
        {"{\"name\": \"ok-name\", \"policy\": {\"time_window\": {\"start\": \"09:00\", \"end\": "
         "\"9:60\"}}}",
         "policy.time_window.end"},
        {"{\"name\": \"ok-name\", \"policy\": {\"time_window\": {\"start\": \"09:00\", \"end\": "
         "\"10:00\", "
         "\"tz\": \"Europe/Paris\"}}}",
         "policy.time_window.tz"},
        {"{\"name\": \"ok-name\", \"policy\": {\"time_window\": \"09-17\"}}", "policy.time_window"},
        {"{\"name\": \"ok-name\", \"policy\": {\"require_approval\": \"yes\"}}",
         "policy.require_approval"},
        {"{\"name\": \"ok-name\", \"policy\": {\"rate_limt_rpm\": 5}}", "policy.rate_limt_rpm"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_create_rejected(cases[i][0], cases[i][1]);
    /* lengths at and past each limit */
    char name63[64], name64[65];
    memset(name63, 'a', 63);
    name63[63] = '\0';
    memset(name64, 'a', 64);
    name64[64] = '\0';
    expect_create_rejected(fmt("{\"name\": \"%s\"}", name64), "name");
    char dn[202];
    memset(dn, 'd', 201);
    dn[201] = '\0';
    expect_create_rejected(fmt("{\"name\": \"ok-name\", \"display_name\": \"%s\"}", dn),
                           "display_name");
    char *big = malloc(8300);
    int n = snprintf(big, 8300, "{\"name\": \"ok-name\", \"metadata\": {\"blob\": \"");
    memset(big + n, 'm', 8200);
    snprintf(big + n + 8200, 8300 - (size_t)n - 8200, "\"}}");
    expect_create_rejected(big, "metadata");
    /* 8192 bytes of compact JSON is the limit: {"blob":"<8181 m>"} */
    n = snprintf(big, 8300, "{\"name\": \"%s\", \"metadata\": {\"blob\": \"",
                 alter_name(&T, "meta"));
    memset(big + n, 'm', 8181);
    snprintf(big + n + 8181, 8300 - (size_t)n - 8181, "\"}}");
    cJSON_Delete(alter_create(&T, big));
    n = snprintf(big, 8300, "{\"name\": \"%s\", \"metadata\": {\"blob\": \"",
                 alter_name(&T, "meta2"));
    memset(big + n, 'm', 8182);
    snprintf(big + n + 8182, 8300 - (size_t)n - 8182, "\"}}");
    expect_create_rejected(big, "metadata");
    free(big);
    /* every field error at once */
    struct http_resp r;
    alter_http("POST", "/sdk/agents", alter_key(&T),
               "{\"name\": \"BAD\", \"type\": 1, \"metadata\": 2, \"policy\": {\"x\": 1}}", NULL,
               &r);
    expect_alter_field_error(&r, "name");
    expect_alter_field_error(&r, "type");
    expect_alter_field_error(&r, "metadata");
    expect_alter_field_error(&r, "policy.x");
    http_resp_free(&r);
    /* the limits themselves are accepted */
    require_mock(); /* the rest creates agents named without the tag */
    dn[200] = '\0';
    cJSON *a = alter_create(&T, fmt("{\"name\": \"%s\", \"display_name\": \"%s\"}", name63, dn));
    cJSON_Delete(a);
    a = alter_create(&T, "{\"name\": \"ab\", \"display_name\": \"\"}");
    cJSON_Delete(a);
    a = alter_create(&T, "{\"name\": \"0_-x\"}");
    cJSON_Delete(a);
}

Test(alter_agents, names_are_unique_among_live_agents_only) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "dup");
    alter_call_error("POST", "/sdk/agents", alter_key(&T),
                     fmt("{\"name\": \"%s\"}", jstr(a, "name")), NULL, 409, "agent_name_exists");
    cJSON_Delete(
        alter_expect("DELETE", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, 200));
    cJSON *b = alter_create(&T, fmt("{\"name\": \"%s\"}", jstr(a, "name"))); /* free again */
    cr_assert_str_neq(jstr(b, "id"), jstr(a, "id"));
    cJSON *by = alter_expect("GET", fmt("/sdk/agents/by-name/%s", jstr(a, "name")), alter_key(&T),
                             NULL, 200);
    cr_assert_str_eq(jstr(by, "id"), jstr(b, "id"), "by-name must find the live agent");
    cJSON_Delete(by);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(alter_agents, list_pages_oldest_first_with_total_and_has_more) {
    require_mock();
    tenant_new(&T);
    char ids[5][40];
    for (int i = 0; i < 5; i++) {
        cJSON *a = alter_create_named(&T, fmt("list%d", i));
        snprintf(ids[i], sizeof ids[i], "%s", jstr(a, "id"));
        cJSON_Delete(a);
    }
    cJSON_Delete(alter_expect("DELETE", fmt("/sdk/agents/%s", ids[1]), alter_key(&T), NULL, 200));
    cJSON *j = alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200);
    cr_assert_eq(jnum(j, "total"), 4);
    cr_assert_eq(jnum(j, "limit"), 100);
    cr_assert_eq(jnum(j, "offset"), 0);
    cr_assert(!jbool(j, "has_more"));
    const char *live[] = {ids[0], ids[2], ids[3], ids[4]};
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, jarr(j, "agents")) {
        expect_agent_info(it);
        cr_assert_str_eq(jstr(it, "id"), live[i++],
                         "list is not oldest first / holds a revoked agent");
    }
    cJSON_Delete(j);
    j = alter_expect("GET", "/sdk/agents?limit=2&offset=1", alter_key(&T), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "agents")), 2);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(j, "agents"), 0), "id"), ids[2]);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(j, "agents"), 1), "id"), ids[3]);
    cr_assert(jbool(j, "has_more") && jnum(j, "total") == 4 && jnum(j, "limit") == 2 &&
              jnum(j, "offset") == 1);
    cJSON_Delete(j);
    j = alter_expect("GET", "/sdk/agents?limit=2&offset=2", alter_key(&T), NULL, 200);
    cr_assert(!jbool(j, "has_more"), "the last page has has_more");
    cJSON_Delete(j);
    j = alter_expect("GET", "/sdk/agents?offset=10", alter_key(&T), NULL, 200);
    cr_assert(cJSON_GetArraySize(jarr(j, "agents")) == 0 && !jbool(j, "has_more") &&
              jnum(j, "total") == 4);
    cJSON_Delete(j);
    j = alter_expect("GET", "/sdk/agents?include_revoked=true&limit=1000", alter_key(&T), NULL,
                     200);
    cr_assert_eq(jnum(j, "total"), 5);
    const cJSON *revoked = cJSON_GetArrayItem(jarr(j, "agents"), 1);
    cr_assert_str_eq(jstr(revoked, "id"), ids[1]);
    cr_assert_str_eq(jstr(revoked, "status"), "revoked");
    cJSON_Delete(j);
    j = alter_expect("GET", "/sdk/agents?include_revoked=false", alter_key(&T), NULL, 200);
    cr_assert_eq(jnum(j, "total"), 4);
    cJSON_Delete(j);
}

Test(alter_agents, list_rejects_bad_parameters) {
    tenant_new(&T);
    static const char *const cases[][2] = {
        {"limit=0", "limit"},
        {"limit=1001", "limit"},
        {"limit=x", "limit"},
        {"offset=-1", "offset"},
        {"offset=1.5", "offset"},
        {"include_revoked=yes", "include_revoked"},
        {"include_revoked=1", "include_revoked"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        alter_call_field_error("GET", fmt("/sdk/agents?%s", cases[i][0]), alter_key(&T), NULL, NULL,
                               cases[i][1]);
    }
    cJSON_Delete(alter_expect("GET", "/sdk/agents?limit=1000&offset=0", alter_key(&T), NULL, 200));
    cJSON_Delete(alter_expect("GET", "/sdk/agents?limit=1", alter_key(&T), NULL, 200));
}

Test(alter_agents, get_and_get_by_name) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "findme");
    cJSON *g = alter_expect("GET", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, 200);
    expect_agent_info(g);
    cr_assert_str_eq(jstr(g, "name"), jstr(a, "name"));
    cr_assert_str_eq(jstr(g, "created_at"), jstr(a, "created_at"));
    cJSON_Delete(g);
    g = alter_expect("GET", fmt("/sdk/agents/by-name/%s", jstr(a, "name")), alter_key(&T), NULL,
                     200);
    cr_assert_str_eq(jstr(g, "id"), jstr(a, "id"));
    cJSON_Delete(g);
    static const char *const missing[] = {"/sdk/agents/00000000-0000-4000-8000-000000000000",
                                          "/sdk/agents/not-a-uuid",
                                          "/sdk/agents/by-name/no-such-agent-anywhere"};
    for (int i = 0; i < 3; i++) {
        alter_call_error("GET", missing[i], alter_key(&T), NULL, NULL, 404, "agent_not_found");
    }
    /* a deleted agent: get shows it revoked, by-name no longer finds it */
    cJSON_Delete(
        alter_expect("DELETE", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, 200));
    g = alter_expect("GET", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T), NULL, 200);
    cr_assert_str_eq(jstr(g, "status"), "revoked");
    cJSON_Delete(g);
    alter_call_error("GET", fmt("/sdk/agents/by-name/%s", jstr(a, "name")), alter_key(&T), NULL,
                     NULL, 404, "agent_not_found");
    cJSON_Delete(a);
}

Test(alter_agents, update_changes_display_name_metadata_policy_and_adds_scopes) {
    tenant_new(&T);
    cJSON *a = alter_create(&T, fmt("{\"name\": \"%s\", \"display_name\": \"Old\", \"scopes\": "
                                    "{\"google\": [\"gmail.readonly\"]}, \"metadata\": {\"a\": 1}}",
                                    alter_name(&T, "upd")));
    char path[96];
    snprintf(path, sizeof path, "/sdk/agents/%s", jstr(a, "id"));
    cJSON *u =
        alter_expect("PATCH", path, alter_key(&T),
                     "{\"display_name\": \"New\", \"metadata\": {\"b\": 2}, \"policy\": "
                     "{\"require_approval\": true}, \"scopes\": {\"google\": [\"gmail.readonly\", "
                     "\"gmail.send\"], \"slack\": [\"chat.write\"]}}",
                     200);
    expect_agent_info(u);
    cr_assert_str_eq(jstr(u, "display_name"), "New");
    cJSON *want = cJSON_Parse("{\"b\": 2}");
    cr_assert(cJSON_Compare(jobj(u, "metadata"), want, true), "metadata is replaced, not merged");
    cJSON_Delete(want);
    want = cJSON_Parse(
        "{\"google\": [\"gmail.readonly\", \"gmail.send\"], \"slack\": [\"chat.write\"]}");
    cr_assert(cJSON_Compare(jobj(u, "scopes"), want, true), "scopes not the full new map");
    cJSON_Delete(want);
    cr_assert(jbool(jobj(u, "policy"), "require_approval"));
    cr_assert_str_eq(jstr(u, "created_at"), jstr(a, "created_at"));
    cr_assert_str_eq(jstr(u, "name"), jstr(a, "name"));
    cJSON_Delete(u);
    /* what is not sent is kept; null clears the display name */
    u = alter_expect("PATCH", path, alter_key(&T), "{\"display_name\": null}", 200);
    cr_assert(jnull(u, "display_name"));
    cr_assert_eq(jnum(jobj(u, "metadata"), "b"), 2);
    cr_assert_eq(cJSON_GetArraySize(jobj(u, "scopes")), 2);
    cJSON_Delete(u);
    u = alter_expect("PATCH", path, alter_key(&T), "{}", 200); /* nothing to change */
    cr_assert(jnull(u, "display_name") && cJSON_GetArraySize(jobj(u, "scopes")) == 2);
    cJSON_Delete(u);
    cJSON *g = alter_expect("GET", path, alter_key(&T), NULL, 200);
    cr_assert(jnull(g, "display_name") && jbool(jobj(g, "policy"), "require_approval"));
    cJSON_Delete(g);
    cJSON_Delete(a);
}

Test(alter_agents, update_refuses_narrowing_scopes_renaming_and_bad_fields) {
    tenant_new(&T);
    cJSON *a = alter_create(&T, fmt("{\"name\": \"%s\", \"scopes\": {\"google\": [\"a\", \"b\"], "
                                    "\"slack\": [\"c\"]}}",
                                    alter_name(&T, "narrow")));
    char path[96];
    snprintf(path, sizeof path, "/sdk/agents/%s", jstr(a, "id"));
    static const char *const narrowing[] = {
        "{\"scopes\": {\"google\": [\"a\", \"b\"]}}",              /* drops a provider */
        "{\"scopes\": {\"google\": [\"a\"], \"slack\": [\"c\"]}}", /* drops a scope */
        "{\"scopes\": {}}",
        "{\"scopes\": {\"google\": [\"b\", \"x\"], \"slack\": [\"c\"]}, \"display_name\": \"x\"}",
    };
    for (int i = 0; i < 4; i++) {
        alter_call_error("PATCH", path, alter_key(&T), narrowing[i], NULL, 409,
                         "agent_scope_narrowing_not_supported");
    }
    static const char *const invalid[][2] = {
        {"{\"name\": \"renamed\"}", "name"},
        {"{\"name\": \"narrow\"}", "name"},
        {"{\"type\": \"service\"}", "type"},
        {"{\"display_name\": 3}", "display_name"},
        {"{\"metadata\": null}", "metadata"},
        {"{\"scopes\": {\"google\": \"a\"}}", "scopes.google"},
        {"{\"policy\": {\"rate_limit_rpm\": -1}}", "policy.rate_limit_rpm"},
    };
    for (int i = 0; i < 7; i++) {
        alter_call_field_error("PATCH", path, alter_key(&T), invalid[i][0], NULL, invalid[i][1]);
    }
    /* nothing changed, not even updated_at */
    cJSON *g = alter_expect("GET", path, alter_key(&T), NULL, 200);
    cJSON *want = cJSON_Parse("{\"google\": [\"a\", \"b\"], \"slack\": [\"c\"]}");
    cr_assert(cJSON_Compare(jobj(g, "scopes"), want, true), "a refused update changed scopes");
    cr_assert(jnull(g, "display_name") && !strcmp(jstr(g, "name"), jstr(a, "name")) &&
              !strcmp(jstr(g, "updated_at"), jstr(a, "updated_at")));
    cJSON_Delete(want);
    cJSON_Delete(g);
    alter_call_error("PATCH", "/sdk/agents/00000000-0000-4000-8000-000000000000", alter_key(&T),
                     "{\"display_name\": \"x\"}", NULL, 404, "agent_not_found");
    cJSON_Delete(a);
}

Test(alter_agents, delete_is_soft_revokes_every_key_and_repeats_unchanged) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "doomed");
    char path[96];
    snprintf(path, sizeof path, "/sdk/agents/%s", jstr(a, "id"));
    cJSON *k2 = alter_mint(&T, jstr(a, "id"));
    cJSON *d = alter_expect("DELETE", path, alter_key(&T), NULL, 200);
    expect_agent_info(d);
    cr_assert_str_eq(jstr(d, "status"), "revoked");
    cr_assert(!jnull(d, "revoked_at"));
    cJSON *again = alter_expect("DELETE", path, alter_key(&T), NULL, 200);
    cr_assert(cJSON_Compare(d, again, true), "a repeated delete changed the agent");
    cJSON_Delete(again);
    cJSON *keys = alter_expect("GET", fmt("%s/keys", path), alter_key(&T), NULL, 200);
    const cJSON *k;
    cr_assert_eq(cJSON_GetArraySize(jarr(keys, "items")), 2);
    cJSON_ArrayForEach(k, jarr(keys, "items")) {
        expect_agent_key(k);
        cr_assert_str_eq(jstr(k, "status"), "revoked");
    }
    cJSON_Delete(keys);
    const char *agent_keys[] = {jstr(a, "api_key"), jstr(k2, "api_key")};
    for (int i = 0; i < 2; i++) {
        alter_call_error("GET", "/sdk/agents/me", agent_keys[i], NULL, NULL, 401, "key_revoked");
    }
    /* every write on a deleted agent */
    alter_call_error("PATCH", path, alter_key(&T), "{\"display_name\": \"ghost\"}", NULL, 409,
                     "agent_revoked");
    alter_call_error("POST", fmt("%s/keys", path), alter_key(&T), NULL, NULL, 409, "agent_revoked");
    alter_call_error("DELETE", "/sdk/agents/00000000-0000-4000-8000-000000000000", alter_key(&T),
                     NULL, NULL, 404, "agent_not_found");
    cJSON_Delete(k2);
    cJSON_Delete(d);
    cJSON_Delete(a);
}
