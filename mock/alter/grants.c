#include "alter/grants.h"

#include <stdlib.h>
#include <string.h>

#include "alter/app.h"
#include "alter/vault.h"
#include "store/tenant.h"

#define LIST_LIMIT_MAX     1000
#define LIST_LIMIT_DEFAULT 100

void alter_grant_list(struct req *r) {
    static const char *const booleans[] = {"false", "true", NULL};
    struct field_errors fe = {0};
    long limit, offset;
    req_query_int(r, &fe, "limit", 1, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, &limit);
    req_query_int(r, &fe, "offset", 0, 0x7fffffffL, 0, &offset);
    char provider[72];
    int got = req_query(r, "provider_id", provider, sizeof provider);
    if (got < 0 || (got > 0 && !provider[0]))
        field_error_add(&fe, "provider_id", "must be 1 to %zu characters", sizeof provider - 1);
    struct alter_grant_filter f = {
        .agent_id = r->caller.is_agent ? r->caller.agent_id : NULL,
        .provider_id = got > 0 ? provider : NULL,
        .include_revoked = req_query_enum(r, &fe, "include_revoked", booleans) == 1,
    };
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct alter_grant **page = malloc((size_t)limit * sizeof *page);
    if (!page) return reply_error(r, 500, "internal_error", "Out of memory");
    struct tenant *t = r->caller.tenant;
    cJSON *grants = cJSON_CreateArray();
    size_t total = 0;
    tenant_lock(t);
    size_t n = alter_grants_page(&t->alter->grants, &f, (size_t)offset, (size_t)limit, page, &total);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(grants, alter_grant_json(page[i]));
    tenant_unlock(t);
    free(page);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "grants", grants);
    cJSON_AddNumberToObject(body, "total", (double)total);
    cJSON_AddNumberToObject(body, "limit", (double)limit);
    cJSON_AddNumberToObject(body, "offset", (double)offset);
    cJSON_AddBoolToObject(body, "has_more", (size_t)offset + n < total);
    reply_json(r, 200, body);
}

void alter_grant_revoke(struct req *r) {
    struct field_errors fe = {0};
    const char *reason = NULL;
    if (r->json) v_string(&fe, r->json, "reason", 1, VAULT_REASON_MAX, true, &reason);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct alter_grant *g = alter_grant_find(&t->alter->grants, r->params[0]);
    if (!g) {
        tenant_unlock(t);
        return reply_error(r, 404, "grant_not_found", "No grant %s in this app", r->params[0]);
    }
    memcpy(r->grant_id, g->id, sizeof r->grant_id);
    alter_grant_mark_revoked(&t->alter->grants, g, reason, r->now); /* a repeat changes nothing */
    cJSON *body = alter_grant_json(g);
    tenant_unlock(t);
    if (reason) {
        r->audit_details = cJSON_CreateObject();
        cJSON_AddStringToObject(r->audit_details, "reason", reason);
    }
    reply_json(r, 200, body);
}
