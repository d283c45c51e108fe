#include "alter/vault.h"
#include "alter/limits.h"

#include <stdio.h>
#include <string.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "alter/app.h"
#include "alter/policy.h"
#include "store/tenant.h"


const char *const vault_methods[] = {"GET",    "POST", "PUT",     "PATCH",
                                     "DELETE", "HEAD", "OPTIONS", NULL};

/* An absolute http(s) URL without credentials in it; its host (brackets stripped) into host.
 * Returns NULL, or what is wrong with it. */
static const char *url_problem(const char *url, char *host, size_t host_size) {
    CURLU *u = curl_url();
    if (!u) return "could not be read (out of memory)";
    const char *problem = NULL;
    char *scheme = NULL, *h = NULL, *user = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !h[0])
        problem = "must be an absolute URL (scheme://host/path)";
    else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        problem = "must be an http or https URL";
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
        problem = "must not carry a user name or password";
    else if (strlen(h) >= host_size)
        problem = "has a host name that is too long";
    if (!problem) {
        size_t n = strlen(h);
        bool bracketed = n > 2 && h[0] == '[' && h[n - 1] == ']';
        snprintf(host, host_size, "%.*s", (int)(bracketed ? n - 2 : n), bracketed ? h + 1 : h);
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(user);
    curl_url_cleanup(u);
    return problem;
}

void vault_target_parse(const cJSON *body, struct vault_target *out, struct field_errors *fe) {
    memset(out, 0, sizeof *out);
    v_require(fe, v_string(fe, body, "grant_id", 1, UUID_LEN - 1, false, &out->grant_id),
              "grant_id");
    int method = -1;
    v_require(fe, v_enum(fe, body, "method", vault_methods, &method), "method");
    if (method >= 0) out->method = vault_methods[method];
    v_require(fe, v_string(fe, body, "url", 1, VAULT_URL_MAX, false, &out->url), "url");
    const char *problem = out->url ? url_problem(out->url, out->host, sizeof out->host) : NULL;
    if (problem) {
        field_error_add(fe, "url", "%s", problem);
        out->url = NULL;
    }
    v_string(fe, body, "reason", 1, VAULT_REASON_MAX, true, &out->reason);
    const cJSON *context = cJSON_GetObjectItemCaseSensitive(body, "context");
    if (context && !cJSON_IsNull(context)) {
        char *text = cJSON_IsObject(context) ? cJSON_PrintUnformatted(context) : NULL;
        if (text && strlen(text) <= VAULT_CONTEXT_MAX)
            out->context = context;
        else
            field_error_add(fe, "context", "must be an object of at most %d bytes as JSON",
                            VAULT_CONTEXT_MAX);
        cJSON_free(text);
    }
}

cJSON *vault_target_json(const struct vault_target *target) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "method", target->method);
    cJSON_AddStringToObject(o, "url", target->url);
    if (target->reason) cJSON_AddStringToObject(o, "reason", target->reason);
    return o;
}

/* 403 policy_violation naming the rule, on the reply and on the audit row. */
static void refuse_by_policy(struct req *r, const char *rule, const char *message) {
    r->audit_action = "policy.denied";
    if (!r->audit_details) r->audit_details = cJSON_CreateObject();
    cJSON_AddStringToObject(r->audit_details, "policy_error", rule);
    cJSON *details = cJSON_CreateObject();
    cJSON_AddStringToObject(details, "policy_error", rule);
    reply_error_details(r, 403, "policy_violation", details, "%s", message);
}

struct alter_grant *vault_lock_grant(struct req *r, const char *grant_id, enum vault_use use,
                                     bool *needs_approval) {
    struct tenant *t = r->caller.tenant;
    *needs_approval = false;
    tenant_lock(t);
    struct alter_grant *g = alter_grant_find(&t->alter->grants, grant_id);
    if (g) memcpy(r->grant_id, g->id, sizeof r->grant_id);
    if (!g) {
        reply_error(r, 404, "grant_not_found", "No grant %s in this app", grant_id);
        tenant_unlock(t);
        return NULL;
    }
    if (!r->caller.is_agent) { /* the app itself: any live grant of its own, no agent policy */
        if (!g->revoked) return g;
        tenant_unlock(t);
        reply_error(r, 410, "grant_revoked", "Grant %s was revoked", g->id);
        return NULL;
    }
    struct alter_agent *a = alter_app_find_agent(t->alter, r->caller.agent_id);
    if (!a || a->revoked) { /* deleted after its key was checked */
        reply_error(r, 409, "agent_revoked", "Agent %s is deleted", r->caller.agent_id);
        tenant_unlock(t);
        return NULL;
    }
    if (g->revoked) {
        reply_error(r, 410, "grant_revoked", "Grant %s was revoked", g->id);
        tenant_unlock(t);
        return NULL;
    }
    if (!alter_grant_usable_by(g, a->id)) {
        reply_error(r, 403, "no_delegated_grant",
                    "Grant %s is neither owned by nor delegated to agent %s", g->id, a->id);
        tenant_unlock(t);
        return NULL;
    }
    struct alter_policy_denial denial;
    enum alter_policy_verdict verdict =
        alter_policy_evaluate(a->policy, r->ri->remote_addr, r->now, &a->rate, &denial);
    if (verdict == ALTER_POLICY_NEEDS_APPROVAL && use == VAULT_RETRIEVE) {
        refuse_by_policy(r, "require_approval",
                         "The agent's policy requires an approval for every call: use proxy "
                         "mode (POST /sdk/proxy), which waits for one");
        tenant_unlock(t);
        return NULL;
    }
    if (verdict == ALTER_POLICY_DENY) {
        refuse_by_policy(r, denial.rule, denial.message);
        tenant_unlock(t);
        return NULL;
    }
    *needs_approval = verdict == ALTER_POLICY_NEEDS_APPROVAL;
    return g;
}
