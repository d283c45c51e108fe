#include "alter/keys.h"
#include "alter/limits.h"

#include <stdbool.h>

#include "alter/agent_json.h"
#include "alter/agents.h"


static void reply_key(struct req *r, int status, const struct alter_key *k) {
    cJSON *body = alter_key_json(k);
    tenant_unlock(r->caller.tenant);
    reply_json(r, status, body);
}

void alter_key_mint(struct req *r) {
    struct field_errors fe = {0};
    const char *name = NULL;
    if (r->json) v_string(&fe, r->json, "name", 1, ALTER_KEY_NAME_MAX, true, &name);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->revoked) {
        tenant_unlock(r->caller.tenant);
        return reply_error(r, 409, "agent_revoked", "Agent %s is deleted", a->id);
    }
    char api_key[ALTER_KEY_MAX];
    struct alter_key *k = alter_key_issue(r->caller.tenant, a, NULL, name, 0, r->now, api_key);
    if (!k) {
        tenant_unlock(r->caller.tenant);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    cJSON *body = alter_key_json(k);
    cJSON_AddStringToObject(body, "api_key", api_key);
    tenant_unlock(r->caller.tenant);
    reply_json(r, 201, body);
}

void alter_key_list(struct req *r) {
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return;
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < a->n_keys; i++)
        cJSON_AddItemToArray(items, alter_key_json(a->keys[i]));
    tenant_unlock(r->caller.tenant);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "items", items);
    reply_json(r, 200, body);
}

/* Locks and finds key params[1] of agent params[0].  On NULL the 404 is rendered and the
 * lock released; a revoked key renders 409 key_already_revoked when refuse_revoked. */
static struct alter_key *lock_key(struct req *r, bool refuse_revoked) {
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return NULL;
    struct alter_key *k = alter_app_find_key(r->caller.tenant->alter, r->params[1]);
    if (!k || k->agent != a) {
        tenant_unlock(r->caller.tenant);
        reply_error(r, 404, "key_not_found", "Agent %s has no key %s", a->id, r->params[1]);
        return NULL;
    }
    if (refuse_revoked && k->status == ALTER_KEY_REVOKED) {
        tenant_unlock(r->caller.tenant);
        reply_error(r, 409, "key_already_revoked", "Key %s is revoked", k->id);
        return NULL;
    }
    return k;
}

void alter_key_deprecate(struct req *r) {
    struct alter_key *k = lock_key(r, true);
    if (!k) return;
    alter_key_set_status(k, ALTER_KEY_DEPRECATED, r->now); /* already deprecated: unchanged */
    reply_key(r, 200, k);
}

void alter_key_undeprecate(struct req *r) {
    struct alter_key *k = lock_key(r, true);
    if (!k) return;
    alter_key_set_status(k, ALTER_KEY_ACTIVE, r->now); /* already active: unchanged */
    reply_key(r, 200, k);
}

void alter_key_revoke(struct req *r) {
    struct field_errors fe = {0};
    bool force = false;
    if (r->json) v_bool(&fe, r->json, "force", &force);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct alter_key *k = lock_key(r, true);
    if (!k) return;
    /* deprecated keys do not count: revoking the only active key strands the agent */
    if (k->status == ALTER_KEY_ACTIVE && k->agent->n_active == 1 && !force) {
        tenant_unlock(r->caller.tenant);
        return reply_error(r, 409, "last_active_key",
                           "Key %s is the agent's only active key; send {\"force\": true} to "
                           "revoke it anyway",
                           k->id);
    }
    alter_key_set_status(k, ALTER_KEY_REVOKED, r->now);
    reply_key(r, 200, k);
}
