#include "alsorn/agents.h"
#include "alsorn/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/events.h"
#include "alsorn/trust.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "store/store.h"
#include "core/text_copy.h"


/* ---- validation of the writable fields (shared by register and update) ----------------- */

struct agent_fields {
    enum vres name, description, actions, limit, currency, environment;
    const char *name_v, *description_v, *currency_v;
    const char *actions_v[AGENT_ACTIONS_MAX];
    size_t n_actions;
    int64_t limit_cents;
    int environment_v;
};

bool alsorn_action_name_valid(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > ALSORN_ACTION_MAX || s[0] < 'a' || s[0] > 'z') return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.:-", s[i])))
            return false;
    return true;
}

static enum vres v_actions(struct field_errors *fe, const cJSON *body, struct agent_fields *f) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "authorized_actions");
    if (!arr) return V_ABSENT;
    if (!cJSON_IsArray(arr)) {
        field_error_add(fe, "authorized_actions", "must be an array of strings");
        return V_BAD;
    }
    int n = cJSON_GetArraySize(arr);
    if (n < 1 || n > AGENT_ACTIONS_MAX) {
        field_error_add(fe, "authorized_actions", "must have 1 to %d items", AGENT_ACTIONS_MAX);
        return V_BAD;
    }
    enum vres result = V_OK;
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char path[40];
        snprintf(path, sizeof path, "authorized_actions[%d]", i);
        if (!cJSON_IsString(it)) {
            field_error_add(fe, path, "must be a string");
            result = V_BAD;
            continue;
        }
        if (!alsorn_action_name_valid(it->valuestring)) {
            field_error_add(fe, path, "must match ^[a-z][a-z0-9_.:-]{0,63}$");
            result = V_BAD;
            continue;
        }
        bool duplicate = false;
        for (size_t j = 0; j < f->n_actions && !duplicate; j++)
            duplicate = strcmp(f->actions_v[j], it->valuestring) == 0;
        if (duplicate) {
            field_error_add(fe, path, "duplicates an earlier action");
            result = V_BAD;
            continue;
        }
        f->actions_v[f->n_actions++] = it->valuestring;
    }
    return result;
}

enum vres alsorn_v_currency(struct field_errors *fe, const cJSON *body, const char **out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, "currency");
    if (!it) return V_ABSENT;
    const char *s = cJSON_IsString(it) ? it->valuestring : "";
    if (strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' ||
        s[2] > 'Z') {
        field_error_add(fe, "currency", "must be 3 upper-case letters (ISO 4217)");
        return V_BAD;
    }
    *out = s;
    return V_OK;
}

static void parse_agent_fields(const cJSON *body, struct field_errors *fe, struct agent_fields *f) {
    memset(f, 0, sizeof *f);
    f->name = v_string(fe, body, "name", AGENT_NAME_MIN, AGENT_NAME_MAX, false, &f->name_v);
    f->description = v_string(fe, body, "description", 0, AGENT_DESCRIPTION_MAX, true, &f->description_v);
    f->actions = v_actions(fe, body, f);
    f->limit = v_money(fe, body, "spending_limit", ALSORN_MONEY_MAX, &f->limit_cents);
    f->currency = alsorn_v_currency(fe, body, &f->currency_v);
    f->environment = v_enum(fe, body, "environment", agent_env_names, &f->environment_v);
}

void alsorn_agent_fields_check(const cJSON *rec, int64_t spending_limit_cents,
                               struct field_errors *fe) {
    struct agent_fields f;
    parse_agent_fields(rec, fe, &f);
    /* minor units as the API's number, checked as it is; on the stack: a load checks a
     * million of these */
    cJSON limit = {.type = cJSON_Number,
                   .string = "spending_limit",
                   .valuedouble = (double)spending_limit_cents / 100};
    cJSON body = {.type = cJSON_Object, .child = &limit};
    int64_t cents = 0;
    if (v_money(fe, &body, "spending_limit", ALSORN_MONEY_MAX, &cents) == V_OK &&
        cents != spending_limit_cents)
        field_error_add(fe, "spending_limit", "must be a whole number of minor units");
}

/* ---- shared helpers ------------------------------------------------------------------- */

struct agent *alsorn_lock_agent(struct req *r, const char *id) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct agent *a = agent_set_find(&t->agents, id);
    if (!a) {
        reply_not_found(r);
        tenant_unlock(t);
    }
    return a;
}

