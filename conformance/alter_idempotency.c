/* Alter §3 idempotent create: the same Idempotency-Key and body replay the agent (api_key
 * null, Idempotent-Replayed: true); another body is 422; a replay after a delete is 409.
 * (Expiry after 24 h of virtual time is covered by mock/tests/test_alter_idempotency.c.) */
#include "alter_harness.h"
#include "sandbox.h"

#include <string.h>

static struct tenant T;

static int count_named(struct tenant *t, const char *name) {
    if (!target_is_mock()) return -1;
    cJSON *j =
        alter_expect("GET", "/sdk/agents?include_revoked=true&limit=1000", alter_key(t), NULL, 200);
    int n = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, jarr(j, "agents")) n += !strcmp(jstr(a, "name"), name);
    cJSON_Delete(j);
    return n;
}

static void create_with_key(const char *idem, const char *body, struct http_resp *r) {
    char line[400];
    snprintf(line, sizeof line, "Idempotency-Key: %s", idem);
    const char *headers[] = {line, NULL};
    alter_http("POST", "/sdk/agents", alter_key(&T), body, headers, r);
}

Test(alter_idempotency, the_same_key_and_body_replay_the_agent_without_its_plaintext) {
    tenant_new(&T);
    const char *name = alter_name(&T, "idem");
    char body[200], idem[64];
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"metadata\": {\"a\": 1}, \"type\": \"service\"}", name);
    snprintf(idem, sizeof idem, "create-%s", T.tag);
    struct http_resp first, again;
    create_with_key(idem, body, &first);
    expect_status(&first, 201);
    cr_assert_null(resp_header(&first, "Idempotent-Replayed"), "a first create is not a replay");
    cr_assert(is_agent_key(jstr(first.json, "api_key")));
    /* the same body, members reordered and spaced differently: still the same body */
    char same[200];
    snprintf(same, sizeof same, "{ \"type\":\"service\",\"metadata\":{\"a\":1},  \"name\":\"%s\" }",
             name);
    create_with_key(idem, same, &again);
    expect_status(&again, 201);
    const char *replayed = resp_header(&again, "Idempotent-Replayed");
    cr_assert(replayed && !strcmp(replayed, "true"), "no Idempotent-Replayed: true on the replay");
    cr_assert(jnull(again.json, "api_key"), "a replay must not return the plaintext");
    expect_agent_info(again.json);
    cr_assert_str_eq(jstr(again.json, "id"), jstr(first.json, "id"));
    cr_assert_str_eq(jstr(again.json, "created_at"), jstr(first.json, "created_at"));
    cr_assert_str_eq(jstr(jobj(again.json, "key"), "key_id"),
                     jstr(jobj(first.json, "key"), "key_id"));
    if (target_is_mock()) cr_assert_eq(count_named(&T, name), 1, "a replay created a second agent");
    /* the original key still works; nothing else changed */
    cJSON_Delete(alter_expect("GET", "/sdk/agents/me", jstr(first.json, "api_key"), NULL, 200));
    http_resp_free(&first);
    http_resp_free(&again);
}

/* A replay wrote nothing: the journal says it was replayed, and the report, which judges a
 * repeated 4xx by whether anything was written in between, still names the repeat. */
Test(alter_idempotency, a_replay_is_journaled_as_one_and_writes_nothing_for_the_report) {
    require_mock();
    tenant_new(&T);
    char idem[64], body[128];
    snprintf(idem, sizeof idem, "journal-%s", T.tag);
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", alter_name(&T, "journal"));
    const char *missing = "/sdk/agents/00000000-0000-4000-8000-000000000000/keys";
    struct http_resp r;
    create_with_key(idem, body, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    alter_call_error("POST", missing, alter_key(&T), NULL, NULL, 404, "agent_not_found");
    create_with_key(idem, body, &r);
    expect_status(&r, 201);
    cJSON *journal = mock_call("GET", fmt("/_mock/requests?org_id=%s&limit=1", T.org_id), NULL, 200);
    const cJSON *newest = cJSON_GetArrayItem(jarr(journal, "data"), 0);
    cr_assert_str_eq(jstr(newest, "request_id"), resp_header(&r, "X-Request-Id"));
    cr_expect(jbool(newest, "idempotent_replayed"), "the journal does not mark the replay");
    cJSON_Delete(journal);
    http_resp_free(&r);
    alter_call_error("POST", missing, alter_key(&T), NULL, NULL, 404, "agent_not_found");
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "retry_of_non_retryable_status"), 1,
                 "the replay counted as a write: the repeated 404 went unnamed");
    cJSON_Delete(rep);
}

