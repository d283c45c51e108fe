#include "alsorn/agent_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/agents.h"
#include "alsorn/trust.h"
#include "core/json_read.h"

static cJSON *trust_json(const struct trust_record *tr) {
    cJSON *o = cJSON_CreateObject();
    snapshot_add_string(o, "id", tr->id);
    snapshot_add_int(o, "completed", tr->completed);
    snapshot_add_int(o, "failed", tr->failed);
    snapshot_add_int(o, "reversed", tr->reversed);
    snapshot_add_int(o, "completed_as_counterparty", tr->completed_as_counterparty);
    snapshot_add_int(o, "disputes_pending", tr->disputes_pending);
    snapshot_add_int(o, "disputes_upheld", tr->disputes_upheld);
    snapshot_add_int(o, "score", tr->score);
    snapshot_add_int(o, "total_tasks", tr->total_tasks);
    snapshot_add_int(o, "disputes", tr->disputes);
    cJSON_AddNumberToObject(o, "completion_rate", tr->completion_rate);
    snapshot_add_int(o, "tenure_days", tr->tenure_days);
    cJSON_AddBoolToObject(o, "operator_verified", tr->operator_verified);
    snapshot_add_int(o, "last_evaluated", tr->last_evaluated);
    cJSON *history = cJSON_AddArrayToObject(o, "history");
    for (size_t i = 0; i < tr->n_history; i++) {
        const struct trust_snapshot *s = &tr->history[i];
        cJSON *h = cJSON_CreateObject();
        snapshot_add_int(h, "created_at", s->created_at);
        snapshot_add_int(h, "score", s->score);
        snapshot_add_string(h, "reason", s->reason);
        cJSON_AddItemToArray(history, h);
    }
    return o;
}

/* An entry that records a transaction is its id and hash: the transaction record gives the
 * rest again, and the load checks the hash against it (audit_chain_adopt). */
static cJSON *audit_json(const struct audit_chain *c) {
    cJSON *audit = cJSON_CreateArray();
    for (size_t i = 0; i < c->n; i++) {
        const struct audit_entry *e = &c->entries[i];
        cJSON *je = cJSON_CreateObject();
        cJSON_AddItemToArray(audit, je);
        char id[ID_LEN], hash[SHA256_TAGGED_LEN];
        audit_entry_id(e, id);
        audit_entry_hash(e, hash);
        cJSON_AddItemToObjectCS(je, "id", cJSON_CreateString(id)); /* copies: rendered here */
        if (e->records_tx) {
            cJSON_AddItemToObjectCS(je, "payload_hash", cJSON_CreateString(hash));
            continue;
        }
        struct audit_fields f;
        audit_entry_fields(e, &f); /* cannot fail: an entry of its own holds its text */
        snapshot_add_string(je, "action", f.action);
        /* the canonical text as hashed, as a string: restored as it is, never re-serialized */
        snapshot_add_string(je, "payload", f.payload);
        snapshot_add_string(je, "actor_id", f.actor_id);
        snapshot_add_int(je, "created_at", f.created_at);
        cJSON_AddItemToObjectCS(je, "payload_hash", cJSON_CreateString(hash));
    }
    return audit;
}

static cJSON *agent_record(const struct agent *a, const struct tenant *t) {
    cJSON *o = snapshot_record("agent", t);
    snapshot_add_string(o, "id", a->id);
    snapshot_add_string(o, "name", a->name);
    snapshot_add_string(o, "registered_name", a->registered_name);
    snapshot_add_string(o, "description", a->description);
    snapshot_add_string(o, "fingerprint", a->fingerprint);
    snapshot_add_string(o, "environment", agent_env_names[a->environment]);
    snapshot_add_string(o, "status", agent_status_names[a->status]);
    cJSON *actions = cJSON_AddArrayToObject(o, "authorized_actions");
    for (size_t i = 0; i < a->n_actions; i++)
        cJSON_AddItemToArray(actions, cJSON_CreateString(a->actions[i]));
    snapshot_add_int(o, "spending_limit_cents", a->spending_limit);
    snapshot_add_string(o, "currency", a->currency);
    snapshot_add_string(o, "owner_id", a->owner_id);
    snapshot_add_int(o, "created_at", a->created_at);
    snapshot_add_int(o, "updated_at", a->updated_at);
    snapshot_add_int(o, "suspended_at", a->suspended_at);
    snapshot_add_int(o, "deleted_at", a->deleted_at);
    cJSON_AddItemToObject(o, "trust", trust_json(&a->trust));
    cJSON_AddItemToObject(o, "audit", audit_json(&a->audit));
    return o;
}