void alsorn_audit(struct req *r, struct agent *a, const char *action, cJSON *payload) {
    if (!audit_chain_append(&a->audit, a->id, action, payload, r->caller.owner_id, r->now))
        log_error("audit append failed for %s (out of memory)", a->id);
}

static void reply_agent(struct req *r, int status, const struct agent *a) {
    json_scratch_begin();
    cJSON *body = agent_to_json(a, r->caller.tenant, r->now);
    reply_json(r, status, body);
    tenant_unlock(r->caller.tenant);
    json_scratch_end();
}

/* Emits `event` with the agent as its data, then replies with the agent. */
static void reply_agent_event(struct req *r, int status, const struct agent *a, const char *event) {
    events_emit(r->caller.tenant, event, agent_to_json(a, r->caller.tenant, r->now), r->now);
    reply_agent(r, status, a);
}

static cJSON *actions_json(const char *const *actions, size_t n) {
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(actions[i]));
    return arr;
}

static cJSON *money_json(int64_t cents) {
    char text[32];
    money_format(cents, text);
    return cJSON_CreateRaw(text);
}

static cJSON *status_change(const char *from, const char *to) {
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "previous_status", from);
    cJSON_AddStringToObject(p, "status", to);
    return p;
}

/* ---- handlers ------------------------------------------------------------------------ */

enum create_result alsorn_agent_create(struct tenant *t, const cJSON *body, const char *actor_id,
                                       int64_t now, struct field_errors *fe, struct agent **out) {
    struct agent_fields f;
    parse_agent_fields(body, fe, &f);
    v_require(fe, f.name, "name");
    v_require(fe, f.actions, "authorized_actions");
    v_require(fe, f.limit, "spending_limit");
    if (field_errors_any(fe)) return CREATE_INVALID;
    if (t->max_agents > 0 && (long)t->agents.n >= t->max_agents) return CREATE_PLAN_LIMIT;

    struct agent *a = calloc(1, sizeof *a);
    if (!a || !(a->name = strdup(f.name_v)) ||
        (f.description_v && !(a->description = strdup(f.description_v))) ||
        agent_set_actions(a, f.actions_v, f.n_actions) != 0) {
        agent_free(a);
        return CREATE_NOMEM;
    }
    random_object_id(a->id, sizeof a->id, "agent_");
    a->environment = f.environment == V_OK ? (enum agent_env)f.environment_v : ENV_PRODUCTION;
    a->status = AGENT_ACTIVE;
    a->spending_limit = f.limit_cents;
    text_copy(a->currency, sizeof a->currency, f.currency == V_OK ? f.currency_v : "USD");
    text_copy(a->owner_id, sizeof a->owner_id, actor_id);
    a->created_at = a->updated_at = now;
    agent_fingerprint(a, t->id, a->fingerprint);
    random_object_id(a->trust.id, sizeof a->trust.id, "tr_");
    trust_init(a, t, now);
    if (agent_set_add(&t->agents, a) != 0) {
        agent_free(a);
        return CREATE_NOMEM;
    }
    store_agent_register(a->id, t);

    cJSON *payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "name", a->name);
    cJSON_AddStringToObject(payload, "environment", agent_env_names[a->environment]);
    cJSON_AddStringToObject(payload, "fingerprint", a->fingerprint);
    cJSON_AddItemToObject(payload, "authorized_actions",
                          actions_json((const char *const *)a->actions, a->n_actions));
    cJSON_AddItemToObject(payload, "spending_limit", money_json(a->spending_limit));
    cJSON_AddStringToObject(payload, "currency", a->currency);
    if (!audit_chain_append(&a->audit, a->id, "agent.registered", payload, actor_id, now))
        log_error("audit append failed for %s (out of memory)", a->id);
    *out = a;
    return CREATE_OK;
}

