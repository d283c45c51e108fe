/* Helpers of the Alter tests; see alter_harness.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "alter_harness.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *alter_key(struct tenant *t) {
    if (!t->alter_key[0]) cr_skip_test("live target: ALTER_API_KEY is not set");
    return t->alter_key;
}

const char *alter_other_key(struct tenant *other) {
    if (target_is_mock()) {
        tenant_new(other);
        return alter_key(other);
    }
    memset(other, 0, sizeof *other);
    const char *k = getenv("ALTER_OTHER_API_KEY");
    if (!k || !*k) cr_skip_test("live target: ALTER_OTHER_API_KEY is not set");
    snprintf(other->alter_key, sizeof other->alter_key, "%s", k);
    other->live = true;
    return other->alter_key;
}

const char *alter_scoped_key(struct tenant *t, const char *scopes_json, char out[96]) {
    require_mock();
    struct http_resp r;
    http_call("POST", "/_mock/alter/app-keys", NULL,
              fmt("{\"org_id\": \"%s\", \"scopes\": %s}", t->org_id, scopes_json), NULL, &r);
    cr_assert(r.status == 201 && r.json, "POST /_mock/alter/app-keys %s: got %ld: %s", scopes_json,
              r.status, resp_excerpt(&r));
    snprintf(out, 96, "%s", jstr(r.json, "app_key"));
    http_resp_free(&r);
    return out;
}

void alter_sandbox_revoke(const char *key) {
    mock_revoke_key(key);
}

int alter_http(const char *method, const char *path, const char *key, const char *body,
               const char *const *headers, struct http_resp *out) {
    const char *lines[40];
    char key_line[256];
    size_t n = 0;
    if (key) {
        snprintf(key_line, sizeof key_line, "x-api-key: %s", key);
        lines[n++] = key_line;
    }
    for (const char *const *h = headers; h && *h && n < 39; h++)
        lines[n++] = *h;
    lines[n] = NULL;
    struct http_req req = {.method = method, .path = path, .body = body, .headers = lines};
    return http_do(&req, out);
}

static bool request_id_ok(const char *v) {
    if (!v || strncmp(v, "req_", 4) != 0 || !v[4]) return false;
    for (const char *p = v + 4; *p; p++)
        if (!isalnum((unsigned char)*p)) return false;
    return true;
}

void expect_alter_error_at(const char *file, int line, const struct http_resp *r, long status,
                           const char *code) {
    cr_assert(r->status == status, "%s:%d: %s: expected HTTP %ld %s, got %ld: %s", file, line,
              r->request, status, code, r->status, resp_excerpt(r));
    cr_assert(cJSON_IsObject(r->json), "%s:%d: %s: error body is not a JSON object: %s", file, line,
              r->request, resp_excerpt(r));
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    cr_assert(cJSON_IsString(e) && !strcmp(e->valuestring, code),
              "%s:%d: %s: expected \"error\": \"%s\": %s", file, line, r->request, code,
              resp_excerpt(r));
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->json, "message");
    cr_assert(cJSON_IsString(m) && m->valuestring[0], "%s:%d: %s: message empty/missing: %s", file,
              line, r->request, resp_excerpt(r));
    cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r->json, "details")),
              "%s:%d: %s: details is not an object: %s", file, line, r->request, resp_excerpt(r));
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r->json, "request_id");
    const char *hdr = resp_header(r, "X-Request-Id");
    cr_assert(cJSON_IsString(rid) && request_id_ok(rid->valuestring) && hdr &&
                  !strcmp(hdr, rid->valuestring),
              "%s:%d: %s: request_id must equal X-Request-Id (%s): %s", file, line, r->request,
              hdr ? hdr : "(none)", resp_excerpt(r));
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && !strncasecmp(ct, "application/json", 16),
              "%s:%d: %s: error Content-Type is \"%s\"", file, line, r->request,
              ct ? ct : "(none)");
}

void expect_alter_field_error_at(const char *file, int line, const struct http_resp *r,
                                 const char *field) {
    expect_alter_error_at(file, line, r, 422, "validation_error");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r->json, "details"), "fields");
    cr_assert(cJSON_IsArray(fields) && cJSON_GetArraySize(fields) > 0,
              "%s:%d: %s: validation_error without details.fields: %s", file, line, r->request,
              resp_excerpt(r));
    const cJSON *it;
    cJSON_ArrayForEach(it, fields) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "field");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
        cr_assert(cJSON_IsString(f) && cJSON_IsString(m) && m->valuestring[0],
                  "%s:%d: %s: details.fields entry without field/message: %s", file, line,
                  r->request, resp_excerpt(r));
        if (!strcmp(f->valuestring, field)) return;
    }
    cr_assert_fail("%s:%d: %s: details.fields does not name \"%s\": %s", file, line, r->request,
                   field, resp_excerpt(r));
}

void alter_call_error_at(const char *file, int line, const char *method, const char *path,
                         const char *key, const char *body, const char *const *headers, long status,
                         const char *code) {
    struct http_resp r;
    alter_http(method, path, key, body, headers, &r);
    expect_alter_error_at(file, line, &r, status, code);
    http_resp_free(&r);
}

void alter_call_field_error_at(const char *file, int line, const char *method, const char *path,
                               const char *key, const char *body, const char *const *headers,
                               const char *field) {
    struct http_resp r;
    alter_http(method, path, key, body, headers, &r);
    expect_alter_field_error_at(file, line, &r, field);
    http_resp_free(&r);
}

const char *alter_name(const struct tenant *t, const char *base) {
    return fmt("%s-%s", base, t->tag);
}

cJSON *alter_expect(const char *method, const char *path, const char *key, const char *body,
                    long status) {
    struct http_resp r;
    alter_http(method, path, key, body, NULL, &r);
    cr_assert(r.status == status && r.json, "%s %.200s: expected HTTP %ld, got %ld: %s", method,
              body ? body : "", status, r.status, resp_excerpt(&r));
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

cJSON *alter_create(struct tenant *t, const char *body) {
    cJSON *a = alter_expect("POST", "/sdk/agents", alter_key(t), body, 201);
    expect_agent_info(a);
    cr_assert(is_agent_key(jstr(a, "api_key")), "api_key is not alter_key_agent_<32>: %s",
              jstr(a, "api_key"));
    expect_agent_key(jobj(a, "key"));
    return a;
}

cJSON *alter_create_named(struct tenant *t, const char *base) {
    return alter_create(t, fmt("{\"name\": \"%s\"}", alter_name(t, base)));
}

cJSON *alter_mint(struct tenant *t, const char *agent_id) {
    cJSON *k = alter_expect("POST", fmt("/sdk/agents/%s/keys", agent_id), alter_key(t), NULL, 201);
    expect_agent_key(k);
    cr_assert(is_agent_key(jstr(k, "api_key")), "minted api_key malformed");
    return k;
}

cJSON *alter_audit_all(struct tenant *t, const char *query) {
    cJSON *all = cJSON_CreateArray();
    char after[96] = "";
    for (int page = 0; page < 1000; page++) {
        const char *path =
            after[0] ? fmt("/sdk/audit?limit=1000&after=%s%s%s", after, *query ? "&" : "", query)
                     : fmt("/sdk/audit?limit=1000%s%s", *query ? "&" : "", query);
        cJSON *j = alter_expect("GET", path, alter_key(t), NULL, 200);
        const cJSON *row;
        cJSON_ArrayForEach(row, jarr(j, "rows")) cJSON_AddItemToArray(all, cJSON_Duplicate(row, 1));
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(j, "next_cursor");
        bool more = cJSON_IsString(next) && cJSON_GetArraySize(jarr(j, "rows")) > 0;
        if (more) snprintf(after, sizeof after, "%s", next->valuestring);
        cJSON_Delete(j);
        if (!more) break;
    }
    return all;
}

cJSON *alter_audit_row_of(struct tenant *t, const char *rid) {
    cJSON *all = alter_audit_all(t, "");
    cJSON *found = NULL;
    const cJSON *row;
    cJSON_ArrayForEach(row, all) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(row, "request_id");
        if (cJSON_IsString(r) && !strcmp(r->valuestring, rid)) {
            cJSON_Delete(found);
            found = cJSON_Duplicate(row, 1);
        }
    }
    cJSON_Delete(all);
    return found;
}

bool is_uuid_v4(const char *s) {
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]);
}

bool is_agent_key(const char *s) {
    if (!s || strncmp(s, "alter_key_agent_", 16) != 0 || strlen(s) != 48) return false;
    for (const char *p = s + 16; *p; p++)
        if (!isalnum((unsigned char)*p)) return false;
    return true;
}

bool is_key_prefix(const char *s) {
    static const char *const types[] = {"alter_key_agent_", "alter_key_app_", "alter_rk_",
                                        "alter_ak_", "alter_dk_"};
    for (size_t i = 0; s && i < sizeof types / sizeof *types; i++) {
        size_t n = strlen(types[i]);
        if (strncmp(s, types[i], n) != 0) continue;
        if (strlen(s) != n + 8) return false;
        for (const char *p = s + n; *p; p++)
            if (!isalnum((unsigned char)*p)) return false;
        return true;
    }
    return false;
}

void expect_key_prefix_of_at(const char *file, int line, const char *prefix, const char *api_key) {
    cr_assert(is_key_prefix(prefix) && !strncmp(prefix, api_key, strlen(prefix)),
              "%s:%d: key_prefix %s is not the type prefix + 8 characters of its key", file,
              line, prefix);
}

bool json_strings_equal(const cJSON *arr, const char *const *want, size_t n) {
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != (int)n) return false;
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!cJSON_IsString(it) || strcmp(it->valuestring, want[i++]) != 0) return false;
    }
    return true;
}

static bool ts_or_null(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNull(v) || (cJSON_IsString(v) && is_rfc3339_utc_seconds(v->valuestring));
}

static bool string_or_null(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNull(v) || cJSON_IsString(v);
}

/* Every name of fields is a member of o, an object. */
static void expect_members(const char *file, int line, const cJSON *o, const char *what,
                           const char *const *fields, const char *text) {
    cr_assert(cJSON_IsObject(o), "%s:%d: %s is not an object: %.400s", file, line, what, text);
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(o, fields[i]), "%s:%d: %s lacks \"%s\": %.800s",
                  file, line, what, fields[i], text);
}

