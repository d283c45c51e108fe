/* Alter §1–§2: who may call what.  Keys (x-api-key or Bearer), their formats, revoked keys,
 * app-key scopes, agent identities on app-only routes, X-Alter-Caller, app isolation, and
 * the errors of the dispatcher (404, 405, 400 invalid_json) in Alter's envelope. */
#include "alter_harness.h"

#include <string.h>

static struct tenant T;

Test(alter_auth, x_api_key_and_bearer_are_both_accepted) {
    tenant_new(&T);
    struct http_resp r;
    alter_http("GET", "/sdk/agents", alter_key(&T), NULL, NULL, &r);
    expect_status(&r, 200);
    expect_request_id(&r);
    http_resp_free(&r);
    struct http_req req = {.method = "GET", .path = "/sdk/agents", .api_key = alter_key(&T)};
    http_do(&req, &r); /* Authorization: Bearer <key> */
    expect_status(&r, 200);
    cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r.json, "agents")));
    http_resp_free(&r);
}

Test(alter_auth, no_key_is_missing_key) {
    struct http_resp r;
    alter_call_error("GET", "/sdk/agents", NULL, NULL, NULL, 401, "missing_key");
    alter_call_error("POST", "/sdk/agents", NULL, "{\"name\": \"nobody\"}", NULL, 401,
                     "missing_key");
    /* an empty key is no key */
    const char *empty[] = {"x-api-key;", NULL};
    alter_call_error("GET", "/sdk/agents", NULL, NULL, empty, 401, "missing_key");
    struct http_req req = {.method = "GET", .path = "/sdk/agents", .authorization = "Bearer "};
    http_do(&req, &r);
    expect_alter_error(&r, 401, "missing_key");
    http_resp_free(&r);
}

Test(alter_auth, malformed_and_unknown_keys_are_invalid_key) {
    static const char *const bad[] = {
        "nonsense",
        "alter_key_app_short",
        "alter_key_app_0123456789abcdefghijklmnopqrstuv0", /* 33 characters */
        "alter_key_app_0123456789abcdefghijklmnopqrst!v",
        "als_7d000c63d2ffd7422886f26caab11839703ca0ee9de57ca7432053bf9b129cd3",
        "alter_key_app_0123456789ABCDEFghijklmnopqrstuv", /* well-formed, never issued */
        "alter_key_agent_0123456789ABCDEFghijklmnopqrstuv",
        "alter_rk_0123456789ABCDEFghij", /* the newer prefixes are well-formed too */
        "alter_ak_0123456789ABCDEFghij",
        "alter_dk_0123456789ABCDEFghij",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        alter_call_error("GET", "/sdk/agents", bad[i], NULL, NULL, 401, "invalid_key");
    }
    struct http_req req = {.method = "GET", .path = "/sdk/agents", .authorization = "Basic abc"};
    struct http_resp r;
    http_do(&req, &r);
    expect_alter_error(&r, 401, "invalid_key");
    http_resp_free(&r);
}

Test(alter_auth, a_revoked_app_key_is_key_revoked_at_once) {
    tenant_new(&T);
    char key[96];
    alter_scoped_key(&T, "[\"agents:read\"]", key);
    cJSON *ok = alter_expect("GET", "/sdk/agents", key, NULL, 200);
    cJSON_Delete(ok);
    alter_sandbox_revoke(key);
    alter_call_error("GET", "/sdk/agents", key, NULL, NULL, 401, "key_revoked");
}

/* The paths of one agent (a create result) and of its first key. */
struct agent_paths {
    char agent[128], by_name[128], keys[128], deprecate[192], undeprecate[192], revoke[192];
};

static void agent_paths_of(const cJSON *a, struct agent_paths *p) {
    const char *id = jstr(a, "id"), *key_id = jstr(jobj(a, "key"), "key_id");
    snprintf(p->agent, sizeof p->agent, "/sdk/agents/%s", id);
    snprintf(p->by_name, sizeof p->by_name, "/sdk/agents/by-name/%s", jstr(a, "name"));
    snprintf(p->keys, sizeof p->keys, "/sdk/agents/%s/keys", id);
    snprintf(p->deprecate, sizeof p->deprecate, "%s/%s/deprecate", p->keys, key_id);
    snprintf(p->undeprecate, sizeof p->undeprecate, "%s/%s/undeprecate", p->keys, key_id);
    snprintf(p->revoke, sizeof p->revoke, "%s/%s/revoke", p->keys, key_id);
}

/* Every app route with the scope it needs; {id}/{key} are filled with real objects. */
struct scoped_route {
    const char *method, *path, *body, *scope;
    long ok_status;
};

