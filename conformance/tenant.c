/* Tenants (one isolated org per test) and the agent helpers the tests share. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "canonical_json.h"

static const char *level_name[] = {"read", "write", "admin"};

static void new_tag(struct tenant *t) {
    unsigned char b[4];
    cr_assert(RAND_bytes(b, sizeof b) == 1, "RAND_bytes failed");
    snprintf(t->tag, sizeof t->tag, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
}

static void copy_str(char *dst, size_t n, const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    dst[0] = '\0';
    if (cJSON_IsString(v)) snprintf(dst, n, "%s", v->valuestring);
}

static void env_str(char *dst, size_t n, const char *var) {
    const char *v = getenv(var);
    snprintf(dst, n, "%s", v ? v : "");
}

static void tenant_live(struct tenant *t, const char *admin_var) {
    t->live = true;
    if (!strcmp(admin_var, "ALSORN_API_KEY")) {
        env_str(t->alter_key, sizeof t->alter_key, "ALTER_API_KEY");
        env_str(t->alter_app_id, sizeof t->alter_app_id, "ALTER_APP_ID");
    }
    env_str(t->key[KEY_ADMIN], sizeof t->key[KEY_ADMIN], admin_var);
    if (!t->key[KEY_ADMIN][0] && !t->alter_key[0]) /* an Alter-only run has no Alsorn key */
        cr_skip_test("live target: %s is not set", admin_var);
    if (!strcmp(admin_var, "ALSORN_API_KEY")) {
        env_str(t->key[KEY_READ], sizeof t->key[KEY_READ], "ALSORN_READ_KEY");
        env_str(t->key[KEY_WRITE], sizeof t->key[KEY_WRITE], "ALSORN_WRITE_KEY");
        env_str(t->org_id, sizeof t->org_id, "ALSORN_ORG_ID");
        env_str(t->user_id, sizeof t->user_id, "ALSORN_USER_ID");
        env_str(t->name, sizeof t->name, "ALSORN_ORG_NAME");
        const char *ov = getenv("ALSORN_OPERATOR_VERIFIED");
        if (ov && (!strcmp(ov, "0") || !strcmp(ov, "1"))) {
            t->operator_verified_known = true;
            t->operator_verified = ov[0] == '1';
        }
    }
}

void tenant_new_with(struct tenant *t, const char *org_body_json) {
    memset(t, 0, sizeof *t);
    new_tag(t);
    if (!target_is_mock()) {
        if (org_body_json) cr_skip_test("needs agentmock sandbox controls (/_mock); target is live");
        tenant_live(t, "ALSORN_API_KEY");
        return;
    }
    char body[512];
    if (!org_body_json) {
        snprintf(body, sizeof body, "{\"name\": \"Conformance %s\"}", t->tag);
        org_body_json = body;
    }
    struct http_resp r;
    http_call("POST", "/_mock/orgs", NULL, org_body_json, NULL, &r);
    cr_assert(r.status == 201 && r.json, "POST /_mock/orgs %s: expected 201, got %ld: %s",
              org_body_json, r.status, resp_excerpt(&r));
    copy_str(t->org_id, sizeof t->org_id, r.json, "id");
    copy_str(t->user_id, sizeof t->user_id, r.json, "user_id");
    copy_str(t->name, sizeof t->name, r.json, "name");
    copy_str(t->plan, sizeof t->plan, r.json, "plan");
    t->operator_verified = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "operator_verified"));
    t->operator_verified_known = true;
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(r.json, "keys");
    for (int l = KEY_READ; l <= KEY_ADMIN; l++) copy_str(t->key[l], sizeof t->key[l], keys, level_name[l]);
    const cJSON *alter = cJSON_GetObjectItemCaseSensitive(r.json, "alter");
    copy_str(t->alter_app_id, sizeof t->alter_app_id, alter, "app_id");
    copy_str(t->alter_key, sizeof t->alter_key, alter, "app_key");
    if (t->org_id[0]) shared_mock_org_created(t->org_id);
    cr_assert(has_prefix_alnum(t->org_id, "org_") && has_prefix_alnum(t->user_id, "user_") &&
                  t->key[KEY_READ][0] && t->key[KEY_WRITE][0] && t->key[KEY_ADMIN][0],
              "POST /_mock/orgs: unexpected body %s", resp_excerpt(&r));
    http_resp_free(&r);
}

void tenant_new(struct tenant *t) { tenant_new_with(t, NULL); }

void tenant_other(struct tenant *t) {
    if (target_is_mock()) {
        tenant_new(t);
        return;
    }
    memset(t, 0, sizeof *t);
    new_tag(t);
    tenant_live(t, "ALSORN_OTHER_API_KEY"); /* skips when unset */
}

