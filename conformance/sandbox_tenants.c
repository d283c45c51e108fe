/* Tenant controls: GET/PATCH /_mock/orgs/{id} and POST /_mock/reset (one org, or everything). */
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared */

#include <stdlib.h>
#include <string.h>

static struct tenant T;

Test(tenants, get_shows_the_settings) {
    require_mock();
    tenant_new_with(&T, "{\"name\": \"Shown Org\", \"plan\": \"growth\"}");
    cJSON_Delete(agent_register_named(&T, "Counted"));
    cJSON *o = mock_call("GET", fmt("/_mock/orgs/%s", T.org_id), NULL, 200);
    cr_assert_str_eq(jstr(o, "id"), T.org_id);
    cr_assert_str_eq(jstr(o, "name"), "Shown Org");
    cr_assert_str_eq(jstr(o, "plan"), "growth");
    cr_assert_str_eq(jstr(o, "user_id"), T.user_id);
    cr_assert(!jbool(o, "operator_verified"));
    cr_assert_eq(jnum(o, "max_agents"), 10000);
    cr_assert_eq(jnum(o, "rate_limit"), 10000);
    cr_assert_eq(jnum(o, "rate_window_seconds"), 3600);
    cr_assert_eq(jnum(o, "agents"), 1);
    cr_assert(is_rfc3339_utc_seconds(jstr(o, "created_at")));
    cr_assert_null(cJSON_GetObjectItem(o, "keys"), "keys are only shown when the org is created");
    cJSON_Delete(o);
    cJSON_Delete(mock_call("GET", "/_mock/orgs/org_nosuchorg000000", NULL, 404));
}

Test(tenants, patch_changes_what_the_api_does) {
    require_mock();
    tenant_new_with(&T, "{\"plan\": \"starter\"}");
    cJSON *a = agent_register_named(&T, "Verified Later");
    cr_assert(!jbool(jobj(a, "trust_record"), "operator_verified"));
    cJSON *o = org_patch(&T, "{\"operator_verified\": true, \"plan\": \"growth\", \"max_agents\": 1, "
                             "\"name\": \"Renamed Org\"}");
    cr_assert(jbool(o, "operator_verified"));
    cr_assert_str_eq(jstr(o, "plan"), "growth");
    cr_assert_eq(jnum(o, "max_agents"), 1);
    cr_assert_eq(jnum(o, "rate_limit"), 10000, "the plan brings its rate tier");
    cr_assert_str_eq(jstr(o, "name"), "Renamed Org");
    cJSON_Delete(o);
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(jbool(jobj(g, "trust_record"), "operator_verified"), "the agent's org is now verified");
    cJSON_Delete(g);
    struct http_resp r;
    char *body = agent_body(tname(&T, "Over Cap"));
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r);
    expect_error(&r, 403, "plan_limit_exceeded");
    http_resp_free(&r);
    o = org_patch(&T, "{\"plan\": \"enterprise\"}");
    cr_assert_eq(jnum(o, "max_agents"), 0, "a plan change brings the plan's cap (0: none)");
    cJSON_Delete(o);
    http_call("POST", "/agents", T.key[KEY_WRITE], body, NULL, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    free(body);
    cJSON_Delete(a);
}