Test(alter_idempotency, another_body_with_the_same_key_is_a_mismatch) {
    tenant_new(&T);
    char idem[64];
    snprintf(idem, sizeof idem, "mismatch-%s", T.tag);
    struct http_resp r;
    create_with_key(idem, fmt("{\"name\": \"%s\"}", alter_name(&T, "one")), &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    create_with_key(idem, fmt("{\"name\": \"%s\"}", alter_name(&T, "two")), &r);
    expect_alter_error(&r, 422, "idempotency_key_body_mismatch");
    http_resp_free(&r);
    create_with_key(idem, fmt("{\"name\": \"%s\", \"display_name\": null}", alter_name(&T, "one")),
                    &r);
    expect_alter_error(&r, 422, "idempotency_key_body_mismatch");
    http_resp_free(&r);
    if (target_is_mock()) cr_assert_eq(count_named(&T, alter_name(&T, "two")), 0);
}

Test(alter_idempotency, a_replay_after_delete_is_agent_revoked) {
    tenant_new(&T);
    char idem[64], body[128];
    snprintf(idem, sizeof idem, "deleted-%s", T.tag);
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", alter_name(&T, "gone"));
    struct http_resp r;
    create_with_key(idem, body, &r);
    expect_status(&r, 201);
    cJSON_Delete(alter_expect("DELETE", fmt("/sdk/agents/%s", jstr(r.json, "id")), alter_key(&T),
                              NULL, 200));
    http_resp_free(&r);
    create_with_key(idem, body, &r);
    expect_alter_error(&r, 409, "idempotency_key_agent_revoked");
    http_resp_free(&r);
    /* a different body is still a mismatch, checked first */
    create_with_key(idem, fmt("{\"name\": \"%s\"}", alter_name(&T, "other")), &r);
    expect_alter_error(&r, 422, "idempotency_key_body_mismatch");
    http_resp_free(&r);
}

Test(alter_idempotency, the_key_is_checked_and_failed_creates_are_not_remembered) {
    tenant_new(&T);
    char long_key[257];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    struct http_resp r;
    create_with_key(long_key, fmt("{\"name\": \"%s\"}", alter_name(&T, "long")), &r);
    expect_alter_field_error(&r, "Idempotency-Key");
    http_resp_free(&r);
    const char *empty[] = {"Idempotency-Key;", NULL}; /* curl sends an empty value this way */
    alter_call_field_error("POST", "/sdk/agents", alter_key(&T),
                           fmt("{\"name\": \"%s\"}", alter_name(&T, "empty")), empty,
                           "Idempotency-Key");
    long_key[255] = '\0'; /* 255 is accepted */
    create_with_key(long_key, fmt("{\"name\": \"%s\"}", alter_name(&T, "long")), &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    /* a create that failed (validation, taken name) records nothing under its key */
    char idem[64];
    snprintf(idem, sizeof idem, "retry-%s", T.tag);
    create_with_key(idem, "{\"name\": \"NOPE\"}", &r);
    expect_alter_field_error(&r, "name");
    http_resp_free(&r);
    create_with_key(idem, fmt("{\"name\": \"%s\"}", alter_name(&T, "long")), &r);
    expect_alter_error(&r, 409, "agent_name_exists");
    http_resp_free(&r);
    create_with_key(idem, fmt("{\"name\": \"%s\"}", alter_name(&T, "fixed")), &r);
    expect_status(&r, 201);
    cr_assert(is_agent_key(jstr(r.json, "api_key")), "the first successful create is not a replay");
    http_resp_free(&r);
}

Test(alter_idempotency, keys_belong_to_one_app) {
    require_mock();
    tenant_new(&T);
    struct tenant other;
    const char *other_key = alter_other_key(&other);
    struct http_resp a, b;
    create_with_key("shared-key", "{\"name\": \"same-name\"}", &a);
    expect_status(&a, 201);
    const char *headers[] = {"Idempotency-Key: shared-key", NULL};
    alter_http("POST", "/sdk/agents", other_key, "{\"name\": \"same-name\"}", headers, &b);
    expect_status(&b, 201);
    cr_assert_null(resp_header(&b, "Idempotent-Replayed"));
    cr_assert_str_neq(jstr(a.json, "id"), jstr(b.json, "id"));
    http_resp_free(&a);
    http_resp_free(&b);
}