const char *tkey(struct tenant *t, enum key_level level) {
    if (!t->key[level][0])
        cr_skip_test("needs a %s key; the live target gave none (set ALSORN_%s_KEY)", level_name[level],
                     level == KEY_READ ? "READ" : level == KEY_WRITE ? "WRITE" : "API");
    return t->key[level];
}

const char *tkey_min(struct tenant *t, enum key_level level) {
    for (int l = level; l <= KEY_ADMIN; l++)
        if (t->key[l][0]) return t->key[l];
    return tkey(t, level);
}

void mock_revoke_key(const char *key) {
    require_mock();
    char body[256];
    snprintf(body, sizeof body, "{\"key\": \"%s\"}", key);
    struct http_resp r;
    http_call("POST", "/_mock/keys/revoke", NULL, body, NULL, &r);
    cr_assert(r.status == 200 && r.json &&
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "revoked")),
              "POST /_mock/keys/revoke: expected 200 {\"revoked\":true}, got %ld: %s", r.status,
              resp_excerpt(&r));
    http_resp_free(&r);
}

/* ---- agents -------------------------------------------------------------------------------- */

const char *tname(const struct tenant *t, const char *base) { return fmt("%s %s", base, t->tag); }

char *agent_body(const char *name) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON *acts = cJSON_AddArrayToObject(o, "authorized_actions");
    cJSON_AddItemToArray(acts, cJSON_CreateString("execute_trades"));
    cJSON_AddNumberToObject(o, "spending_limit", 50000);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

cJSON *expect_register_ok_at(const char *file, int line, struct tenant *t, const char *body) {
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(t, KEY_WRITE), body, NULL, &r);
    cr_assert(r.status == 201 && r.json,
              "%s:%d: POST /agents %.300s: expected 201, got %ld: %s", file, line, body, r.status,
              resp_excerpt(&r));
    expect_request_id_at(file, line, &r);
    cJSON *a = r.json;
    r.json = NULL;
    http_resp_free(&r);
    expect_agent_shape_at(file, line, a);
    return a;
}

cJSON *agent_register(struct tenant *t, const char *body) {
    return expect_register_ok_at(__FILE__, __LINE__, t, body);
}

cJSON *agent_register_named(struct tenant *t, const char *base_name) {
    char *body = agent_body(tname(t, base_name));
    cJSON *a = agent_register(t, body);
    free(body);
    return a;
}

static cJSON *take_json(struct http_resp *r, long status) {
    cr_assert(r->status == status && r->json, "%s: expected HTTP %ld, got %ld: %s", r->request,
              status, r->status, resp_excerpt(r));
    cJSON *j = r->json;
    r->json = NULL;
    http_resp_free(r);
    return j;
}

cJSON *agent_get(struct tenant *t, const char *id) {
    struct http_resp r;
    http_call("GET", fmt("/agents/%s", id), tkey_min(t, KEY_READ), NULL, NULL, &r);
    return take_json(&r, 200);
}

int agent_count(struct tenant *t) {
    struct http_resp r;
    const char *path = t->live ? fmt("/agents?limit=1&search=%s", t->tag) : "/agents?limit=1";
    http_call("GET", path, tkey_min(t, KEY_READ), NULL, NULL, &r);
    cJSON *j = take_json(&r, 200);
    int total = (int)jnum(jobj(j, "pagination"), "total");
    cJSON_Delete(j);
    return total;
}

cJSON *agent_action(struct tenant *t, const char *id, const char *action) {
    struct http_resp r;
    http_call("POST", fmt("/agents/%s/%s", id, action), tkey_min(t, KEY_WRITE), NULL, NULL, &r);
    cJSON *a = take_json(&r, 200);
    expect_agent_shape(a);
    return a;
}

cJSON *agent_delete(struct tenant *t, const char *id) {
    struct http_resp r;
    http_call("DELETE", fmt("/agents/%s", id), tkey(t, KEY_ADMIN), NULL, NULL, &r);
    cJSON *a = take_json(&r, 200);
    expect_agent_shape(a);
    return a;
}

cJSON *agent_patch(struct tenant *t, const char *id, const char *body) {
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", id), tkey_min(t, KEY_WRITE), body, NULL, &r);
    cJSON *a = take_json(&r, 200);
    expect_agent_shape(a);
    return a;
}

cJSON *audit_all(struct tenant *t, const char *id) {
    cJSON *all = cJSON_CreateArray();
    for (int page = 1; page < 100; page++) {
        struct http_resp r;
        http_call("GET", fmt("/agents/%s/audit?page=%d&limit=100", id, page), tkey_min(t, KEY_READ),
                  NULL, NULL, &r);
        cJSON *j = take_json(&r, 200);
        const cJSON *data = jarr(j, "data");
        int total = (int)jnum(jobj(j, "pagination"), "total");
        const cJSON *e;
        cJSON_ArrayForEach(e, data) cJSON_AddItemToArray(all, cJSON_Duplicate(e, 1));
        int n = cJSON_GetArraySize(data);
        cJSON_Delete(j);
        if (n == 0 || cJSON_GetArraySize(all) >= total) break;
    }
    return all;
}