void alsorn_agent_register(struct req *r) {
    struct field_errors fe = {0};
    struct tenant *t = r->caller.tenant;
    struct agent *a = NULL;
    tenant_lock(t);
    switch (alsorn_agent_create(t, r->json, r->caller.owner_id, r->now, &fe, &a)) {
    case CREATE_OK: return reply_agent_event(r, 201, a, "agent.registered");
    case CREATE_INVALID: reply_validation(r, &fe); break;
    case CREATE_PLAN_LIMIT:
        reply_error(r, 403, "plan_limit_exceeded",
                    "The %s plan allows %ld agents; this organization has reached it",
                    plan_names[t->plan], t->max_agents);
        break;
    case CREATE_NOMEM: reply_error(r, 500, "internal_error", "Out of memory"); break;
    }
    tenant_unlock(t);
}

static bool matches(const struct agent *a, int status, int environment, const char *search) {
    if (status >= 0 ? (int)a->status != status : a->status == AGENT_DELETED) return false;
    if (environment >= 0 && (int)a->environment != environment) return false;
    return !search || strcasestr(a->name, search);
}

void alsorn_agent_list(struct req *r) {
    struct field_errors fe = {0};
    long page, limit;
    char search[AGENT_NAME_MAX * 4 + 1];
    int status = req_query_enum(r, &fe, "status", agent_status_names);
    int environment = req_query_enum(r, &fe, "environment", agent_env_names);
    int has_search = req_query(r, "search", search, sizeof search);
    if (has_search < 0 || (has_search > 0 && utf8_chars(search) > AGENT_NAME_MAX))
        field_error_add(&fe, "search", "must be at most %d characters", AGENT_NAME_MAX);
    req_query_int(r, &fe, "page", 1, 0x7fffffffL, 1, &page);
    req_query_int(r, &fe, "limit", 1, ALSORN_PAGE_LIMIT_MAX, ALSORN_PAGE_LIMIT_DEFAULT, &limit);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    size_t offset = (size_t)(page - 1) * (size_t)limit, total = 0;
    json_scratch_begin(); /* the page's tree is made, printed and dropped in one arena */
    cJSON *data = cJSON_CreateArray();
    tenant_lock(t);
    if (environment < 0 && has_search <= 0) {
        /* the common case is served by the status indexes: O(limit · log n) */
        total = agent_set_count(&t->agents, status);
        for (size_t k = offset; k < total && k < offset + (size_t)limit; k++)
            cJSON_AddItemToArray(data, agent_to_json(agent_set_nth_newest(&t->agents, status, k),
                                                     t, r->now));
    } else {
        for (size_t i = t->agents.n; i-- > 0;) {
            const struct agent *a = t->agents.list[i];
            if (!matches(a, status, environment, has_search > 0 ? search : NULL)) continue;
            if (total >= offset && total < offset + (size_t)limit)
                cJSON_AddItemToArray(data, agent_to_json(a, t, r->now));
            total++;
        }
    }
    tenant_unlock(t);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "data", data);
    cJSON_AddItemToObject(body, "pagination", json_pagination(page, limit, total));
    reply_json(r, 200, body);
    json_scratch_end();
}

void alsorn_agent_get(struct req *r) {
    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (a) reply_agent(r, 200, a);
}

static const char *const immutable_fields[] = {"environment", "id", "fingerprint", "status", NULL};

/* Records one changed field: an audit entry {field, old_value, new_value}. */
static void audit_change(struct req *r, struct agent *a, const char *field, cJSON *old_value,
                         cJSON *new_value) {
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "field", field);
    cJSON_AddItemToObject(p, "old_value", old_value);
    cJSON_AddItemToObject(p, "new_value", new_value);
    alsorn_audit(r, a, "agent.updated", p);
}

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static bool same_actions(const struct agent *a, const struct agent_fields *f) {
    if (a->n_actions != f->n_actions) return false;
    for (size_t i = 0; i < f->n_actions; i++)
        if (strcmp(a->actions[i], f->actions_v[i]) != 0) return false;
    return true;
}

