#include "alter/agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alter/agent_fields.h"
#include "alter/agent_json.h"
#include "alter/list_page.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/text_copy.h"

struct alter_agent *alter_lock_agent(struct req *r, const char *id) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct alter_agent *a = alter_app_find_agent(t->alter, id);
    if (!a) {
        reply_error(r, 404, "agent_not_found", "No agent %s in this app", id);
        tenant_unlock(t);
        return NULL;
    }
    text_copy(r->subject_id, sizeof r->subject_id, a->id);
    return a;
}

static void reply_agent(struct req *r, int status, const struct alter_agent *a) {
    json_scratch_begin(); /* the reply only */
    cJSON *body = alter_agent_json(a);
    reply_json(r, status, body);
    tenant_unlock(r->caller.tenant);
    json_scratch_end();
}

/* Replaces *slot with a copy of value when they differ.  Returns -1 when out of memory. */
static int replace_json(cJSON **slot, const cJSON *value, bool *changed) {
    if (*slot && cJSON_Compare(*slot, value, true)) return 0;
    cJSON *copy = cJSON_Duplicate(value, true);
    if (!copy) return -1;
    cJSON_Delete(*slot);
    *slot = copy;
    *changed = true;
    return 0;
}

/* Writes the validated fields into a.  Returns -1 when out of memory. */
static int apply_fields(struct alter_agent *a, const struct alter_agent_fields *f, bool *changed) {
    if (f->display_name == V_OK) {
        const char *dn = f->display_name_v;
        bool same = dn ? a->display_name && strcmp(dn, a->display_name) == 0 : !a->display_name;
        if (!same) {
            char *copy = dn ? strdup(dn) : NULL;
            if (dn && !copy) return -1;
            free(a->display_name);
            a->display_name = copy;
            *changed = true;
        }
    }
    if (f->type == V_OK && (int)a->type != f->type_v) {
        a->type = (enum alter_agent_type)f->type_v;
        *changed = true;
    }
    if ((f->scopes == V_OK && replace_json(&a->scopes, f->scopes_v, changed) != 0) ||
        (f->metadata == V_OK && replace_json(&a->metadata, f->metadata_v, changed) != 0) ||
        (f->policy == V_OK && replace_json(&a->policy, f->policy_v, changed) != 0))
        return -1;
    return 0;
}

enum alter_create_result alter_agent_add(struct tenant *t, const cJSON *body, const char *id,
                                         const char *key_plaintext, int64_t now,
                                         struct field_errors *fe, struct alter_agent **out,
                                         char key_out[ALTER_KEY_MAX]) {
    struct alter_app *app = t->alter;
    struct alter_agent_fields f;
    alter_agent_fields_parse(body, true, fe, &f);
    v_require(fe, f.name, "name");
    if (id && (strlen(id) >= UUID_LEN || alter_app_find_agent(app, id)))
        field_error_add(fe, "id", "must be a new agent id");
    if (key_plaintext &&
        (strlen(key_plaintext) >= ALTER_KEY_MAX || !alter_key_format_valid(key_plaintext)))
        field_error_add(fe, "api_key", "must be an Alter key (alter_key_agent_ + 32 base62)");
    if (field_errors_any(fe)) return ALTER_CREATE_INVALID;
    if (alter_app_find_name(app, f.name_v)) return ALTER_CREATE_NAME_TAKEN;

    struct alter_agent *a = calloc(1, sizeof *a);
    bool changed = false;
    if (!a || !(a->name = strdup(f.name_v)) || !(a->scopes = cJSON_CreateObject()) ||
        !(a->metadata = cJSON_CreateObject()) || !(a->policy = cJSON_CreateObject()) ||
        apply_fields(a, &f, &changed) != 0) {
        alter_agent_free(a);
        return ALTER_CREATE_NOMEM;
    }
    if (id)
        text_copy(a->id, sizeof a->id, id);
    else
        random_uuid(a->id);
    a->created_at = a->updated_at = now;
    if (alter_app_add_agent(app, a) != 0) {
        alter_agent_free(a);
        return ALTER_CREATE_NOMEM;
    }
    if (!alter_key_issue(t, a, key_plaintext, NULL, 0, now, key_out)) {
        /* out of memory, or a fixture key already in use (or showing another key's
         * key_prefix): an agent without a key is no use */
        alter_app_revoke_agent(app, a, now);
        if (key_plaintext) {
            field_error_add(fe, "api_key", "is already in use");
            return ALTER_CREATE_INVALID;
        }
        return ALTER_CREATE_NOMEM;
    }
    *out = a;
    return ALTER_CREATE_OK;
}

/* 201 AgentInfo + api_key (null on a replay: the plaintext is never stored) + its first key. */
static void reply_created(struct req *r, const struct alter_agent *a, const char *api_key) {
    cJSON *body = alter_agent_json(a);
    if (api_key)
        cJSON_AddStringToObject(body, "api_key", api_key);
    else
        cJSON_AddNullToObject(body, "api_key");
    cJSON_AddItemToObject(body, "key", a->n_keys ? alter_key_json(a->keys[0]) : cJSON_CreateNull());
    text_copy(r->subject_id, sizeof r->subject_id, a->id);
    reply_json(r, 201, body);
    tenant_unlock(r->caller.tenant);
}

