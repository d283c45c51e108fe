#include "sandbox/alter_vault.h"

#include <stdbool.h>

#include "alter/app.h"
#include "alter/vault.h"
#include "store/store.h"

static cJSON *admin_grant_json(const struct tenant *t, const struct alter_grant *g) {
    cJSON *o = alter_grant_json(g);
    cJSON_AddStringToObject(o, "org_id", t->id);
    cJSON_AddStringToObject(o, "upstream_token", g->upstream_token);
    return o;
}

void mock_alter_grant_create(struct req *r) {
    struct field_errors fe = {0};
    const char *org_id = NULL;
    v_require(&fe, v_string(&fe, r->json, "org_id", 1, 100, false, &org_id), "org_id");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(org_id);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", org_id);
    struct alter_grant *g = NULL;
    tenant_lock(t);
    enum alter_grant_result res = alter_grant_add(t, r->json, r->now, &fe, &g);
    cJSON *body = res == ALTER_GRANT_OK ? admin_grant_json(t, g) : NULL;
    tenant_unlock(t);
    tenant_release(t);
    if (res == ALTER_GRANT_INVALID) return reply_validation(r, &fe);
    if (res == ALTER_GRANT_NOMEM) return reply_error(r, 500, "internal_error", "Out of memory");
    reply_json(r, 201, body);
}

void mock_alter_grant_get(struct req *r) {
    struct tenant *t = store_alter_object_owner(r->params[0]);
    cJSON *body = NULL;
    if (t) {
        tenant_lock(t);
        const struct alter_grant *g = alter_grant_find(&t->alter->grants, r->params[0]);
        if (g) body = admin_grant_json(t, g);
        tenant_unlock(t);
        tenant_release(t);
    }
    if (!body) return reply_error(r, 404, "grant_not_found", "No grant %s", r->params[0]);
    reply_json(r, 200, body);
}

/* The approval's tenant, locked and referenced, and the approval; 404 when unknown. */
static struct alter_approval *lock_approval(struct req *r, struct tenant **out) {
    struct tenant *t = store_alter_object_owner(r->params[0]);
    struct alter_approval *a = NULL;
    if (t) {
        tenant_lock(t);
        a = alter_approval_find(t, r->params[0], r->now);
        if (!a) {
            tenant_unlock(t);
            tenant_release(t);
        }
    }
    if (!a) reply_error(r, 404, "approval_not_found", "No approval %s", r->params[0]);
    *out = t;
    return a;
}

/* Renders the approval with its org_id, unlocks and releases. */
static void reply_approval(struct req *r, struct tenant *t, const struct alter_approval *a) {
    cJSON *body = alter_approval_json(a);
    cJSON_AddStringToObject(body, "org_id", t->id);
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 200, body);
}

void mock_alter_approval_get(struct req *r) {
    struct tenant *t;
    struct alter_approval *a = lock_approval(r, &t);
    if (a) reply_approval(r, t, a);
}

static void decide(struct req *r, bool approve) {
    struct field_errors fe = {0};
    const char *reason = NULL;
    if (r->json) v_string(&fe, r->json, "reason", 1, VAULT_REASON_MAX, true, &reason);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t;
    struct alter_approval *a = lock_approval(r, &t);
    if (!a) return;
    enum alter_decision_result res = alter_approval_decide(t, a, approve, reason, r->now);
    if (res == ALTER_DECIDED) return reply_approval(r, t, a);
    const char *status = alter_approval_status_names[a->status];
    tenant_unlock(t);
    tenant_release(t);
    if (res == ALTER_DECISION_NOMEM) return reply_error(r, 500, "internal_error", "Out of memory");
    cJSON *details = cJSON_CreateObject();
    cJSON_AddStringToObject(details, "status", status);
    reply_error_details(r, 409, "approval_not_pending", details, "Approval %s is %s, not pending",
                        r->params[0], status);
}

void mock_alter_approval_approve(struct req *r) {
    decide(r, true);
}
void mock_alter_approval_deny(struct req *r) {
    decide(r, false);
}