static void check_scopes(const struct scoped_route *routes, size_t n, const char *key,
                         const char *const *held) {
    for (size_t i = 0; i < n; i++) {
        bool allowed = false;
        for (const char *const *h = held; *h; h++)
            allowed |= !strcmp(*h, routes[i].scope);
        struct http_resp r;
        alter_http(routes[i].method, routes[i].path, key, routes[i].body, NULL, &r);
        if (allowed)
            cr_assert(r.status != 403, "%s %s with %s: unexpected 403: %s", routes[i].method,
                      routes[i].path, routes[i].scope, resp_excerpt(&r));
        else
            expect_alter_error(&r, 403, "insufficient_scope");
        http_resp_free(&r);
    }
}

Test(alter_auth, each_route_needs_its_scope_and_higher_agent_scopes_include_lower) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "scoped");
    struct agent_paths p;
    agent_paths_of(a, &p);
    const struct scoped_route routes[] = {
        {"GET", "/sdk/agents", NULL, "agents:read", 200},
        {"GET", p.agent, NULL, "agents:read", 200},
        {"GET", p.by_name, NULL, "agents:read", 200},
        {"POST", "/sdk/agents", "{\"name\": \"x\"}", "agents:write", 422},
        {"PATCH", p.agent, "{}", "agents:write", 200},
        {"GET", p.keys, NULL, "agents:admin", 200},
        {"POST", p.deprecate, NULL, "agents:admin", 200},
        {"POST", p.undeprecate, NULL, "agents:admin", 200},
        {"POST", p.revoke, "{\"force\": \"no\"}", "agents:admin", 422},
        {"POST", p.keys, "{\"name\": \"\"}", "agents:admin", 422},
        {"DELETE", "/sdk/agents/00000000-0000-4000-8000-000000000000", NULL, "agents:admin", 404},
        {"GET", "/sdk/audit", NULL, "audit_logs:read", 200},
        {"GET", "/sdk/audit/verify", NULL, "audit_logs:read", 200},
    };
    size_t n = sizeof routes / sizeof routes[0];
    char key[96];
    const char *none[] = {NULL};
    check_scopes(routes, n, alter_scoped_key(&T, "[]", key), none);
    const char *read[] = {"agents:read", NULL};
    check_scopes(routes, n, alter_scoped_key(&T, "[\"agents:read\"]", key), read);
    const char *write[] = {"agents:read", "agents:write", NULL};
    check_scopes(routes, n, alter_scoped_key(&T, "[\"agents:write\"]", key), write);
    const char *admin[] = {"agents:read", "agents:write", "agents:admin", NULL};
    check_scopes(routes, n, alter_scoped_key(&T, "[\"agents:admin\"]", key), admin);
    const char *audit[] = {"audit_logs:read", NULL};
    check_scopes(routes, n, alter_scoped_key(&T, "[\"audit_logs:read\"]", key), audit);
    const char *all[] = {"agents:read", "agents:write", "agents:admin", "audit_logs:read", NULL};
    check_scopes(routes, n, alter_key(&T), all); /* the provisioned key has every scope */
    cJSON_Delete(a);
}

Test(alter_auth, agent_identities_cannot_call_app_routes) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "worker");
    const char *id = jstr(a, "id"), *agent_key = jstr(a, "api_key");
    struct agent_paths p;
    agent_paths_of(a, &p);
    const char *routes[][3] = {
        {"POST", "/sdk/agents", "{\"name\": \"sub-agent\"}"},
        {"GET", "/sdk/agents", NULL},
        {"GET", p.agent, NULL},
        {"GET", p.by_name, NULL},
        {"PATCH", p.agent, "{\"display_name\": \"me\"}"},
        {"DELETE", p.agent, NULL},
        {"POST", p.keys, NULL},
        {"GET", p.keys, NULL},
        {"POST", p.deprecate, NULL},
        {"POST", p.undeprecate, NULL},
        {"POST", p.revoke, "{\"force\": true}"},
        {"GET", "/sdk/audit", NULL},
        {"GET", "/sdk/audit/verify", NULL},
    };
    char caller[96];
    snprintf(caller, sizeof caller, "X-Alter-Caller: %s", id);
    const char *as_caller[] = {caller, NULL};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        alter_call_error(routes[i][0], routes[i][1], agent_key, routes[i][2], NULL, 403,
                         "agent_cannot_mint_subagents");
        alter_call_error(routes[i][0], routes[i][1], alter_key(&T), routes[i][2], as_caller, 403,
                         "agent_cannot_mint_subagents");
    }
    /* nothing was done: still one agent, its one key active */
    cJSON *list = alter_expect("GET", p.keys, alter_key(&T), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(list, "items")), 1);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(list, "items"), 0), "status"), "active");
    cJSON_Delete(list);
    cJSON_Delete(a);
}

