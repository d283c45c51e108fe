#include "alsorn/agent_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"

static void add_time(cJSON *o, const char *name, int64_t t) { cJSON_AddNumberToObject(o, name, (double)t); }

cJSON *agent_snapshot_json(const struct agent *a, const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "agent");
    cJSON_AddStringToObject(o, "org_id", t->id);
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "name", a->name);
    if (a->registered_name) cJSON_AddStringToObject(o, "registered_name", a->registered_name);
    if (a->description) cJSON_AddStringToObject(o, "description", a->description);
    cJSON_AddStringToObject(o, "fingerprint", a->fingerprint);
    cJSON_AddStringToObject(o, "environment", agent_env_names[a->environment]);
    cJSON_AddStringToObject(o, "status", agent_status_names[a->status]);
    cJSON *actions = cJSON_AddArrayToObject(o, "authorized_actions");
    for (size_t i = 0; i < a->n_actions; i++) cJSON_AddItemToArray(actions, cJSON_CreateString(a->actions[i]));
    cJSON_AddNumberToObject(o, "spending_limit_cents", (double)a->spending_limit);
    cJSON_AddStringToObject(o, "currency", a->currency);
    cJSON_AddStringToObject(o, "owner_id", a->owner_id);
    add_time(o, "created_at", a->created_at);
    add_time(o, "updated_at", a->updated_at);
    add_time(o, "suspended_at", a->suspended_at);
    add_time(o, "deleted_at", a->deleted_at);
    cJSON *trust = cJSON_AddObjectToObject(o, "trust");
    cJSON_AddStringToObject(trust, "id", a->trust.id);
    cJSON_AddNumberToObject(trust, "score", a->trust.score);
    cJSON_AddNumberToObject(trust, "total_tasks", a->trust.total_tasks);
    cJSON_AddNumberToObject(trust, "disputes", a->trust.disputes);
    cJSON_AddNumberToObject(trust, "completion_rate", a->trust.completion_rate);
    add_time(trust, "last_evaluated", a->trust.last_evaluated);
    cJSON *audit = cJSON_AddArrayToObject(o, "audit");
    for (size_t i = 0; i < a->audit.n; i++) {
        const struct audit_entry *e = &a->audit.entries[i];
        cJSON *je = cJSON_CreateObject();
        cJSON_AddStringToObject(je, "id", e->id);
        cJSON_AddStringToObject(je, "action", e->action);
        cJSON_AddRawToObject(je, "payload", e->payload); /* canonical JSON text, as stored */
        cJSON_AddStringToObject(je, "actor_id", e->actor_id);
        add_time(je, "created_at", e->created_at);
        cJSON_AddStringToObject(je, "payload_hash", e->payload_hash);
        cJSON_AddItemToArray(audit, je);
    }
    return o;
}

static int fail(char *err, size_t err_size, const char *id, const char *what) {
    snprintf(err, err_size, "agent %s: %s", id, what);
    return -1;
}

static int load_audit(struct agent *a, const cJSON *audit, char *err, size_t err_size) {
    const cJSON *e;
    cJSON_ArrayForEach(e, audit) {
        bool ok = true;
        const char *id = jr_string(e, "id", &ok), *action = jr_string(e, "action", &ok);
        const char *actor = jr_string(e, "actor_id", &ok), *hash = jr_string(e, "payload_hash", &ok);
        int64_t created = jr_int(e, "created_at", &ok);
        const cJSON *payload = cJSON_GetObjectItemCaseSensitive(e, "payload");
        char *payload_text = payload ? cJSON_PrintUnformatted(payload) : NULL;
        if (!ok || !payload_text ||
            audit_chain_restore(&a->audit, id, action, payload_text, actor, created, hash) != 0) {
            free(payload_text);
            return fail(err, err_size, a->id, "bad audit entry");
        }
        free(payload_text);
    }
    struct audit_check check;
    audit_chain_verify(&a->audit, a->id, &check);
    if (!check.valid) return fail(err, err_size, a->id, "audit chain does not verify");
    return 0;
}

int agent_snapshot_load(struct tenant *t, const cJSON *rec, char *err, size_t err_size) {
    bool ok = true;
    struct agent *a = calloc(1, sizeof *a);
    if (!a) return fail(err, err_size, "?", "out of memory");
    const char *id = jr_string(rec, "id", &ok);
    snprintf(a->id, sizeof a->id, "%s", id);
    const char *name = jr_string(rec, "name", &ok);
    const char *registered = jr_string_or_null(rec, "registered_name", &ok);
    const char *description = jr_string_or_null(rec, "description", &ok);
    a->name = strdup(name);
    a->registered_name = registered ? strdup(registered) : NULL;
    a->description = description ? strdup(description) : NULL;
    snprintf(a->fingerprint, sizeof a->fingerprint, "%s", jr_string(rec, "fingerprint", &ok));
    a->environment = (enum agent_env)jr_enum(rec, "environment", agent_env_names, &ok);
    a->status = (enum agent_status)jr_enum(rec, "status", agent_status_names, &ok);
    a->spending_limit = jr_int(rec, "spending_limit_cents", &ok);
    snprintf(a->currency, sizeof a->currency, "%s", jr_string(rec, "currency", &ok));
    snprintf(a->owner_id, sizeof a->owner_id, "%s", jr_string(rec, "owner_id", &ok));
    a->created_at = jr_int(rec, "created_at", &ok);
    a->updated_at = jr_int(rec, "updated_at", &ok);
    a->suspended_at = jr_int(rec, "suspended_at", &ok);
    a->deleted_at = jr_int(rec, "deleted_at", &ok);
    const cJSON *trust = cJSON_GetObjectItemCaseSensitive(rec, "trust");
    snprintf(a->trust.id, sizeof a->trust.id, "%s", jr_string(trust, "id", &ok));
    a->trust.score = (int)jr_int(trust, "score", &ok);
    a->trust.total_tasks = (int)jr_int(trust, "total_tasks", &ok);
    a->trust.disputes = (int)jr_int(trust, "disputes", &ok);
    a->trust.completion_rate = jr_number(trust, "completion_rate", &ok);
    a->trust.last_evaluated = jr_int(trust, "last_evaluated", &ok);

    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(rec, "authorized_actions");
    size_t n = (size_t)cJSON_GetArraySize(actions);
    const char **names = calloc(n ? n : 1, sizeof *names);
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, actions) {
        if (!cJSON_IsString(it)) ok = false;
        else if (names) names[i++] = it->valuestring;
    }
    int rc = -1;
    if (!ok || !a->name || !names || !cJSON_IsArray(actions))
        fail(err, err_size, a->id, "missing or mistyped fields");
    else if (agent_set_actions(a, names, i) != 0)
        fail(err, err_size, a->id, "out of memory");
    else if (agent_set_find(&t->agents, a->id))
        fail(err, err_size, a->id, "duplicate id");
    else if (load_audit(a, cJSON_GetObjectItemCaseSensitive(rec, "audit"), err, err_size) == 0)
        rc = agent_set_add(&t->agents, a) == 0 ? 0 : fail(err, err_size, a->id, "out of memory");
    free(names);
    if (rc != 0) agent_free(a);
    return rc;
}
