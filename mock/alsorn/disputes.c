#include "alsorn/disputes.h"
#include "alsorn/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/events.h"
#include "alsorn/trust.h"
#include "core/log.h"
#include "store/store.h"


static const char *id_or_null(const struct agent *a) { return a ? a->id : NULL; }

cJSON *dispute_json(const struct dispute *d) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "dispute_id", d->id);
    cJSON_AddStringToObject(o, "agent_id", d->agent->id);
    json_add_string_or_null(o, "reported_by", id_or_null(d->reported_by));
    cJSON_AddStringToObject(o, "reason", d->reason);
    json_add_string_or_null(o, "evidence", d->evidence_text);
    cJSON *ids = cJSON_AddArrayToObject(o, "evidence_ids");
    for (size_t i = 0; i < d->n_evidence; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(d->evidence[i]->id));
    json_add_string_or_null(o, "transaction_id", d->transaction ? d->transaction->id : NULL);
    cJSON_AddStringToObject(o, "status", dispute_status_names[d->status]);
    json_add_time(o, "created_at", d->created_at);
    json_add_time(o, "resolved_at", d->resolved_at);
    return o;
}

/* An entry in the reported agent's chain and, when there is one, the reporter's. */
static void audit_both(struct dispute *d, const char *action, const char *actor_id,
                       int64_t now) {
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "dispute_id", d->id);
    cJSON_AddStringToObject(p, "agent_id", d->agent->id);
    json_add_string_or_null(p, "reported_by", id_or_null(d->reported_by));
    json_add_string_or_null(p, "transaction_id", d->transaction ? d->transaction->id : NULL);
    cJSON_AddStringToObject(p, "status", dispute_status_names[d->status]);
    struct agent *parties[2] = {d->agent, d->reported_by};
    for (int i = 0; i < 2; i++) {
        struct agent *a = parties[i];
        if (a && !audit_chain_append(&a->audit, a->id, action, cJSON_Duplicate(p, true),
                                     actor_id, now))
            log_error("audit append failed for %s (out of memory)", a->id);
    }
    cJSON_Delete(p);
}

/* A transaction of this organization involving agent a, or NULL after adding a field error. */
static struct transaction *involving(struct tenant *t, const struct agent *a, const char *id,
                                     const char *field, struct field_errors *fe) {
    struct transaction *tx = transaction_set_find(&t->transactions, id);
    if (!tx) field_error_add(fe, field, "no transaction %s in this organization", id);
    else if (a && tx->agent != a && tx->counterparty != a)
        field_error_add(fe, field, "transaction %s does not involve agent %s", id, a->id);
    else return tx;
    return NULL;
}

struct report_fields {
    const char *agent_id, *reason, *evidence, *transaction_id;
    const char *evidence_ids[DISPUTE_MAX_EVIDENCE];
    size_t n_evidence;
};

static void parse_report(const cJSON *body, struct field_errors *fe, struct report_fields *f) {
    memset(f, 0, sizeof *f);
    v_require(fe, v_string(fe, body, "agent_id", 1, ALSORN_ID_ARG_MAX, false, &f->agent_id), "agent_id");
    v_require(fe, v_string(fe, body, "reason", 1, DISPUTE_REASON_MAX, false, &f->reason), "reason");
    v_string(fe, body, "evidence", 0, DISPUTE_EVIDENCE_MAX, true, &f->evidence);
    v_string(fe, body, "transaction_id", 1, ALSORN_ID_ARG_MAX, true, &f->transaction_id);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "evidence_ids");
    if (!ids || cJSON_IsNull(ids)) return;
    if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > DISPUTE_MAX_EVIDENCE) {
        field_error_add(fe, "evidence_ids", "must be an array of at most %d transaction ids",
                        DISPUTE_MAX_EVIDENCE);
        return;
    }
    int i = 0;
    for (const cJSON *id = ids->child; id; id = id->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "evidence_ids[%d]", i);
        if (!cJSON_IsString(id) || !id->valuestring[0]) {
            field_error_add(fe, path, "must be a transaction id");
            continue;
        }
        bool duplicate = false;
        for (size_t j = 0; j < f->n_evidence && !duplicate; j++)
            duplicate = strcmp(f->evidence_ids[j], id->valuestring) == 0;
        if (duplicate) field_error_add(fe, path, "duplicates an earlier id");
        else f->evidence_ids[f->n_evidence++] = id->valuestring;
    }
}