void expect_agent_info_at(const char *file, int line, const cJSON *a) {
    static const char *const fields[] = {"id",         "name",       "display_name", "type",
                                         "status",     "scopes",     "metadata",     "policy",
                                         "created_at", "updated_at", "revoked_at",   NULL};
    char *s = cJSON_PrintUnformatted(a);
    expect_members(file, line, a, "AgentInfo", fields, s);
    const char *type = jstr(a, "type"), *status = jstr(a, "status");
    bool ok = is_uuid_v4(jstr(a, "id")) && string_or_null(a, "display_name") &&
              (!strcmp(type, "agent") || !strcmp(type, "service")) &&
              (!strcmp(status, "active") || !strcmp(status, "revoked")) &&
              cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "scopes")) &&
              cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "metadata")) &&
              cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "policy")) &&
              is_rfc3339_utc_seconds(jstr(a, "created_at")) &&
              is_rfc3339_utc_seconds(jstr(a, "updated_at")) && ts_or_null(a, "revoked_at") &&
              (strcmp(status, "revoked") != 0 || !jnull(a, "revoked_at"));
    cr_assert(ok, "%s:%d: AgentInfo field types/formats wrong: %.800s", file, line, s);
    const cJSON *p;
    cJSON_ArrayForEach(p, jobj(a, "scopes")) {
        cr_assert(cJSON_IsArray(p), "%s:%d: scopes.%s is not an array: %.800s", file, line,
                  p->string, s);
        const cJSON *sc;
        cJSON_ArrayForEach(sc, p)
            cr_assert(cJSON_IsString(sc), "%s:%d: scope not a string", file, line);
    }
    free(s);
}

