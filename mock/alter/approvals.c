#include "alter/approvals.h"

#include <stdbool.h>
#include <string.h>

#include "alter/app.h"
#include "store/tenant.h"

/* Locks the tenant and finds the approval the caller may see (noting it on the audit row);
 * renders 404 approval_not_found and unlocks when there is none. */
static struct alter_approval *lock_approval(struct req *r) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct alter_approval *a = alter_approval_find(t, r->params[0], r->now);
    if (!a || (r->caller.is_agent && strcmp(a->agent_id, r->caller.agent_id) != 0)) {
        reply_error(r, 404, "approval_not_found", "No approval %s for this caller", r->params[0]);
        tenant_unlock(t);
        return NULL;
    }
    memcpy(r->grant_id, a->grant_id, sizeof r->grant_id);
    r->audit_details = cJSON_CreateObject();
    cJSON_AddStringToObject(r->audit_details, "approval_id", a->id);
    return a;
}

void alter_approval_get(struct req *r) {
    struct alter_approval *a = lock_approval(r);
    if (!a) return;
    cJSON *body = alter_approval_json(a);
    reply_json(r, 200, body);
    tenant_unlock(r->caller.tenant);
}

void alter_approval_result(struct req *r) {
    struct alter_approval *a = lock_approval(r);
    if (!a) return;
    if (a->result) {
        cJSON *body = cJSON_Duplicate(a->result, true);
        reply_json(r, 200, body);
        tenant_unlock(r->caller.tenant);
        return;
    }
    const char *status = alter_approval_status_names[a->status];
    cJSON *details = cJSON_CreateObject();
    cJSON_AddStringToObject(details, "status", status);
    if (a->error) cJSON_AddItemToObject(details, "error", cJSON_Duplicate(a->error, true));
    bool may_come = a->status == ALTER_APPROVAL_PENDING || a->status == ALTER_APPROVAL_APPROVED ||
                    a->status == ALTER_APPROVAL_EXECUTING;
    reply_error_details(r, 409, "approval_not_executed", details,
                        "Approval %s is %s: there is no result%s", r->params[0], status,
                        may_come ? " yet" : "");
    tenant_unlock(r->caller.tenant);
}