/* Resolves the ids of f in t; fills d's references or adds field errors. */
static void resolve_report(struct tenant *t, const struct report_fields *f,
                           struct field_errors *fe, struct dispute *d) {
    d->agent = agent_set_find(&t->agents, f->agent_id);
    if (!d->agent) field_error_add(fe, "agent_id", "no agent %s in this organization", f->agent_id);
    if (f->transaction_id)
        d->transaction = involving(t, d->agent, f->transaction_id, "transaction_id", fe);
    for (size_t i = 0; i < f->n_evidence; i++) {
        char path[48];
        snprintf(path, sizeof path, "evidence_ids[%zu]", i);
        d->evidence[d->n_evidence++] = involving(t, d->agent, f->evidence_ids[i], path, fe);
    }
    /* the reporter is the other party of the transaction the dispute is about */
    if (d->transaction && d->agent)
        d->reported_by = d->transaction->agent == d->agent ? d->transaction->counterparty
                                                           : d->transaction->agent;
}

void alsorn_dispute_report(struct req *r) {
    struct field_errors fe = {0};
    struct report_fields f;
    parse_report(r->json, &fe, &f);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct dispute *d = calloc(1, sizeof *d);
    if (!d || !(d->reason = strdup(f.reason)) ||
        (f.evidence && !(d->evidence_text = strdup(f.evidence)))) {
        dispute_free(d);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    resolve_report(t, &f, &fe, d);
    if (field_errors_any(&fe)) {
        tenant_unlock(t);
        dispute_free(d);
        return reply_validation(r, &fe);
    }
    random_object_id(d->id, sizeof d->id, "dsp_");
    d->status = DISPUTE_PENDING;
    d->created_at = r->now;
    dispute_set_add(&t->disputes, d);
    audit_both(d, "trust.dispute_filed", r->caller.owner_id, r->now);
    events_emit(t, "trust.dispute_filed", dispute_json(d), r->now);
    d->agent->trust.disputes_pending++;
    trust_evaluate(t, d->agent, r->now, TRUST_REASON_DISPUTE_FILED);
    cJSON *body = dispute_json(d);
    reply_json(r, 201, body);
    tenant_unlock(t);
}

void alsorn_dispute_get(struct req *r) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    const struct dispute *d = dispute_set_find(&t->disputes, r->params[0]);
    cJSON *body = d ? dispute_json(d) : NULL;
    tenant_unlock(t);
    if (!body) return reply_not_found(r);
    reply_json(r, 200, body);
}

bool dispute_resolve(struct tenant *t, struct dispute *d, bool upheld, const char *actor_id,
                     int64_t now) {
    if (d->status != DISPUTE_PENDING) return false;
    d->status = upheld ? DISPUTE_UPHELD : DISPUTE_DISMISSED;
    d->resolved_at = now;
    audit_both(d, "trust.dispute_resolved", actor_id, now);
    struct trust_record *tr = &d->agent->trust;
    tr->disputes_pending--;
    if (upheld) tr->disputes_upheld++;
    trust_evaluate(t, d->agent, now, upheld ? TRUST_REASON_UPHELD : TRUST_REASON_IN_FAVOR);
    return true;
}

void mock_dispute_resolve(struct req *r) {
    static const char *const outcomes[] = {"upheld", "dismissed", NULL};
    struct field_errors fe = {0};
    int outcome = -1;
    v_require(&fe, v_enum(&fe, r->json, "outcome", outcomes, &outcome), "outcome");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) return reply_not_found(r);
    tenant_lock(t);
    struct dispute *d = dispute_set_find(&t->disputes, r->params[1]);
    bool resolved = d && dispute_resolve(t, d, outcome == 0, t->user_id, r->now);
    cJSON *body = resolved ? dispute_json(d) : NULL;
    const char *status = d ? dispute_status_names[d->status] : NULL;
    tenant_unlock(t);
    tenant_release(t);
    if (!d) return reply_not_found(r);
    if (!resolved) return reply_error(r, 409, "conflict", "Dispute %s is already %s", r->params[1], status);
    reply_json(r, 200, body);
}
