#include "alter/token.h"

#include <stdio.h>

#include "alsorn/agent_json.h"
#include "alter/vault.h"
#include "store/tenant.h"

/* {access_token, token_type, expires_at, scopes, grant_id, inject_headers}: the headers are
 * what the SDK adds to its own call, so it never composes the credential itself. */
static cJSON *token_json(const struct alter_grant *g, int64_t now) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "access_token", g->upstream_token);
    cJSON_AddStringToObject(o, "token_type", g->token_type);
    json_add_time(o, "expires_at", now + ALTER_TOKEN_TTL);
    cJSON_AddItemToObject(o, "scopes", cJSON_Duplicate(g->scopes, true));
    cJSON_AddStringToObject(o, "grant_id", g->id);
    char authorization[GRANT_TOKEN_MAX + 16];
    snprintf(authorization, sizeof authorization, "%s %s", g->token_type, g->upstream_token);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "inject_headers"), "Authorization",
                            authorization);
    return o;
}

void alter_token_issue(struct req *r) {
    struct field_errors fe = {0};
    struct vault_target target;
    vault_target_parse(r->json, &target, &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    r->audit_details = vault_target_json(&target);
    bool needs_approval;
    struct alter_grant *g = vault_lock_grant(r, target.grant_id, VAULT_RETRIEVE, &needs_approval);
    if (!g) return;
    cJSON *body = token_json(g, r->now);
    reply_json(r, 200, body);
    tenant_unlock(r->caller.tenant);
}
