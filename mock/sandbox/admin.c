#include "sandbox/admin.h"

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

/* POST /_mock/keys/revoke {"key": "als_..."} */
void mock_key_revoke(struct req *r) {
    struct field_errors fe = {0};
    const char *key = NULL;
    v_require(&fe, v_string(&fe, r->json, "key", 1, 200, false, &key), "key");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (store_key_revoke(key) != 0) return reply_error(r, 404, "not_found", "Unknown API key");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "revoked", true);
    reply_json(r, 200, o);
}
