#include "alter/proxy.h"

#include <stdio.h>
#include <string.h>

#include "alter/app.h"
#include "alter/audit.h"
#include "alter/proxy_call.h"
#include "alter/upstream.h"
#include "alter/vault.h"
#include "store/tenant.h"

/* Where the sandbox shows an approval: this server's admin API, as the caller reached it. */
static void approvals_url_base(const struct req *r, char *out, size_t size) {
    const char *host = req_header(r, "Host");
    bool usable =
        host && *host && strlen(host) < 200 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
            strlen(host);
    snprintf(out, size, "http://%s/_mock/alter/approvals", usable ? host : "127.0.0.1");
}

/* 202: the call waits for an approval.  Called with the lock held; unlocks. */
static void ask_approval(struct req *r, const struct alter_grant *g, struct proxy_call *call) {
    struct tenant *t = r->caller.tenant;
    r->audit_action = "approval.requested";
    char base[256];
    approvals_url_base(r, base, sizeof base);
    struct alter_audit_row *origin = alter_audit_row_of_request(r);
    struct alter_approval *a =
        origin ? alter_approval_create(t, g->id, r->caller.agent_id, call, origin, base, r->now)
               : NULL;
    if (!origin) proxy_call_free(call);
    if (!a) {
        reply_error(r, 500, "internal_error", "Out of memory");
        tenant_unlock(t);
        return;
    }
    cJSON *body = alter_approval_json(a);
    cJSON_AddStringToObject(r->audit_details, "approval_id", a->id);
    reply_json(r, 202, body);
    tenant_unlock(t);
}

void alter_proxy_call(struct req *r) {
    struct field_errors fe = {0};
    struct vault_target target;
    struct proxy_call call;
    vault_target_parse(r->json, &target, &fe);
    if (proxy_call_parse(r->json, &target, &call, &fe) != 0) {
        field_errors_free(&fe);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    r->audit_details = vault_target_json(&target);
    bool needs_approval;
    struct alter_grant *g = vault_lock_grant(r, target.grant_id, VAULT_PROXY, &needs_approval);
    if (!g) {
        proxy_call_free(&call);
        return;
    }
    if (needs_approval) return ask_approval(r, g, &call);
    char credential[GRANT_TOKEN_MAX + 64];
    snprintf(credential, sizeof credential, "Authorization: %s %s", g->token_type,
             g->upstream_token);
    tenant_unlock(r->caller.tenant); /* the upstream call may take seconds: never under a lock */
    struct upstream_result result;
    upstream_perform(&call, credential, &result);
    cJSON_AddItemToObject(r->audit_details, "upstream", upstream_audit_json(&call, &result));
    if (result.error)
        reply_error_details(r, 502, "upstream_error", upstream_error_details(&call, &result),
                            "The upstream call to %s failed (%s): %s", call.host, result.error,
                            result.message);
    else
        reply_json(r, 200, upstream_result_json(&result));
    upstream_result_free(&result);
    proxy_call_free(&call);
}