/* Applies the validated fields; returns false when out of memory. */
static bool apply_update(struct req *r, struct agent *a, const struct agent_fields *f,
                         bool clear_description) {
    bool changed = false;
    if (f->name == V_OK && strcmp(a->name, f->name_v) != 0) {
        char *name = strdup(f->name_v);
        if (!name) return false;
        audit_change(r, a, "name", cJSON_CreateString(a->name), cJSON_CreateString(name));
        if (!a->registered_name) a->registered_name = a->name; /* the fingerprint's name */
        else free(a->name);
        a->name = name;
        changed = true;
    }
    const char *desc = clear_description ? NULL : f->description_v;
    if ((f->description == V_OK || clear_description) &&
        !(desc == a->description || (desc && a->description && strcmp(desc, a->description) == 0))) {
        char *copy = desc ? strdup(desc) : NULL;
        if (desc && !copy) return false;
        audit_change(r, a, "description", string_or_null(a->description), string_or_null(copy));
        free(a->description);
        a->description = copy;
        changed = true;
    }
    if (f->actions == V_OK && !same_actions(a, f)) {
        cJSON *old = actions_json((const char *const *)a->actions, a->n_actions);
        if (agent_set_actions(a, f->actions_v, f->n_actions) != 0) {
            cJSON_Delete(old);
            return false;
        }
        audit_change(r, a, "authorized_actions", old, actions_json(f->actions_v, f->n_actions));
        changed = true;
    }
    if (f->limit == V_OK && f->limit_cents != a->spending_limit) {
        audit_change(r, a, "spending_limit", money_json(a->spending_limit), money_json(f->limit_cents));
        a->spending_limit = f->limit_cents;
        changed = true;
    }
    if (f->currency == V_OK && strcmp(f->currency_v, a->currency) != 0) {
        audit_change(r, a, "currency", cJSON_CreateString(a->currency), cJSON_CreateString(f->currency_v));
        text_copy(a->currency, sizeof a->currency, f->currency_v);
        changed = true;
    }
    if (changed) a->updated_at = r->now;
    return true;
}

void alsorn_agent_update(struct req *r) {
    struct field_errors fe = {0};
    for (int i = 0; immutable_fields[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(r->json, immutable_fields[i]))
            field_error_add(&fe, immutable_fields[i], "is immutable");
    struct agent_fields f;
    parse_agent_fields(r->json, &fe, &f);
    f.environment = V_ABSENT; /* reported as immutable above */
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    bool clear_description = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "description"));

    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->status == AGENT_DELETED) {
        reply_error(r, 409, "conflict", "Agent %s is deleted", a->id);
        tenant_unlock(r->caller.tenant);
        return;
    }
    size_t entries_before = a->audit.n;
    if (!apply_update(r, a, &f, clear_description)) {
        reply_error(r, 500, "internal_error", "Out of memory");
        tenant_unlock(r->caller.tenant);
        return;
    }
    if (a->audit.n == entries_before) return reply_agent(r, 200, a); /* nothing changed */
    reply_agent_event(r, 200, a, "agent.updated");
}

void alsorn_agent_suspend(struct req *r) {
    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->status == AGENT_DELETED) {
        reply_error(r, 409, "conflict", "Agent %s is deleted", a->id);
        tenant_unlock(r->caller.tenant);
        return;
    }
    if (a->status == AGENT_SUSPENDED) return reply_agent(r, 200, a); /* already: unchanged */
    agent_set_change_status(&r->caller.tenant->agents, a, AGENT_SUSPENDED);
    a->suspended_at = a->updated_at = r->now;
    alsorn_audit(r, a, "agent.suspended", status_change("active", "suspended"));
    reply_agent_event(r, 200, a, "agent.suspended");
}

void alsorn_agent_reactivate(struct req *r) {
    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->status != AGENT_SUSPENDED) {
        reply_error(r, 409, "conflict", "Agent %s is %s; only a suspended agent can be reactivated",
                    a->id, agent_status_names[a->status]);
        tenant_unlock(r->caller.tenant);
        return;
    }
    agent_set_change_status(&r->caller.tenant->agents, a, AGENT_ACTIVE);
    a->suspended_at = 0;
    a->updated_at = r->now;
    alsorn_audit(r, a, "agent.reactivated", status_change("suspended", "active"));
    reply_agent_event(r, 200, a, "agent.reactivated");
}

void alsorn_agent_delete(struct req *r) {
    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    if (a->status == AGENT_DELETED) {
        reply_error(r, 409, "conflict", "Agent %s is already deleted", a->id);
        tenant_unlock(r->caller.tenant);
        return;
    }
    const char *from = agent_status_names[a->status];
    agent_set_change_status(&r->caller.tenant->agents, a, AGENT_DELETED);
    a->deleted_at = a->updated_at = r->now;
    alsorn_audit(r, a, "agent.deleted", status_change(from, "deleted"));
    reply_agent_event(r, 200, a, "agent.deleted");
}
