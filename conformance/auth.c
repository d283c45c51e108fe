/* §1-§2 authentication, key levels and org isolation. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static const char HEX63[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";

static void expect_auth_error(const char *authorization, const char *code) {
    struct http_req req = {.method = "GET", .path = "/agents", .authorization = authorization};
    struct http_resp r;
    http_do(&req, &r);
    expect_error(&r, 401, code);
    http_resp_free(&r);
}

Test(auth, missing_header_is_401_missing_auth) {
    struct http_resp r;
    http_call("GET", "/agents", NULL, NULL, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
}

Test(auth, missing_header_on_post_is_401_and_stores_nothing) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Anon"));
    struct http_resp r;
    http_call("POST", "/agents", NULL, body, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
    free(body);
    cr_assert_eq(agent_count(&t), 0);
}

Test(auth, bearer_foo_is_invalid_auth_format) { expect_auth_error("Bearer foo", "invalid_auth_format"); }

Test(auth, basic_scheme_is_invalid_auth_format) {
    expect_auth_error("Basic dXNlcjpwYXNz", "invalid_auth_format");
}

Test(auth, key_with_63_hex_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer als_%s", HEX63), "invalid_auth_format");
}

Test(auth, key_with_65_hex_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer als_%sff", HEX63), "invalid_auth_format");
}

Test(auth, uppercase_hex_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer als_%sF", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDE"),
                      "invalid_auth_format");
}

Test(auth, non_hex_char_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer als_%sg", HEX63), "invalid_auth_format");
}

Test(auth, wrong_prefix_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer alt_%sf", HEX63), "invalid_auth_format");
}

Test(auth, key_without_bearer_is_invalid_auth_format) {
    expect_auth_error(fmt("als_%sf", HEX63), "invalid_auth_format");
}

Test(auth, bearer_without_key_is_invalid_auth_format) { expect_auth_error("Bearer", "invalid_auth_format"); }

Test(auth, trailing_garbage_after_key_is_invalid_auth_format) {
    expect_auth_error(fmt("Bearer als_%sf extra", HEX63), "invalid_auth_format");
}

Test(auth, unknown_wellformed_key_is_invalid_api_key) {
    expect_auth_error("Bearer als_0000000000000000000000000000000000000000000000000000000000000000",
                      "invalid_api_key");
}

Test(auth, revoked_key_is_revoked_api_key) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *write = tkey(&t, KEY_WRITE);
    struct http_resp r;
    http_call("GET", "/agents", write, NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    mock_revoke_key(write);
    http_call("GET", "/agents", write, NULL, NULL, &r);
    expect_error(&r, 401, "revoked_api_key");
    http_resp_free(&r);
    char *body = agent_body("After Revoke");
    http_call("POST", "/agents", write, body, NULL, &r);
    expect_error(&r, 401, "revoked_api_key");
    http_resp_free(&r);
    free(body);
    /* the org's other keys keep working */
    http_call("GET", "/agents", tkey(&t, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(jobj(r.json, "pagination"), "total"), 0, "revoked key stored an agent");
    http_resp_free(&r);
}