Test(alter_auth, me_with_a_bare_app_key_is_me_requires_agent_key) {
    tenant_new(&T);
    alter_call_error("GET", "/sdk/agents/me", alter_key(&T), NULL, NULL, 400,
                     "me_requires_agent_key");
}

Test(alter_auth, x_alter_caller_must_name_a_live_agent_of_the_app) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "caller");
    cJSON *b = alter_create_named(&T, "other");
    struct http_resp r;
    const char *unknown[] = {"X-Alter-Caller: 00000000-0000-4000-8000-000000000000", NULL};
    alter_call_error("GET", "/sdk/agents/me", alter_key(&T), NULL, unknown, 404, "agent_not_found");
    /* an agent key acts only as its own agent */
    const char *other[] = {fmt("X-Alter-Caller: %s", jstr(b, "id")), NULL};
    alter_call_error("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, other, 403,
                     "agent_cannot_mint_subagents");
    const char *self[] = {fmt("X-Alter-Caller: %s", jstr(a, "id")), NULL};
    alter_http("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, self, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "id"), jstr(a, "id"));
    http_resp_free(&r);
    /* a deleted agent cannot be acted as */
    cJSON_Delete(
        alter_expect("DELETE", fmt("/sdk/agents/%s", jstr(b, "id")), alter_key(&T), NULL, 200));
    alter_call_error("GET", "/sdk/agents/me", alter_key(&T), NULL, other, 409, "agent_revoked");
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(alter_auth, apps_are_isolated) {
    tenant_new(&T);
    struct tenant other;
    const char *other_key = alter_other_key(&other);
    cJSON *a = alter_create_named(&T, "private");
    const char *id = jstr(a, "id");
    struct agent_paths p;
    agent_paths_of(a, &p);
    const char *paths[][3] = {
        {"GET", p.agent, NULL},        {"PATCH", p.agent, "{\"display_name\": \"stolen\"}"},
        {"DELETE", p.agent, NULL},     {"POST", p.keys, NULL},
        {"GET", p.keys, NULL},         {"POST", p.revoke, "{\"force\": true}"},
        {"GET", p.by_name, NULL},      {"POST", p.deprecate, NULL},
        {"POST", p.undeprecate, NULL},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        alter_call_error(paths[i][0], paths[i][1], other_key, paths[i][2], NULL, 404,
                         "agent_not_found");
    }
    const char *as_caller[] = {fmt("X-Alter-Caller: %s", id), NULL};
    alter_call_error("GET", "/sdk/agents/me", other_key, NULL, as_caller, 404, "agent_not_found");
    /* the agent is untouched: same display name, key still works */
    cJSON *now = alter_expect("GET", fmt("/sdk/agents/%s", id), alter_key(&T), NULL, 200);
    cr_assert(jnull(now, "display_name") && !strcmp(jstr(now, "status"), "active"));
    cJSON_Delete(now);
    cJSON_Delete(alter_expect("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, 200));
    cJSON_Delete(a);
}

Test(alter_auth, dispatcher_errors_use_the_alter_envelope) {
    tenant_new(&T);
    const char *key = alter_key(&T);
    struct http_resp r;
    alter_call_error("GET", "/sdk/nothing-here", key, NULL, NULL, 404, "not_found");
    alter_http("PUT", "/sdk/agents", key, "{}", NULL, &r);
    expect_alter_error(&r, 405, "method_not_allowed");
    cr_assert(resp_header(&r, "Allow") && strstr(resp_header(&r, "Allow"), "POST") &&
                  strstr(resp_header(&r, "Allow"), "GET"),
              "405 without Allow: GET, POST");
    http_resp_free(&r);
    static const char *const bad_json[] = {"{", "[1, 2]", "\"name\"", "{\"name\": }"};
    for (size_t i = 0; i < 4; i++) {
        alter_call_error("POST", "/sdk/agents", key, bad_json[i], NULL, 400, "invalid_json");
    }
    cJSON *a = alter_create_named(&T, "json");
    alter_call_error("PATCH", fmt("/sdk/agents/%s", jstr(a, "id")), key,
                     "{\"display_name\": ", NULL, 400, "invalid_json");
    alter_call_error(
        "POST", fmt("/sdk/agents/%s/keys/%s/revoke", jstr(a, "id"), jstr(jobj(a, "key"), "key_id")),
        key, "nope", NULL, 400, "invalid_json");
    alter_http("POST", "/sdk/agents", key, NULL, NULL, &r); /* the body is required */
    expect_alter_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    cJSON_Delete(a);
}
