#include "sandbox/admin.h"

#include <stdio.h>
#include <string.h>

#include "alter/app.h"
#include "sandbox/provision.h"

void mock_health(struct req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "service", "agentmock");
    cJSON_AddStringToObject(o, "version", AGENTMOCK_VERSION);
    reply_json(r, 200, o);
}

/* POST /_mock/orgs {name?, plan?, operator_verified?, max_agents?} → 201 org with its keys. */
void mock_org_create(struct req *r) {
    struct field_errors fe = {0};
    struct org_spec spec = {.name = "Sandbox Organization", .plan = PLAN_ENTERPRISE,
                            .max_agents = -1};
    if (r->json) {
        int plan = 0;
        v_string(&fe, r->json, "name", 1, 200, false, &spec.name);
        if (v_enum(&fe, r->json, "plan", plan_names, &plan) == V_OK) spec.plan = (enum plan)plan;
        v_bool(&fe, r->json, "operator_verified", &spec.operator_verified);
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(r->json, "max_agents");
        if (max && (!cJSON_IsNumber(max) || max->valuedouble < 0 || max->valuedouble > 1e9 ||
                    max->valuedouble != (double)(long)max->valuedouble))
            field_error_add(&fe, "max_agents", "must be an integer >= 0 (0 = no cap)");
        else if (max) spec.max_agents = (long)max->valuedouble;
    }
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = provision_org(&spec);
    if (!t) return reply_error(r, 500, "internal_error", "Could not create the organization");
    cJSON *body = provision_org_json(t, &spec);
    tenant_release(t);
    reply_json(r, 201, body);
}

/* POST /_mock/keys/revoke {"key": "als_..." | "alter_..."} */
void mock_key_revoke(struct req *r) {
    struct field_errors fe = {0};
    const char *key = NULL;
    v_require(&fe, v_string(&fe, r->json, "key", 1, 200, false, &key), "key");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    int rc = strncmp(key, "alter_", 6) == 0 ? alter_key_revoke_plaintext(key, r->now)
                                            : store_key_revoke(key);
    if (rc != 0) return reply_error(r, 404, "not_found", "Unknown API key");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "revoked", true);
    reply_json(r, 200, o);
}

/* The scopes array of POST /_mock/alter/app-keys as bits; adds field errors. */
static unsigned scopes_of(const cJSON *arr, struct field_errors *fe) {
    unsigned bits = 0;
    if (!cJSON_IsArray(arr)) {
        field_error_add(fe, "scopes", "is required: an array of scope names");
        return 0;
    }
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        int bit = -1;
        for (int s = 0; cJSON_IsString(it) && alter_scope_names[s]; s++)
            if (strcmp(it->valuestring, alter_scope_names[s]) == 0) bit = s;
        if (bit >= 0) {
            bits |= 1u << bit;
            continue;
        }
        char path[32];
        snprintf(path, sizeof path, "scopes[%d]", i);
        field_error_choices(fe, path, alter_scope_names);
    }
    return bits;
}

/* POST /_mock/alter/app-keys {"org_id", "scopes": [...]} → 201 a new app key of the org's
 * Alter app with those scopes (agents:admin includes write and read, write includes read). */
void mock_alter_app_key_create(struct req *r) {
    struct field_errors fe = {0};
    const char *org_id = NULL;
    v_require(&fe, v_string(&fe, r->json, "org_id", 1, 100, false, &org_id), "org_id");
    unsigned scopes = scopes_of(cJSON_GetObjectItemCaseSensitive(r->json, "scopes"), &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(org_id);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", org_id);
    char plaintext[ALTER_KEY_MAX];
    tenant_lock(t);
    const struct alter_key *k = alter_key_issue(t, NULL, NULL, NULL, scopes, r->now, plaintext);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "org_id", t->id);
    cJSON_AddStringToObject(o, "app_id", t->alter->id);
    if (k) {
        cJSON_AddStringToObject(o, "key_id", k->id);
        cJSON_AddItemToObject(o, "scopes", alter_scopes_json(k->scopes));
    }
    tenant_unlock(t);
    tenant_release(t);
    if (!k) {
        cJSON_Delete(o);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    cJSON_AddStringToObject(o, "app_key", plaintext);
    reply_json(r, 201, o);
}