int agent_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    for (size_t k = 0; k < t->agents.n; k++)
        if (out->put(out->ctx, agent_record(t->agents.list[k], t)) != 0) return -1;
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

static int load_history(struct trust_record *tr, const cJSON *history) {
    int n = cJSON_IsArray(history) ? cJSON_GetArraySize(history) : -1;
    if (n < 0) return -1;
    if (n == 0) return 0;
    if (!(tr->history = calloc((size_t)n, sizeof *tr->history))) return -1;
    tr->cap_history = (size_t)n;
    const cJSON *h;
    cJSON_ArrayForEach(h, history) {
        bool ok = true;
        struct trust_snapshot *s = &tr->history[tr->n_history++];
        s->created_at = jr_int(h, "created_at", &ok);
        s->score = (int)jr_int(h, "score", &ok);
        s->reason = trust_reason_static(jr_string(h, "reason", &ok));
        if (!ok || !s->reason) return -1;
    }
    return 0;
}

static int load_trust(struct trust_record *tr, const cJSON *o) {
    bool ok = cJSON_IsObject(o);
    jr_copy(o, "id", tr->id, sizeof tr->id, &ok);
    tr->completed = (int)jr_int(o, "completed", &ok);
    tr->failed = (int)jr_int(o, "failed", &ok);
    tr->reversed = (int)jr_int(o, "reversed", &ok);
    tr->completed_as_counterparty = (int)jr_int(o, "completed_as_counterparty", &ok);
    tr->disputes_pending = (int)jr_int(o, "disputes_pending", &ok);
    tr->disputes_upheld = (int)jr_int(o, "disputes_upheld", &ok);
    tr->score = (int)jr_int(o, "score", &ok);
    tr->total_tasks = (int)jr_int(o, "total_tasks", &ok);
    tr->disputes = (int)jr_int(o, "disputes", &ok);
    tr->completion_rate = jr_number(o, "completion_rate", &ok);
    tr->tenure_days = (int)jr_int(o, "tenure_days", &ok);
    tr->operator_verified = jr_bool(o, "operator_verified", &ok);
    tr->last_evaluated = jr_int(o, "last_evaluated", &ok);
    return ok && load_history(tr, jr_member(o, "history")) == 0 ? 0 : -1;
}

/* Restores the chain as saved, checking each entry links onto the one before it (an entry
 * that records a transaction: once that transaction is loaded). */
static int load_audit(struct agent *a, const cJSON *audit, bool as_given) {
    if (!cJSON_IsArray(audit) ||
        audit_chain_reserve(&a->audit, (size_t)cJSON_GetArraySize(audit)) != 0)
        return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, audit) {
        bool ok = true;
        const char *id = jr_string(e, "id", &ok);
        const char *hash = jr_string(e, "payload_hash", &ok);
        if (ok && !jr_member(e, "payload")) {
            if (audit_chain_restore_pending(&a->audit, id, hash) != 0) return -1;
            continue;
        }
        const char *action = jr_string(e, "action", &ok);
        const char *actor = jr_string(e, "actor_id", &ok);
        const char *payload = jr_string(e, "payload", &ok);
        int64_t created = jr_int(e, "created_at", &ok);
        if (!ok || (as_given ? audit_chain_restore_as_given : audit_chain_restore)(
                       &a->audit, a->id, id, action, payload, actor, created, hash) != 0)
            return -1;
    }
    return 0;
}

static int fail(char *err, size_t err_size, const struct agent *a, const char *what) {
    return snapshot_fail(err, err_size, "agent %s: %s", a->id[0] ? a->id : "?", what);
}

