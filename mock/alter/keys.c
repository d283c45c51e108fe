#include "alter/keys.h"
#include "alter/limits.h"

#include <stdbool.h>

#include "alter/agent_json.h"
#include "alter/agents.h"


static void reply_key(struct req *r, int status, const struct alter_key *k) {
    cJSON *body = alter_key_json(k);
    reply_json(r, status, body);
    tenant_unlock(r->caller.tenant);
}

void alter_key_mint(struct req *r) {
    struct field_errors fe = {0};
    const char *name = NULL;
    if (r->json) v_string(&fe, r->json, "name", 1, ALTER_KEY_NAME_MAX, true, &name);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->revoked) {
        reply_error(r, 409, "agent_revoked", "Agent %s is deleted", a->id);
        tenant_unlock(r->caller.tenant);
        return;
    }
    char api_key[ALTER_KEY_MAX];
    struct alter_key *k = alter_key_issue(r->caller.tenant, a, NULL, name, 0, r->now, api_key);
    if (!k) {
        reply_error(r, 500, "internal_error", "Out of memory");
        tenant_unlock(r->caller.tenant);
        return;
    }
    cJSON *body = alter_key_json(k);
    cJSON_AddStringToObject(body, "api_key", api_key);
    reply_json(r, 201, body);
    tenant_unlock(r->caller.tenant);
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
        reply_error(r, 404, "key_not_found", "Agent %s has no key %s", a->id, r->params[1]);
        tenant_unlock(r->caller.tenant);
        return NULL;
    }
    if (refuse_revoked && k->status == ALTER_KEY_REVOKED) {
        reply_error(r, 409, "key_already_revoked", "Key %s is revoked", k->id);
        tenant_unlock(r->caller.tenant);
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
    /* a revoke that leaves no active key strands the agent, whatever this key's own status
     * (deprecating the only key and then revoking it is the same accident in two steps);
     * deprecated keys do not count as usable */
    size_t active_after = k->agent->n_active - (k->status == ALTER_KEY_ACTIVE ? 1 : 0);
    if (active_after == 0 && !force) {
        reply_error(r, 409, "last_active_key",
                    "Revoking key %s would leave the agent no active key; send "
                    "{\"force\": true} to revoke it anyway",
                    k->id);
        tenant_unlock(r->caller.tenant);
        return;
    }
    alter_key_set_status(k, ALTER_KEY_REVOKED, r->now);
    reply_key(r, 200, k);
}
