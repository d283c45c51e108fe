/* GET /agents/{id}/audit and /agents/{id}/audit/verify, and the public verify. */
#include "alsorn/agent_json.h"
#include "alsorn/limits.h"
#include "core/json_build.h"
#include "alsorn/agents.h"
#include "core/clock.h"
#include "store/store.h"

#include <string.h>

void alsorn_agent_audit(struct req *r) {
    struct field_errors fe = {0};
    long page, limit;
    req_query_int(r, &fe, "page", 1, 0x7fffffffL, 1, &page);
    req_query_int(r, &fe, "limit", 1, ALSORN_PAGE_LIMIT_MAX, ALSORN_PAGE_LIMIT_DEFAULT, &limit);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    const struct audit_chain *c = &a->audit;
    cJSON *data = cJSON_CreateArray();
    size_t offset = (size_t)(page - 1) * (size_t)limit;
    for (size_t k = offset; k < c->n && k < offset + (size_t)limit; k++) /* newest first */
        cJSON_AddItemToArray(data, audit_entry_json(c, a->id, c->n - 1 - k));
    size_t total = c->n;
    tenant_unlock(r->caller.tenant);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "data", data);
    cJSON_AddItemToObject(body, "pagination", json_pagination(page, limit, total));
    reply_json(r, 200, body);
}

void alsorn_agent_audit_verify(struct req *r) {
    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    struct audit_check check;
    audit_chain_verify(&a->audit, a->id, &check);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddBoolToObject(body, "valid", check.valid);
    json_add_number(body, "length", (double)check.length);
    json_add_string_or_null(body, "head_hash", check.has_head ? check.head_hash : NULL);
    char broken_id[ID_LEN];
    if (check.broken_at >= 0) audit_entry_id(&a->audit.entries[check.broken_at], broken_id);
    json_add_string_or_null(body, "broken_at", check.broken_at >= 0 ? broken_id : NULL);
    reply_json(r, 200, body);
    tenant_unlock(r->caller.tenant);
}

/* Public: no key, any organization's agent. */
void alsorn_agent_verify(struct req *r) {
    char given[SHA256_TAGGED_LEN + 8];
    int has_given = req_query(r, "fingerprint", given, sizeof given);
    struct tenant *t = store_agent_owner(r->params[0]);
    if (!t) return reply_not_found(r);
    tenant_lock(t);
    struct agent *a = agent_set_find(&t->agents, r->params[0]);
    if (!a) { /* removed between the directory lookup and the lock */
        tenant_unlock(t);
        tenant_release(t);
        return reply_not_found(r);
    }
    char recomputed[SHA256_TAGGED_LEN];
    agent_fingerprint(a, t->id, recomputed);
    bool verified = strcmp(recomputed, a->fingerprint) == 0 && a->status != AGENT_DELETED &&
                    (has_given == 0 || (has_given > 0 && strcmp(given, a->fingerprint) == 0));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "name", a->name);
    cJSON_AddStringToObject(o, "fingerprint", a->fingerprint);
    cJSON_AddStringToObject(o, "environment", agent_env_names[a->environment]);
    cJSON_AddStringToObject(o, "status", agent_status_names[a->status]);
    cJSON_AddStringToObject(o, "org_name", t->name);
    json_add_number(o, "trust_score", a->trust.score);
    cJSON_AddBoolToObject(o, "operator_verified", t->operator_verified);
    json_add_time(o, "created_at", a->created_at);
    cJSON_AddBoolToObject(o, "verified", verified);
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 200, o);
}
