/* §3 GET /agents/{id}/verify: public, exact shape, fingerprint checks. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* GET verify with no key; asserts 200 and the exact key set; caller deletes. */
static cJSON *verify(const char *id, const char *query) {
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/verify%s%s", id, query ? "?" : "", query ? query : ""), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    expect_request_id(&r);
    static const char *const keys[] = {"id", "name", "fingerprint", "environment", "status", "org_name",
                                       "trust_score", "operator_verified", "created_at", "verified", NULL};
    int n = 0;
    for (int i = 0; keys[i]; i++, n++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(r.json, keys[i]), "verify lacks \"%s\": %s", keys[i],
                  resp_excerpt(&r));
    cr_assert_eq(cJSON_GetArraySize(r.json), n, "verify must have exactly the contract's %d keys: %s", n,
                 resp_excerpt(&r));
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

Test(verify, fresh_agent_is_verified_with_exact_fields) {
    tenant_new(&T);
    cJSON *a = agent_register(&T, fmt("{\"name\":\"%s\",\"authorized_actions\":[\"a\"],\"spending_limit\":9,"
                                      "\"environment\":\"sandbox\"}", tname(&T, "Checked")));
    cJSON *v = verify(jstr(a, "id"), NULL);
    cr_assert_str_eq(jstr(v, "id"), jstr(a, "id"));
    cr_assert_str_eq(jstr(v, "name"), jstr(a, "name"));
    cr_assert_str_eq(jstr(v, "fingerprint"), jstr(a, "fingerprint"));
    cr_assert_str_eq(jstr(v, "environment"), "sandbox");
    cr_assert_str_eq(jstr(v, "status"), "active");
    cr_assert_str_eq(jstr(v, "created_at"), jstr(a, "created_at"));
    cr_assert_eq(jnum(v, "trust_score"), 500);
    if (T.operator_verified_known) cr_assert_eq(jbool(v, "operator_verified"), T.operator_verified);
    jstr(v, "org_name");
    if (T.name[0]) cr_assert_str_eq(jstr(v, "org_name"), T.name);
    cr_assert(jbool(v, "verified"));
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, org_name_and_operator_verified_come_from_the_org) {
    require_mock();
    tenant_new_with(&T, "{\"name\":\"Acme Verified Ops\",\"plan\":\"enterprise\",\"operator_verified\":true}");
    cJSON *a = agent_register_named(&T, "Vetted");
    cJSON *v = verify(jstr(a, "id"), NULL);
    cr_assert_str_eq(jstr(v, "org_name"), "Acme Verified Ops");
    cr_assert(jbool(v, "operator_verified"));
    cr_assert_eq(jnum(v, "trust_score"), jnum(jobj(a, "trust_record"), "score"));
    cr_assert(jbool(v, "verified"));
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, correct_fingerprint_param_is_verified) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Matching");
    cJSON *v = verify(jstr(a, "id"), fmt("fingerprint=%s", jstr(a, "fingerprint")));
    cr_assert(jbool(v, "verified"));
    cJSON_Delete(v);
    v = verify(jstr(a, "id"), fmt("fingerprint=%s", urlenc(jstr(a, "fingerprint")))); /* "sha256%3A..." */
    cr_assert(jbool(v, "verified"), "percent-encoded fingerprint must decode");
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, wrong_fingerprint_param_is_not_verified) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Mismatch");
    char wrong[80];
    snprintf(wrong, sizeof wrong, "%s", jstr(a, "fingerprint"));
    wrong[70] = wrong[70] == '0' ? '1' : '0';
    cJSON *v = verify(jstr(a, "id"), fmt("fingerprint=%s", wrong));
    cr_assert(!jbool(v, "verified"), "a wrong fingerprint verified");
    cr_assert_str_eq(jstr(v, "fingerprint"), jstr(a, "fingerprint"), "verify shows the stored fingerprint");
    cJSON_Delete(v);
    cJSON *b = agent_register_named(&T, "Other");
    v = verify(jstr(a, "id"), fmt("fingerprint=%s", jstr(b, "fingerprint")));
    cr_assert(!jbool(v, "verified"), "another agent's fingerprint verified");
    cJSON_Delete(v);
    cJSON_Delete(b);
    cJSON_Delete(a);
}

Test(verify, renamed_agent_still_verifies) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Original");
    const char *nn = tname(&T, "Rebranded");
    cJSON_Delete(agent_patch(&T, jstr(a, "id"), fmt("{\"name\":\"%s\"}", nn)));
    cJSON *v = verify(jstr(a, "id"), fmt("fingerprint=%s", jstr(a, "fingerprint")));
    cr_assert_str_eq(jstr(v, "name"), nn, "verify shows the current name");
    cr_assert_str_eq(jstr(v, "fingerprint"), jstr(a, "fingerprint"));
    cr_assert(jbool(v, "verified"), "the fingerprint is over the name as registered: a rename keeps it valid");
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, suspended_agent_still_verifies) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Paused");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    cJSON *v = verify(jstr(a, "id"), NULL);
    cr_assert_str_eq(jstr(v, "status"), "suspended");
    cr_assert(jbool(v, "verified"), "only deletion makes verified false");
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, deleted_agent_is_not_verified) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Retired");
    cJSON_Delete(agent_delete(&T, jstr(a, "id")));
    cJSON *v = verify(jstr(a, "id"), NULL);
    cr_assert_str_eq(jstr(v, "status"), "deleted");
    cr_assert(!jbool(v, "verified"));
    cJSON_Delete(v);
    v = verify(jstr(a, "id"), fmt("fingerprint=%s", jstr(a, "fingerprint")));
    cr_assert(!jbool(v, "verified"));
    cJSON_Delete(v);
    cJSON_Delete(a);
}

Test(verify, unknown_agent_is_404) {
    const char *ids[] = {"agent_0000000000000000", "xyz", "agent_UPPER"};
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("GET", fmt("/agents/%s/verify", ids[i]), NULL, NULL, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
}

Test(verify, fingerprint_recomputes) {
    /* the verify document carries every input of the fingerprint except org_id */
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Recompute");
    cJSON *v = verify(jstr(a, "id"), NULL);
    char fp[72];
    expected_fingerprint(jstr(v, "id"), jstr(a, "org_id"), jstr(v, "name"), jstr(v, "environment"),
                         jstr(v, "created_at"), fp);
    cr_assert_str_eq(jstr(v, "fingerprint"), fp);
    cJSON_Delete(v);
    cJSON_Delete(a);
}