void expect_agent_key_at(const char *file, int line, const cJSON *k) {
    static const char *const fields[] = {
        "key_id",     "agent_id",      "key_prefix", "name",         "status",
        "created_at", "deprecated_at", "revoked_at", "last_used_at", NULL};
    char *s = cJSON_PrintUnformatted(k);
    expect_members(file, line, k, "AgentKey", fields, s);
    const char *id = jstr(k, "key_id"), *status = jstr(k, "status");
    bool hex = strncmp(id, "key_", 4) == 0 && id[4];
    for (const char *p = id + 4; hex && *p; p++)
        hex = isxdigit((unsigned char)*p) && !isupper((unsigned char)*p);
    bool ok = hex && is_uuid_v4(jstr(k, "agent_id")) && is_key_prefix(jstr(k, "key_prefix")) &&
              string_or_null(k, "name") &&
              (!strcmp(status, "active") || !strcmp(status, "deprecated") ||
               !strcmp(status, "revoked")) &&
              is_rfc3339_utc_seconds(jstr(k, "created_at")) && ts_or_null(k, "deprecated_at") &&
              ts_or_null(k, "revoked_at") && ts_or_null(k, "last_used_at") &&
              (strcmp(status, "revoked") != 0 || !jnull(k, "revoked_at")) &&
              (strcmp(status, "deprecated") != 0 || !jnull(k, "deprecated_at"));
    cr_assert(ok, "%s:%d: AgentKey field types/formats wrong: %.800s", file, line, s);
    cr_assert(!cJSON_GetObjectItemCaseSensitive(k, "api_key") ||
                  cJSON_IsString(cJSON_GetObjectItemCaseSensitive(k, "api_key")),
              "%s:%d: AgentKey api_key must be absent or the minted plaintext", file, line);
    free(s);
}
