#include "alsorn/dispute_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "core/json_read.h"

static cJSON *dispute_record(const struct dispute *d, const struct tenant *t) {
    cJSON *o = snapshot_record("dispute", t);
    cJSON_AddStringToObject(o, "id", d->id);
    cJSON_AddStringToObject(o, "agent_id", d->agent->id);
    json_add_string_or_null(o, "reported_by", d->reported_by ? d->reported_by->id : NULL);
    json_add_string_or_null(o, "transaction_id", d->transaction ? d->transaction->id : NULL);
    cJSON *ids = cJSON_AddArrayToObject(o, "evidence_ids");
    for (size_t i = 0; i < d->n_evidence; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(d->evidence[i]->id));
    cJSON_AddStringToObject(o, "reason", d->reason);
    json_add_string_or_null(o, "evidence", d->evidence_text);
    cJSON_AddStringToObject(o, "status", dispute_status_names[d->status]);
    snapshot_add_int(o, "created_at", d->created_at);
    snapshot_add_int(o, "resolved_at", d->resolved_at);
    return o;
}

int dispute_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    /* uthash iterates in insertion order: filing order */
    for (const struct dispute *d = t->disputes.by_id; d; d = d->hh.next)
        if (out->put(out->ctx, dispute_record(d, t)) != 0) return -1;
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

/* Resolves the ids the record names in t; NULL, or why the record is inconsistent. */
static const char *link(struct dispute *d, struct tenant *t, const cJSON *rec) {
    bool ok = true;
    const char *agent_id = jr_string(rec, "agent_id", &ok);
    const char *reporter_id = jr_string_or_null(rec, "reported_by", &ok);
    const char *tx_id = jr_string_or_null(rec, "transaction_id", &ok);
    size_t n = 0;
    const char **evidence = jr_strings(rec, "evidence_ids", &n, &ok);
    const char *why = NULL;
    if (!ok)
        why = "missing or mistyped fields";
    else if (!(d->agent = agent_set_find(&t->agents, agent_id)) ||
             (reporter_id && !(d->reported_by = agent_set_find(&t->agents, reporter_id))))
        why = "agent_id or reported_by names no agent of the org";
    else if (tx_id && !(d->transaction = transaction_set_find(&t->transactions, tx_id)))
        why = "transaction_id names no transaction of the org";
    else if (n > DISPUTE_MAX_EVIDENCE)
        why = "more evidence_ids than a dispute holds";
    for (size_t i = 0; !why && i < n; i++)
        if (!(d->evidence[d->n_evidence++] = transaction_set_find(&t->transactions, evidence[i])))
            why = "evidence_ids names no transaction of the org";
    if (!why && dispute_set_find(&t->disputes, d->id)) why = "duplicate id";
    free(evidence);
    return why;
}

int dispute_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                          size_t err_size) {
    (void)st;
    struct dispute *d = calloc(1, sizeof *d);
    if (!d) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    jr_copy(rec, "id", d->id, sizeof d->id, &ok);
    d->reason = strdup(jr_string(rec, "reason", &ok));
    d->evidence_text = jr_strdup_or_null(rec, "evidence", &ok);
    d->status = (enum dispute_status)jr_enum(rec, "status", dispute_status_names, &ok);
    d->created_at = jr_int(rec, "created_at", &ok);
    d->resolved_at = jr_int(rec, "resolved_at", &ok);
    const char *why = ok && d->reason ? link(d, t, rec) : "missing or mistyped fields";
    if (why) {
        snapshot_fail(err, err_size, "dispute %s: %s", d->id[0] ? d->id : "?", why);
        dispute_free(d);
        return -1;
    }
    dispute_set_add(&t->disputes, d);
    return 0;
}
