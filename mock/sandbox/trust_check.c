#include "sandbox/trust_check.h"

#include "alsorn/trust_model.h"
#include "store/store.h"
#include "store/tenant.h"

#include <stdlib.h>

#define MAX_DETAILS 20

/* The disputes against each agent, by its position in t->agents: one pass over the disputes
 * for the whole check (per agent, the pass was O(agents × disputes) under the tenant's lock). */
struct dispute_counts {
    int pending, upheld;
};

static struct dispute_counts *count_disputes(const struct tenant *t) {
    struct dispute_counts *by_agent = calloc(t->agents.n ? t->agents.n : 1, sizeof *by_agent);
    if (!by_agent) return NULL;
    for (const struct dispute *d = t->disputes.by_id; d; d = d->hh.next) {
        struct dispute_counts *c = &by_agent[d->agent->position];
        if (d->status == DISPUTE_PENDING) c->pending++;
        else if (d->status == DISPUTE_UPHELD) c->upheld++;
    }
    return by_agent;
}

/* What a's counters would be if every event were replayed: its transfers by status (as
 * initiator), completed transfers it received, and the disputes against it. */
static struct trust_record recount(const struct tenant *t, const struct agent *a,
                                   const struct dispute_counts *disputes) {
    struct trust_record c = {0};
    for (size_t i = 0; i < a->transactions.n; i++) {
        const struct transaction *tx = t->transactions.list[a->transactions.positions[i]];
        if (tx->type != TX_TRANSFER) continue;
        if (tx->agent == a) {
            if (tx->status == TX_COMPLETED) c.completed++;
            else if (tx->status == TX_FAILED) c.failed++;
            else if (tx->status == TX_REVERSED) c.reversed++;
        }
        if (tx->counterparty == a && tx->status == TX_COMPLETED) c.completed_as_counterparty++;
    }
    c.disputes_pending = disputes[a->position].pending;
    c.disputes_upheld = disputes[a->position].upheld;
    return c;
}

static cJSON *counters_json(const struct trust_record *tr, int score) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "score", score);
    cJSON_AddNumberToObject(o, "completed", tr->completed);
    cJSON_AddNumberToObject(o, "failed", tr->failed);
    cJSON_AddNumberToObject(o, "reversed", tr->reversed);
    cJSON_AddNumberToObject(o, "completed_as_counterparty", tr->completed_as_counterparty);
    cJSON_AddNumberToObject(o, "disputes_pending", tr->disputes_pending);
    cJSON_AddNumberToObject(o, "disputes_upheld", tr->disputes_upheld);
    return o;
}

void mock_trust_check(struct req *r) {
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", r->params[0]);
    cJSON *body = cJSON_CreateObject(), *details = cJSON_CreateArray();
    size_t mismatches = 0;
    tenant_lock(t);
    struct dispute_counts *disputes = count_disputes(t);
    if (!disputes) {
        tenant_unlock(t);
        tenant_release(t);
        cJSON_Delete(body);
        cJSON_Delete(details);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    for (size_t i = 0; i < t->agents.n; i++) {
        const struct agent *a = t->agents.list[i];
        const struct trust_record *tr = &a->trust;
        struct trust_record c = recount(t, a, disputes);
        /* the score as of the last evaluation: its tenure and verification, recounted events */
        struct trust_inputs in = {.completed = c.completed,
                                  .failed = c.failed,
                                  .reversed = c.reversed,
                                  .completed_as_counterparty = c.completed_as_counterparty,
                                  .disputes = c.disputes_pending + c.disputes_upheld,
                                  .tenure_days = tr->tenure_days,
                                  .operator_verified = tr->operator_verified};
        struct trust_score s;
        trust_model_score(trust_model_active(), &in, &s);
        bool same = s.score == tr->score && c.completed == tr->completed &&
                    c.failed == tr->failed && c.reversed == tr->reversed &&
                    c.completed_as_counterparty == tr->completed_as_counterparty &&
                    c.disputes_pending == tr->disputes_pending &&
                    c.disputes_upheld == tr->disputes_upheld;
        if (same || mismatches++ >= MAX_DETAILS) continue;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "agent_id", a->id);
        cJSON_AddItemToObject(d, "stored", counters_json(tr, tr->score));
        cJSON_AddItemToObject(d, "recomputed", counters_json(&c, s.score));
        cJSON_AddItemToArray(details, d);
    }
    cJSON_AddStringToObject(body, "org_id", t->id);
    cJSON_AddNumberToObject(body, "agents", (double)t->agents.n);
    tenant_unlock(t);
    free(disputes);
    tenant_release(t);
    cJSON_AddNumberToObject(body, "mismatches", (double)mismatches);
    cJSON_AddItemToObject(body, "details", details);
    reply_json(r, 200, body);
}
