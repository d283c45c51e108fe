#include "alter/grants.h"

#include <stdlib.h>
#include <string.h>

#include "alter/app.h"
#include "alter/list_page.h"
#include "alter/vault.h"
#include "store/tenant.h"

void alter_grant_list(struct req *r) {
    struct field_errors fe = {0};
    struct alter_list_page page;
    alter_list_page_parse(r, &fe, &page);
    char provider[72];
    int got = req_query(r, "provider_id", provider, sizeof provider);
    if (got < 0 || (got > 0 && !provider[0]))
        field_error_add(&fe, "provider_id", "must be 1 to %zu characters", sizeof provider - 1);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct alter_grant_filter f = {
        .agent_id = r->caller.is_agent ? r->caller.agent_id : NULL,
        .provider_id = got > 0 ? provider : NULL,
        .include_revoked = page.include_revoked,
    };
    struct alter_grant **found = malloc((size_t)page.limit * sizeof *found);
    if (!found) return reply_error(r, 500, "internal_error", "Out of memory");
    struct tenant *t = r->caller.tenant;
    cJSON *grants = cJSON_CreateArray();
    size_t total = 0;
    tenant_lock(t);
    size_t n = alter_grants_page(&t->alter->grants, &f, (size_t)page.offset, (size_t)page.limit,
                                 found, &total);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(grants, alter_grant_json(found[i]));
    tenant_unlock(t);
    free(found);
    reply_json(r, 200, alter_list_page_json(&page, "grants", grants, total));
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
        reply_error(r, 404, "grant_not_found", "No grant %s in this app", r->params[0]);
        tenant_unlock(t);
        return;
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