void expected_fingerprint(const char *id, const char *org_id, const char *name,
                          const char *environment, const char *created_at, char out[72]) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "org_id", org_id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "environment", environment);
    cJSON_AddStringToObject(o, "created_at", created_at);
    cr_assert(canonical_sha256(o, out) == 0, "canonical_sha256 failed");
    cJSON_Delete(o);
}

static bool one_of(const char *s, const char *const *set) {
    for (; *set; set++)
        if (!strcmp(s, *set)) return true;
    return false;
}

static bool ts_or_null(const cJSON *a, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);
    return cJSON_IsNull(v) || (cJSON_IsString(v) && is_rfc3339_utc_seconds(v->valuestring));
}

void expect_agent_shape_at(const char *file, int line, const cJSON *a) {
    static const char *const fields[] = {
        "id", "name", "description", "fingerprint", "environment", "status", "authorized_actions",
        "spending_limit", "currency", "org_id", "owner_id", "created_at", "updated_at",
        "suspended_at", "deleted_at", "trust_record", NULL};
    static const char *const tr_fields[] = {"id", "agent_id", "score", "total_tasks", "disputes",
                                            "completion_rate", "tenure_days", "operator_verified",
                                            "last_evaluated", NULL};
    static const char *const envs[] = {"production", "staging", "sandbox", NULL};
    static const char *const statuses[] = {"active", "suspended", "deleted", NULL};
    char *s = cJSON_PrintUnformatted(a);
    cr_assert(cJSON_IsObject(a), "%s:%d: Agent is not an object: %.400s", file, line, s);
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(a, fields[i]),
                  "%s:%d: Agent lacks \"%s\": %.800s", file, line, fields[i], s);
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(a, "description");
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(a, "authorized_actions");
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(a, "currency");
    bool ok = has_prefix_alnum(jstr(a, "id"), "agent_") && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "name")) &&
              (cJSON_IsNull(desc) || cJSON_IsString(desc)) && is_sha256_tagged(jstr(a, "fingerprint")) &&
              one_of(jstr(a, "environment"), envs) && one_of(jstr(a, "status"), statuses) &&
              cJSON_IsArray(acts) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(a, "spending_limit")) &&
              cJSON_IsString(cur) && strlen(cur->valuestring) == 3 &&
              has_prefix_alnum(jstr(a, "org_id"), "org_") && has_prefix_alnum(jstr(a, "owner_id"), "user_") &&
              is_rfc3339_utc_seconds(jstr(a, "created_at")) && is_rfc3339_utc_seconds(jstr(a, "updated_at")) &&
              ts_or_null(a, "suspended_at") && ts_or_null(a, "deleted_at");
    cr_assert(ok, "%s:%d: Agent field types/formats wrong: %.800s", file, line, s);
    const cJSON *it;
    cJSON_ArrayForEach(it, acts) cr_assert(cJSON_IsString(it), "%s:%d: authorized_actions holds a non-string: %.800s", file, line, s);
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(a, "trust_record");
    cr_assert(cJSON_IsObject(tr), "%s:%d: trust_record is not an object: %.800s", file, line, s);
    for (int i = 0; tr_fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(tr, tr_fields[i]),
                  "%s:%d: trust_record lacks \"%s\": %.800s", file, line, tr_fields[i], s);
    ok = has_prefix_alnum(jstr(tr, "id"), "tr_") && !strcmp(jstr(tr, "agent_id"), jstr(a, "id")) &&
         cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "score")) &&
         cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "total_tasks")) &&
         cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "disputes")) &&
         cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "completion_rate")) &&
         cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "tenure_days")) &&
         cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(tr, "operator_verified")) &&
         ts_or_null(tr, "last_evaluated");
    cr_assert(ok, "%s:%d: trust_record field types/formats wrong: %.800s", file, line, s);
    free(s);
}

void expect_register_rejected_at(const char *file, int line, struct tenant *t, const char *body,
                                 const char *field) {
    int before = agent_count(t);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(t, KEY_WRITE), body, NULL, &r);
    if (r.status != 422)
        cr_assert_fail("%s:%d: POST /agents %.300s: expected 422 naming \"%s\", got %ld: %s", file,
                       line, body, field, r.status, resp_excerpt(&r));
    expect_field_error_at(file, line, &r, field);
    http_resp_free(&r);
    int after = agent_count(t);
    cr_assert(after == before, "%s:%d: rejected POST /agents %.300s stored an agent (total %d -> %d)",
              file, line, body, before, after);
}