Test(auth, revoke_unknown_key_is_404) {
    require_mock();
    struct http_resp r;
    http_call("POST", "/_mock/keys/revoke", NULL,
              "{\"key\": \"als_1111111111111111111111111111111111111111111111111111111111111111\"}", NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(auth, read_key_cannot_register) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Reader"));
    struct http_resp r;
    http_call("POST", "/agents", tkey(&t, KEY_READ), body, NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    free(body);
    cr_assert_eq(agent_count(&t), 0, "a forbidden POST /agents stored an agent");
}

Test(auth, read_key_cannot_patch_suspend_reactivate) {
    struct tenant t;
    tenant_new(&t);
    const char *read = tkey(&t, KEY_READ);
    cJSON *a = agent_register_named(&t, "Guarded");
    const char *id = jstr(a, "id");
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", id), read, "{\"name\":\"Hijacked\"}", NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    http_call("POST", fmt("/agents/%s/suspend", id), read, NULL, NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    if (!ext_skipped()) {
        http_call("POST", fmt("/agents/%s/reactivate", id), read, NULL, NULL, &r);
        expect_error(&r, 403, "forbidden");
        http_resp_free(&r);
        http_call("DELETE", fmt("/agents/%s", id), read, NULL, NULL, &r);
        expect_error(&r, 403, "forbidden");
        http_resp_free(&r);
    }
    cJSON *now = agent_get(&t, id);
    cr_assert(cJSON_Compare(now, a, 1), "forbidden calls changed the agent");
    cJSON_Delete(now);
    cJSON_Delete(a);
}

Test(auth, read_key_can_read) {
    struct tenant t;
    tenant_new(&t);
    const char *read = tkey(&t, KEY_READ);
    cJSON *a = agent_register_named(&t, "Readable");
    const char *id = jstr(a, "id");
    const char *paths[] = {"/agents", fmt("/agents/%s", id), fmt("/agents/%s/audit", id)};
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("GET", paths[i], read, NULL, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
    cJSON_Delete(a);
}

Test(auth, write_key_cannot_delete) {
    require_ext();
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Undeletable");
    struct http_resp r;
    http_call("DELETE", fmt("/agents/%s", jstr(a, "id")), tkey(&t, KEY_WRITE), NULL, NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    cJSON *now = agent_get(&t, jstr(a, "id"));
    cr_assert_str_eq(jstr(now, "status"), "active");
    cr_assert(jnull(now, "deleted_at"));
    cJSON_Delete(now);
    cJSON_Delete(a);
}

Test(auth, write_key_can_register_patch_suspend_reactivate_and_read) {
    struct tenant t;
    tenant_new(&t);
    const char *w = tkey(&t, KEY_WRITE);
    char *body = agent_body(tname(&t, "Writer"));
    struct http_resp r;
    http_call("POST", "/agents", w, body, NULL, &r);
    expect_status(&r, 201);
    char id[128];
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    http_resp_free(&r);
    free(body);
    const struct { const char *m, *p, *b; bool ext; } calls[] = {
        {"GET", "/agents", NULL, false},
        {"GET", fmt("/agents/%s", id), NULL, false},
        {"PATCH", fmt("/agents/%s", id), "{\"description\":\"changed\"}", false},
        {"POST", fmt("/agents/%s/suspend", id), NULL, false},
        {"POST", fmt("/agents/%s/reactivate", id), NULL, true},
        {"GET", fmt("/agents/%s/audit", id), NULL, false},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        if (calls[i].ext && ext_skipped()) continue;
        http_call(calls[i].m, calls[i].p, w, calls[i].b, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
}

Test(auth, admin_key_can_do_everything) {
    struct tenant t;
    tenant_new(&t);
    const char *k = tkey(&t, KEY_ADMIN);
    char *body = agent_body(tname(&t, "Admined"));
    struct http_resp r;
    http_call("POST", "/agents", k, body, NULL, &r);
    expect_status(&r, 201);
    char id[128];
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    http_resp_free(&r);
    free(body);
    const struct { const char *m, *p, *b; bool ext; } calls[] = {
        {"GET", "/agents", NULL, false},
        {"GET", fmt("/agents/%s", id), NULL, false},
        {"PATCH", fmt("/agents/%s", id), "{\"spending_limit\": 10}", false},
        {"POST", fmt("/agents/%s/suspend", id), NULL, false},
        {"POST", fmt("/agents/%s/reactivate", id), NULL, true},
        {"GET", fmt("/agents/%s/audit", id), NULL, false},
        {"GET", fmt("/agents/%s/audit/verify", id), NULL, true},
        {"GET", fmt("/agents/%s/verify", id), NULL, false},
        {"DELETE", fmt("/agents/%s", id), NULL, true},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        if (calls[i].ext && ext_skipped()) continue;
        http_call(calls[i].m, calls[i].p, k, calls[i].b, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
}

/* Another org's agent is a 404 on every org-scoped route, never a 403, and stays unchanged. */
Test(auth, other_orgs_agent_is_404_everywhere) {
    struct tenant a, b;
    tenant_new(&a);
    tenant_other(&b);
    cJSON *ag = agent_register_named(&a, "Private");
    const char *id = jstr(ag, "id");
    const char *bk = tkey(&b, KEY_ADMIN);
    const struct { const char *m, *p, *b; bool ext; } calls[] = {
        {"GET", fmt("/agents/%s", id), NULL, false},
        {"PATCH", fmt("/agents/%s", id), "{\"name\":\"Stolen\"}", false},
        {"POST", fmt("/agents/%s/suspend", id), NULL, false},
        {"POST", fmt("/agents/%s/reactivate", id), NULL, true},
        {"DELETE", fmt("/agents/%s", id), NULL, true},
        {"GET", fmt("/agents/%s/audit", id), NULL, false},
        {"GET", fmt("/agents/%s/audit/verify", id), NULL, true},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        if (calls[i].ext && ext_skipped()) continue;
        struct http_resp r;
        http_call(calls[i].m, calls[i].p, bk, calls[i].b, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
    cJSON *now = agent_get(&a, id);
    cr_assert(cJSON_Compare(now, ag, 1), "another org's calls changed the agent");
    cJSON_Delete(now);
    cJSON_Delete(ag);
}

Test(auth, other_orgs_agents_are_not_listed) {
    struct tenant a, b;
    tenant_new(&a);
    tenant_other(&b);
    cJSON *ag = agent_register_named(&a, "Hidden");
    struct http_resp r;
    http_call("GET", fmt("/agents?search=%s", a.tag), tkey_min(&b, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(r.json, "data")), 0, "org B lists org A's agent: %s", resp_excerpt(&r));
    cr_assert_eq(jnum(jobj(r.json, "pagination"), "total"), 0);
    http_resp_free(&r);
    cJSON_Delete(ag);
}

Test(auth, verify_needs_no_key_and_works_across_orgs) {
    struct tenant a, b;
    tenant_new(&a);
    tenant_other(&b);
    cJSON *ag = agent_register_named(&a, "Public");
    const char *id = jstr(ag, "id");
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/verify", id), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "verified"));
    http_resp_free(&r);
    http_call("GET", fmt("/agents/%s/verify", id), tkey_min(&b, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "id"), id);
    cr_assert(jbool(r.json, "verified"));
    http_resp_free(&r);
    cJSON_Delete(ag);
}

Test(auth, auth_is_checked_before_not_found) {
    /* no key on an org-scoped route of an unknown agent: 401, not a 404 that would leak */
    struct http_resp r;
    http_call("GET", "/agents/agent_doesnotexist", NULL, NULL, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
}