/* The same Idempotency-Key again within its day.  Called with the lock held; unlocks. */
static void replay(struct req *r, const struct idempotency_record *rec, const char *body_hash) {
    struct tenant *t = r->caller.tenant;
    if (strcmp(rec->body_hash, body_hash) != 0) {
        reply_error(r, 422, "idempotency_key_body_mismatch",
                    "This Idempotency-Key was used with a different body");
        tenant_unlock(t);
        return;
    }
    const struct alter_agent *a = alter_app_find_agent(t->alter, rec->agent_id);
    if (!a || a->revoked) {
        reply_error(r, 409, "idempotency_key_agent_revoked",
                    "The agent this Idempotency-Key created has been deleted");
        tenant_unlock(t);
        return;
    }
    reply_header(r, "Idempotent-Replayed", "true");
    r->sandbox.replayed = true; /* the journal shows it, and the report counts no write */
    reply_created(r, a, NULL);
}

void alter_agent_create(struct req *r) {
    struct field_errors fe = {0};
    const char *idem = req_header(r, "Idempotency-Key");
    if (idem && (!*idem || strlen(idem) > IDEMPOTENCY_KEY_MAX || strpbrk(idem, "\r\n")))
        field_error_add(&fe, "Idempotency-Key", "must be 1 to %d characters without CR or LF",
                        IDEMPOTENCY_KEY_MAX);
    char body_hash[SHA256_TAGGED_LEN] = "";
    if (idem && canonical_sha256(r->json, body_hash) != 0)
        return reply_error(r, 500, "internal_error", "Out of memory");

    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    if (idem && !field_errors_any(&fe)) {
        const struct idempotency_record *rec =
            idempotency_find(&t->alter->idempotency, idem, r->now);
        if (rec) return replay(r, rec, body_hash);
    }
    struct alter_agent *a = NULL;
    char api_key[ALTER_KEY_MAX];
    switch (alter_agent_add(t, r->json, NULL, NULL, r->now, &fe, &a, api_key)) {
    case ALTER_CREATE_OK:
        if (idem && idempotency_put(&t->alter->idempotency, idem, body_hash, a->id, r->now) != 0)
            log_error("idempotency record for agent %s lost (out of memory)", a->id);
        return reply_created(r, a, api_key);
    case ALTER_CREATE_INVALID:
        reply_validation(r, &fe);
        tenant_unlock(t);
        return;
    case ALTER_CREATE_NAME_TAKEN: {
        const char *name = cJSON_GetObjectItemCaseSensitive(r->json, "name")->valuestring;
        reply_error(r, 409, "agent_name_exists", "An active agent is already named %s", name);
        tenant_unlock(t);
        return;
    }
    case ALTER_CREATE_NOMEM:
        break;
    }
    reply_error(r, 500, "internal_error", "Out of memory");
    tenant_unlock(t);
}

void alter_agent_list(struct req *r) {
    struct field_errors fe = {0};
    struct alter_list_page page;
    alter_list_page_parse(r, &fe, &page);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    cJSON *agents = cJSON_CreateArray();
    tenant_lock(t);
    size_t total = alter_app_count(t->alter, page.include_revoked);
    size_t end = (size_t)page.offset + (size_t)page.limit;
    for (size_t k = (size_t)page.offset; k < total && k < end; k++) /* oldest first */
        cJSON_AddItemToArray(agents,
                             alter_agent_json(alter_app_nth(t->alter, page.include_revoked, k)));
    reply_json(r, 200, alter_list_page_json(&page, "agents", agents, total));
    tenant_unlock(t);
}

void alter_agent_get(struct req *r) {
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (a) reply_agent(r, 200, a);
}

void alter_agent_get_by_name(struct req *r) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct alter_agent *a = alter_app_find_name(t->alter, r->params[0]);
    if (!a) {
        reply_error(r, 404, "agent_not_found", "No active agent named %s", r->params[0]);
        tenant_unlock(t);
        return;
    }
    text_copy(r->subject_id, sizeof r->subject_id, a->id);
    reply_agent(r, 200, a);
}

void alter_agent_update(struct req *r) {
    static const char *const immutable[] = {"name", "type", "id", "status", NULL};
    struct field_errors fe = {0};
    for (int i = 0; immutable[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(r->json, immutable[i]))
            field_error_add(&fe, immutable[i], "cannot be changed");
    struct alter_agent_fields f;
    alter_agent_fields_parse(r->json, false, &fe, &f);
    f.type = V_ABSENT; /* reported as immutable above */
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return;
    struct tenant *t = r->caller.tenant;
    char dropped[160];
    if (a->revoked) {
        reply_error(r, 409, "agent_revoked", "Agent %s is deleted", a->id);
        tenant_unlock(t);
        return;
    }
    if (f.scopes == V_OK && alter_scopes_narrowed(a->scopes, f.scopes_v, dropped, sizeof dropped)) {
        reply_error(r, 409, "agent_scope_narrowing_not_supported",
                    "scopes must be the full desired map and keep every current scope; "
                    "it drops %s",
                    dropped);
        tenant_unlock(t);
        return;
    }
    bool changed = false;
    if (apply_fields(a, &f, &changed) != 0) {
        reply_error(r, 500, "internal_error", "Out of memory");
        tenant_unlock(t);
        return;
    }
    if (changed) a->updated_at = r->now;
    reply_agent(r, 200, a);
}

void alter_agent_delete(struct req *r) {
    struct alter_agent *a = alter_lock_agent(r, r->params[0]);
    if (!a) return;
    alter_app_revoke_agent(r->caller.tenant->alter, a, r->now); /* a repeat changes nothing */
    reply_agent(r, 200, a);
}