/* Everything but the chain and the index; -1 when a field is missing or mistyped. */
static int load_fields(struct agent *a, const cJSON *rec) {
    bool ok = true;
    jr_copy(rec, "id", a->id, sizeof a->id, &ok);
    a->name = strdup(jr_string(rec, "name", &ok));
    a->registered_name = jr_strdup_or_null(rec, "registered_name", &ok);
    a->description = jr_strdup_or_null(rec, "description", &ok);
    jr_copy(rec, "fingerprint", a->fingerprint, sizeof a->fingerprint, &ok);
    a->environment = (enum agent_env)jr_enum(rec, "environment", agent_env_names, &ok);
    a->status = (enum agent_status)jr_enum(rec, "status", agent_status_names, &ok);
    a->spending_limit = jr_int(rec, "spending_limit_cents", &ok);
    jr_copy(rec, "currency", a->currency, sizeof a->currency, &ok);
    jr_copy(rec, "owner_id", a->owner_id, sizeof a->owner_id, &ok);
    a->created_at = jr_int(rec, "created_at", &ok);
    a->updated_at = jr_int(rec, "updated_at", &ok);
    a->suspended_at = jr_int(rec, "suspended_at", &ok);
    a->deleted_at = jr_int(rec, "deleted_at", &ok);
    size_t n = 0;
    const char **actions = jr_strings(rec, "authorized_actions", &n, &ok);
    if (ok && agent_set_actions(a, actions, n) != 0) ok = false;
    free(actions);
    return ok && a->name ? 0 : -1;
}

/* A state file is outside input: what the API would refuse is refused here too.  0, or -1
 * with the first rule broken in err. */
static int check_fields(const struct agent *a, const cJSON *rec, char *err, size_t err_size) {
    struct field_errors fe = {0};
    alsorn_agent_fields_check(rec, a->spending_limit, &fe);
    if (a->registered_name) { /* the name at registration obeyed the name's rules then */
        cJSON *named = cJSON_CreateObject();
        cJSON_AddStringToObject(named, "name", a->registered_name);
        alsorn_agent_fields_check(named, 100, &fe);
        cJSON_Delete(named);
    }
    /* the API makes it: "sha256:" and 64 lower-case hex digits */
    if (strncmp(a->fingerprint, "sha256:", 7) != 0 || strlen(a->fingerprint) != 71 ||
        strspn(a->fingerprint + 7, "0123456789abcdef") != 64)
        field_error_add(&fe, "fingerprint", "must be \"sha256:\" and 64 lower-case hex digits");
    if (!field_errors_any(&fe)) return 0;
    char what[ID_LEN + 8];
    snprintf(what, sizeof what, "agent %s", a->id);
    return snapshot_fail_fields(err, err_size, what, &fe);
}

int agent_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                        size_t err_size) {
    struct agent *a = calloc(1, sizeof *a);
    if (!a) return snapshot_fail(err, err_size, "out of memory");
    int rc = -1;
    if (load_fields(a, rec) != 0)
        fail(err, err_size, a, "missing or mistyped fields");
    else if (check_fields(a, rec, err, err_size) != 0)
        rc = -1; /* err says which rule */
    else if (load_trust(&a->trust, jr_member(rec, "trust")) != 0)
        fail(err, err_size, a,
             "bad trust record (fields, or a history reason the mock never writes)");
    else if (load_audit(a, jr_member(rec, "audit"), store_staging_audit_as_given(st)) != 0)
        fail(err, err_size, a,
             "audit chain does not verify, or an entry's payload is not canonical JSON nesting "
             "at most 64 levels");
    else if (a->audit.n == 0) /* registering made its first entry: no agent is without one */
        fail(err, err_size, a, "empty audit chain");
    else if (store_staging_add_agent(st, a->id, t) != 0)
        fail(err, err_size, a, "duplicate id");
    else if (agent_set_add(&t->agents, a) != 0)
        fail(err, err_size, a, "out of memory");
    else
        rc = 0;
    if (rc != 0) agent_free(a);
    return rc;
}