Test(tenants, bad_patch_names_every_field_and_changes_nothing) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    http_call("PATCH", fmt("/_mock/orgs/%s", T.org_id), NULL,
              "{\"name\": \"\", \"plan\": \"gold\", \"operator_verified\": \"yes\", "
              "\"max_agents\": -1, \"rate_limit\": 0, \"rate_window_seconds\": 1.5}", NULL, &r);
    const char *fields[] = {"name", "plan", "operator_verified", "max_agents", "rate_limit",
                            "rate_window_seconds"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) expect_field_error(&r, fields[i]);
    http_resp_free(&r);
    http_call("PATCH", fmt("/_mock/orgs/%s", T.org_id), NULL, "[1]", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("PATCH", "/_mock/orgs/org_nosuchorg000000", NULL, "{\"plan\": \"growth\"}", NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON *o = mock_call("GET", fmt("/_mock/orgs/%s", T.org_id), NULL, 200);
    cr_assert_str_eq(jstr(o, "plan"), "enterprise");
    cr_assert_eq(jnum(o, "rate_limit"), 100000);
    cr_assert(!jbool(o, "operator_verified"));
    cJSON_Delete(o);
}

Test(tenants, reset_one_org_empties_it_and_keeps_its_keys) {
    require_mock();
    clock_hold_shared(); /* counts within a window of virtual time */
    struct tenant other;
    tenant_new(&T);
    tenant_new(&other);
    cJSON_Delete(agent_register_named(&T, "Gone"));
    cJSON_Delete(agent_register_named(&other, "Stays"));
    cJSON_Delete(org_patch(&T, "{\"rate_limit\": 50}"));
    const char *headers[] = {fmt("Idempotency-Key: before-reset-%s", T.tag), NULL};
    char *body = agent_body("Keyed Before Reset");
    struct http_resp r;
    http_call_h("POST", "/agents", T.key[KEY_WRITE], body, headers, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    fault_add(fmt("{\"action\": \"error\", \"method\": \"DELETE\", \"org_id\": \"%s\"}", T.org_id));
    http_call("GET", "/agents", NULL, NULL, NULL, &r); /* leave something in the report too */
    http_resp_free(&r);

    cJSON *done = mock_call("POST", "/_mock/reset", fmt("{\"org_id\": \"%s\"}", T.org_id), 200);
    cr_assert_str_eq(jstr(done, "org_id"), T.org_id);
    cJSON_Delete(done);

    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    long limit, rem;
    expect_rate_headers(&r, &limit, &rem, NULL);
    cr_assert_eq(limit, 50, "settings survive a reset");
    cr_assert_eq(rem, 49, "rate counters start over");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0, "the org's agents are gone");
    cr_assert_eq(agent_count(&other), 1, "another org is untouched");
    char *other_body = agent_body("Keyed After Reset");
    http_call_h("POST", "/agents", T.key[KEY_WRITE], other_body, headers, &r);
    expect_status(&r, 201); /* the key was forgotten: no 409 */
    http_resp_free(&r);
    http_call("DELETE", "/agents/agent_doesnotexist00", T.key[KEY_ADMIN], NULL, NULL, &r);
    expect_error(&r, 404, "not_found"); /* the org's fault rule went with it */
    http_resp_free(&r);
    cJSON *rep = report_of(&T);
    cr_assert_eq(coverage_count(rep, "POST", "/agents", "201"), 1, "the report starts over");
    cJSON_Delete(rep);
    free(body);
    free(other_body);
}

Test(tenants, bad_reset_changes_nothing) {
    require_mock();
    tenant_new(&T);
    cJSON_Delete(agent_register_named(&T, "Survivor"));
    struct http_resp r;
    http_call("POST", "/_mock/reset", NULL, "{\"org_id\": \"org_nosuchorg000000\"}", NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("POST", "/_mock/reset", NULL, "{\"org_id\": 5}", NULL, &r);
    expect_field_error(&r, "org_id");
    http_resp_free(&r);
    http_call("POST", "/_mock/reset", NULL, "{\"org_id\":", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 1);
}

Test(tenants, reset_everything_reloads_nothing, .timeout = 60) {
    own_mock_start(NULL);
    const char *seeded = "als_7d000c63d2ffd7422886f26caab11839703ca0ee9de57ca7432053bf9b129cd3";
    struct http_resp r;
    http_call("GET", "/agents", seeded, NULL, NULL, &r);
    expect_status(&r, 200); /* the fixtures' admin key (fixtures/seed.json) */
    http_resp_free(&r);
    tenant_new(&T);
    fault_add("{\"action\": \"latency\", \"latency_ms\": 1}");
    cJSON_Delete(mock_call("POST", "/_mock/clock", "{\"advance_seconds\": 3600}", 200));

    cJSON *done = mock_call("POST", "/_mock/reset", NULL, 200);
    cr_assert_str_eq(jstr(done, "reset"), "all");
    cJSON_Delete(done);

    cJSON *journal = mock_call("GET", "/_mock/requests", NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(journal, "data")), 0, "the journal is empty");
    cJSON_Delete(journal);
    http_call("GET", "/agents", seeded, NULL, NULL, &r);
    expect_error(&r, 401, "invalid_api_key"); /* seeded orgs are gone and not reloaded */
    http_resp_free(&r);
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    expect_error(&r, 401, "invalid_api_key");
    http_resp_free(&r);
    cJSON_Delete(mock_call("GET", fmt("/_mock/orgs/%s", T.org_id), NULL, 404));
    cJSON *faults = mock_call("GET", "/_mock/faults", NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(faults, "data")), 0);
    cJSON_Delete(faults);
    cJSON *clock = mock_call("GET", "/_mock/clock", NULL, 200);
    cr_assert_eq(jnum(clock, "offset_seconds"), 0);
    cJSON_Delete(clock);
    tenant_new(&T); /* and the sandbox goes on */
    cr_assert_eq(agent_count(&T), 0);
    own_mock_stop();
}

Test(tenants, delete_removes_the_org_and_its_keys) {
    require_mock();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Goes With Its Org");
    struct http_resp r;
    http_call("DELETE", fmt("/_mock/orgs/%s", T.org_id), NULL, NULL, NULL, &r);
    expect_status(&r, 204);
    http_resp_free(&r);
    cJSON_Delete(mock_call("GET", fmt("/_mock/orgs/%s", T.org_id), NULL, 404));
    http_call("GET", "/agents", T.key[KEY_ADMIN], NULL, NULL, &r);
    expect_error(&r, 401, "invalid_api_key");
    http_resp_free(&r);
    http_call("GET", "/sdk/agents", T.alter_key, NULL, NULL, &r);
    cr_assert_eq(r.status, 401, "the org's Alter app key must stop working: %ld %s", r.status,
                 r.body ? r.body : "");
    http_resp_free(&r);
    http_call("GET", fmt("/agents/%s/verify", jstr(a, "id")), NULL, NULL, NULL, &r);
    expect_status(&r, 404);
    http_resp_free(&r);
    /* deleting it again, or an org that never was: 404 not_found, nothing else changes */
    http_call("DELETE", fmt("/_mock/orgs/%s", T.org_id), NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    struct tenant other;
    tenant_new(&other);
    http_call("DELETE", "/_mock/orgs/org_nosuchorg000000", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("GET", "/agents", other.key[KEY_ADMIN], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON_Delete(a);
}
