#include "alter/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alter/trace.h"
#include "core/router.h"
#include "store/store.h"
#include "core/text_copy.h"

/* The presented key: x-api-key, else Authorization: Bearer; NULL when neither carries one.
 * *other_scheme is set for an Authorization header of another scheme (Basic ...). */
static const char *presented_key(const struct req *r, bool *other_scheme) {
    const char *k = req_header(r, "x-api-key");
    if (k && *k) return k;
    const char *h = req_header(r, "Authorization");
    *other_scheme = h && *h && strncasecmp(h, "Bearer", 6) != 0;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 && h[7]) return h + 7;
    return NULL;
}

enum key_check { KEY_OK, KEY_INVALID, KEY_IS_REVOKED };

/* Finds and verifies the key; on KEY_OK fills r->caller (tenant referenced), stamps the key's
 * last use and returns its status in *status. */
static enum key_check check_key(struct req *r, const char *key, enum alter_key_status *status) {
    struct alter_key *k = NULL;
    struct tenant *t = store_alter_key_find(key, alter_key_lookup_index, &k);
    if (!t) return KEY_INVALID;
    tenant_lock(t);
    enum key_check result = KEY_OK;
    if (!alter_key_verifier_matches(&k->verifier, key))
        result = KEY_INVALID;
    else if (k->status == ALTER_KEY_REVOKED)
        result = KEY_IS_REVOKED;
    if (result == KEY_OK) {
        k->last_used_at = r->now;
        *status = k->status;
        struct caller *c = &r->caller;
        c->tenant = t;
        c->level = (int)k->scopes;
        c->is_agent = k->agent != NULL;
        text_copy(c->agent_id, sizeof c->agent_id, k->agent ? k->agent->id : "");
        text_copy(c->owner_id, sizeof c->owner_id, t->alter->id);
        text_copy(c->key_prefix, sizeof c->key_prefix, k->prefix);
        memcpy(c->key_hash, k->lookup, sizeof k->lookup);
    }
    tenant_unlock(t);
    if (result == KEY_IS_REVOKED) text_copy(r->caller.key_org_id, sizeof r->caller.key_org_id, t->id);
    if (result != KEY_OK) tenant_release(t);
    return result;
}

/* X-Alter-Caller: an app key acts as one of its live agents.  Returns false after replying. */
static bool act_as_caller(struct req *r, const char *agent_id) {
    struct caller *c = &r->caller;
    if (c->is_agent) {
        if (strcmp(agent_id, c->agent_id) == 0) return true;
        reply_error(r, 403, "agent_cannot_mint_subagents",
                    "An agent key acts only as its own agent; X-Alter-Caller names another");
        return false;
    }
    tenant_lock(c->tenant);
    const struct alter_agent *a = alter_app_find_agent(c->tenant->alter, agent_id);
    bool revoked = a && a->revoked;
    tenant_unlock(c->tenant);
    if (!a) {
        reply_error(r, 404, "agent_not_found", "X-Alter-Caller names no agent of this app");
        return false;
    }
    if (revoked) {
        reply_error(r, 409, "agent_revoked", "X-Alter-Caller names a deleted agent");
        return false;
    }
    c->is_agent = true;
    text_copy(c->agent_id, sizeof c->agent_id, agent_id);
    return true;
}

static bool check_needs(struct req *r) {
    int needs = r->route->needs;
    if (needs & AGENT_IDENTITY) {
        if (r->caller.is_agent) return true;
        reply_error(r, 400, "me_requires_agent_key",
                    "This call needs an agent key, or an app key with X-Alter-Caller");
        return false;
    }
    if ((needs & OR_AGENT) && r->caller.is_agent) return true;
    needs &= ~OR_AGENT;
    if (!needs) return true;
    if (r->caller.is_agent) {
        reply_error(r, 403, "agent_cannot_mint_subagents",
                    "This call needs an app key; agent identities cannot make it");
        return false;
    }
    unsigned missing = (unsigned)needs & ~(unsigned)r->caller.level;
    for (int i = 0; missing && alter_scope_names[i]; i++) {
        if (!(missing & (1u << i))) continue;
        reply_error(r, 403, "insufficient_scope", "This call needs the %s scope",
                    alter_scope_names[i]);
        return false;
    }
    return true;
}

/* Trace headers are checked here so a bad one refuses the call before the handler runs. */
static bool check_trace(struct req *r) {
    struct field_errors fe = {0};
    struct alter_trace trace;
    alter_trace_parse(r, &trace, &fe);
    if (trace.run_id) reply_header(r, "X-Alter-Run-Id", "%s", trace.run_id);
    cJSON_Delete(trace.metadata);
    if (!field_errors_any(&fe)) return true;
    reply_validation(r, &fe);
    return false;
}

bool alter_authenticate(struct req *r) {
    bool other_scheme = false;
    const char *key = presented_key(r, &other_scheme);
    if (!key && other_scheme) {
        reply_error(r, 401, "invalid_key", "Authorization must be 'Bearer <api key>'");
        return false;
    }
    if (!key) {
        reply_error(r, 401, "missing_key", "Send the key as x-api-key (or Authorization: Bearer)");
        return false;
    }
    enum alter_key_status status = ALTER_KEY_ACTIVE;
    enum key_check checked = strlen(key) < ALTER_KEY_MAX && alter_key_format_valid(key)
                                 ? check_key(r, key, &status)
                                 : KEY_INVALID;
    if (checked == KEY_INVALID) {
        reply_error(r, 401, "invalid_key", "Unknown or malformed API key");
        return false;
    }
    if (checked == KEY_IS_REVOKED) {
        reply_error(r, 401, "key_revoked", "This API key was revoked");
        return false;
    }
    /* alter.md §8: per key, a fixed one-minute window; the dispatcher enforces it */
    snprintf(r->caller.rate_key, sizeof r->caller.rate_key, "%s/alter/%s", r->caller.tenant->id,
             r->caller.key_hash);
    r->caller.rate_limit = atomic_load(&r->caller.tenant->alter_rate_limit_rpm);
    r->caller.rate_window_seconds = 60;
    if (status == ALTER_KEY_DEPRECATED) reply_header(r, "X-Alter-Key-Deprecated", "true");
    const char *caller = req_header(r, "X-Alter-Caller");
    if (caller && !act_as_caller(r, caller)) return false;
    return check_needs(r) && check_trace(r);
}
