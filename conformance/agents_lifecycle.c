/* §3 suspend, reactivate (ext) and soft delete (ext). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tenant T;

static void expect_conflict(const char *method, const char *path, const char *key, const char *body) {
    struct http_resp r;
    http_call(method, path, key, body, NULL, &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
}

Test(lifecycle, suspend_sets_status_and_suspended_at) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Suspendee");
    cJSON *s = agent_action(&T, jstr(a, "id"), "suspend");
    cr_assert_str_eq(jstr(s, "status"), "suspended");
    cr_assert(is_rfc3339_utc_seconds(jstr(s, "suspended_at")), "suspended_at not set");
    cr_assert(strcmp(jstr(s, "suspended_at"), jstr(a, "created_at")) >= 0);
    cr_assert(jnull(s, "deleted_at"));
    cr_assert_str_eq(jstr(s, "fingerprint"), jstr(a, "fingerprint"));
    cr_assert_str_eq(jstr(s, "name"), jstr(a, "name"));
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert_str_eq(jstr(g, "status"), "suspended");
    cJSON_Delete(g);
    cJSON_Delete(s);
    cJSON_Delete(a);
}

Test(lifecycle, suspend_without_body_or_content_type_is_fine) {
    /* POST with no body must not be a 415: there is no body to type */
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Bodiless");
    struct http_req req = {.method = "POST", .path = fmt("/agents/%s/suspend", jstr(a, "id")),
                           .api_key = tkey_min(&T, KEY_WRITE), .content_type = ""};
    struct http_resp r;
    http_do(&req, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(lifecycle, suspend_with_empty_json_object_is_fine) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "EmptyBody");
    struct http_resp r;
    http_call("POST", fmt("/agents/%s/suspend", jstr(a, "id")), tkey_min(&T, KEY_WRITE), "{}", NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "status"), "suspended");
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(lifecycle, suspend_is_idempotent) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Twice");
    cJSON *s1 = agent_action(&T, jstr(a, "id"), "suspend");
    usleep(1100 * 1000); /* a second suspend one second later must not move suspended_at */
    cJSON *s2 = agent_action(&T, jstr(a, "id"), "suspend");
    char *x = cJSON_PrintUnformatted(s1), *y = cJSON_PrintUnformatted(s2);
    cr_assert(cJSON_Compare(s1, s2, 1), "second suspend changed the agent:\n%s\n%s", x, y);
    free(x);
    free(y);
    cJSON_Delete(s1);
    cJSON_Delete(s2);
    cJSON_Delete(a);
}

Test(lifecycle, suspend_unknown_is_404) {
    tenant_new(&T);
    struct http_resp r;
    http_call("POST", "/agents/agent_0000000000000000/suspend", tkey_min(&T, KEY_WRITE), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(lifecycle, reactivate_from_suspended) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Comeback");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    cJSON *r = agent_action(&T, jstr(a, "id"), "reactivate");
    cr_assert_str_eq(jstr(r, "status"), "active");
    cr_assert(jnull(r, "suspended_at"), "reactivated agent keeps suspended_at");
    cr_assert(jnull(r, "deleted_at"));
    cr_assert_str_eq(jstr(r, "fingerprint"), jstr(a, "fingerprint"));
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(cJSON_Compare(g, r, 1));
    cJSON_Delete(g);
    cJSON_Delete(r);
    cJSON_Delete(a);
}

Test(lifecycle, reactivate_active_is_409) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Awake");
    expect_conflict("POST", fmt("/agents/%s/reactivate", jstr(a, "id")), tkey_min(&T, KEY_WRITE), NULL);
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(cJSON_Compare(g, a, 1), "a 409 changed the agent");
    cJSON_Delete(g);
    cJSON_Delete(a);
}

Test(lifecycle, reactivate_unknown_is_404) {
    require_ext();
    tenant_new(&T);
    struct http_resp r;
    http_call("POST", "/agents/agent_0000000000000000/reactivate", tkey_min(&T, KEY_WRITE), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(lifecycle, delete_is_soft) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Doomed");
    cJSON *d = agent_delete(&T, jstr(a, "id"));
    cr_assert_str_eq(jstr(d, "status"), "deleted");
    cr_assert(is_rfc3339_utc_seconds(jstr(d, "deleted_at")), "deleted_at not set");
    cr_assert_str_eq(jstr(d, "fingerprint"), jstr(a, "fingerprint"));
    cr_assert_str_eq(jstr(d, "name"), jstr(a, "name"));
    cr_assert(cJSON_Compare(jarr(d, "authorized_actions"), jarr(a, "authorized_actions"), 1), "record's fields kept");
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(cJSON_Compare(g, d, 1), "GET of a deleted agent differs from the DELETE response");
    cJSON_Delete(g);
    cJSON_Delete(d);
    cJSON_Delete(a);
}

Test(lifecycle, delete_suspended_agent) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "SuspThenDel");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    cJSON *d = agent_delete(&T, jstr(a, "id"));
    cr_assert_str_eq(jstr(d, "status"), "deleted");
    cJSON_Delete(d);
    cJSON_Delete(a);
}

Test(lifecycle, delete_unknown_is_404) {
    require_ext();
    tenant_new(&T);
    struct http_resp r;
    http_call("DELETE", "/agents/agent_0000000000000000", tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(lifecycle, every_write_on_deleted_is_409) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Tombstone");
    const char *id = jstr(a, "id");
    cJSON *d = agent_delete(&T, id);
    const char *admin = tkey(&T, KEY_ADMIN);
    expect_conflict("PATCH", fmt("/agents/%s", id), admin, "{\"description\":\"zombie\"}");
    expect_conflict("POST", fmt("/agents/%s/suspend", id), admin, NULL);
    expect_conflict("POST", fmt("/agents/%s/reactivate", id), admin, NULL);
    expect_conflict("DELETE", fmt("/agents/%s", id), admin, NULL);
    cJSON *g = agent_get(&T, id);
    cr_assert(cJSON_Compare(g, d, 1), "a 409 changed the deleted agent");
    cJSON_Delete(g);
    cJSON_Delete(d);
    cJSON_Delete(a);
}

Test(lifecycle, suspend_deleted_is_409_with_write_key) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Buried");
    cJSON_Delete(agent_delete(&T, jstr(a, "id")));
    expect_conflict("POST", fmt("/agents/%s/suspend", jstr(a, "id")), tkey_min(&T, KEY_WRITE), NULL);
    cJSON_Delete(a);
}

Test(lifecycle, patch_validation_vs_conflict_on_deleted) {
    /* a deleted agent refuses writes: even a valid PATCH is a 409, never a 200 */
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Sealed");
    cJSON_Delete(agent_delete(&T, jstr(a, "id")));
    expect_conflict("PATCH", fmt("/agents/%s", jstr(a, "id")), tkey_min(&T, KEY_WRITE),
                    fmt("{\"name\":\"%s\"}", tname(&T, "Resurrected")));
    cJSON_Delete(a);
}
