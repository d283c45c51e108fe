/* Trust endpoints (alsorn.md §4): GET /trust/{agent_id}, POST /trust/query,
 * GET /trust/{agent_id}/history, POST /trust/evaluate/{agent_id}.
 *
 * Reads work for any organization's agent (a counterparty's trust is the point of them): the
 * agent's own tenant is found through the directory and locked alone, the caller's never. */
#include "alsorn/trust_api.h"
#include "alsorn/limits.h"
#include "core/json_build.h"

#include <stdio.h>
#include <string.h>

#include "alsorn/agents.h"
#include "alsorn/trust.h"
#include "core/clock.h"
#include "core/json_alloc.h"
#include "store/store.h"


/* Finds agent `id` in whichever organization owns it and locks that organization.  NULL when
 * there is none; otherwise *owner holds a reference and its lock, both the caller's to drop
 * (owner_done). */
static struct agent *lock_any_agent(const char *id, struct tenant **owner) {
    struct tenant *t = store_agent_owner(id);
    *owner = t;
    if (!t) return NULL;
    tenant_lock(t);
    struct agent *a = agent_set_find(&t->agents, id);
    if (!a) { /* removed between the directory lookup and the lock */
        tenant_unlock(t);
        tenant_release(t);
        *owner = NULL;
    }
    return a;
}

static void owner_done(struct tenant *t) {
    tenant_unlock(t);
    tenant_release(t);
}

void alsorn_trust_get(struct req *r) {
    struct tenant *owner;
    struct agent *a = lock_any_agent(r->params[0], &owner);
    if (!a) return reply_not_found(r);
    json_scratch_begin();
    cJSON *profile = trust_profile_json(a, r->now);
    owner_done(owner);
    reply_json(r, 200, profile);
    json_scratch_end();
}

void alsorn_trust_query(struct req *r) {
    struct field_errors fe = {0};
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(r->json, "agent_ids");
    int n = cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : -1;
    if (!ids) field_error_add(&fe, "agent_ids", "is required");
    else if (n < 1 || n > TRUST_QUERY_MAX)
        field_error_add(&fe, "agent_ids", "must be an array of 1 to %d agent ids", TRUST_QUERY_MAX);
    int i = 0;
    for (const cJSON *id = n > 0 ? ids->child : NULL; id; id = id->next, i++) {
        if (cJSON_IsString(id)) continue;
        char path[32];
        snprintf(path, sizeof path, "agent_ids[%d]", i);
        field_error_add(&fe, path, "must be a string");
    }
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    json_scratch_begin(); /* the 50 profiles are made, printed and dropped in one arena */
    cJSON *results = cJSON_CreateArray();
    /* One organization locked at a time, and kept locked while the ids that follow are its
     * own: a batch of one organization's agents takes its lock once, not 50 times over (eight
     * clients asking at once passed the lock back and forth 400 times a round). */
    struct tenant *held = NULL; /* locked, with a reference */
    for (const cJSON *id = ids->child; id; id = id->next) {
        struct tenant *owner = store_agent_owner(id->valuestring);
        if (owner && owner == held) {
            tenant_release(owner); /* held has its own reference */
        } else if (owner) {
            if (held) owner_done(held);
            tenant_lock(held = owner);
        }
        const struct agent *a = owner ? agent_set_find(&owner->agents, id->valuestring) : NULL;
        cJSON_AddItemToArray(results, a ? trust_profile_json(a, r->now) : cJSON_CreateNull());
    }
    if (held) owner_done(held);
    cJSON *body = cJSON_CreateObject();
    json_add_item(body, "results", results);
    reply_json(r, 200, body);
    json_scratch_end();
}

void alsorn_trust_history(struct req *r) {
    struct field_errors fe = {0};
    char since_text[64];
    int64_t cutoff = 0;
    int has_since = req_query(r, "since", since_text, sizeof since_text);
    if (has_since) { /* since wins over days (ext) */
        if (has_since < 0 || clock_parse(since_text, &cutoff) != 0)
            field_error_add(&fe, "since", "must be an RFC 3339 timestamp, e.g. 2026-01-02T03:04:05Z");
    } else {
        long days;
        req_query_int(r, &fe, "days", 1, TRUST_HISTORY_DAYS_MAX, TRUST_HISTORY_DAYS, &days);
        cutoff = r->now - days * 86400;
    }
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *owner;
    struct agent *a = lock_any_agent(r->params[0], &owner);
    if (!a) return reply_not_found(r);
    cJSON *snapshots = cJSON_CreateArray();
    const struct trust_record *tr = &a->trust;
    for (size_t i = tr->n_history; i-- > 0;) /* newest first */
        if (tr->history[i].created_at >= cutoff)
            cJSON_AddItemToArray(snapshots, trust_snapshot_json(&tr->history[i]));
    owner_done(owner);
    reply_json(r, 200, snapshots);
}

/* The optional body of evaluate: a prospective transaction to decide. */
struct prospective {
    bool given;
    const char *action, *currency;
    int64_t amount;
};

static void parse_prospective(const cJSON *body, struct field_errors *fe, struct prospective *p) {
    memset(p, 0, sizeof *p);
    static const char *const members[] = {"action", "amount", "currency", NULL};
    for (int i = 0; body && members[i]; i++)
        p->given |= cJSON_GetObjectItemCaseSensitive(body, members[i]) != NULL;
    if (!p->given) return; /* no body, or none of its members: recompute only */
    v_require(fe, v_string(fe, body, "action", 1, ALSORN_ACTION_MAX, false, &p->action), "action");
    v_require(fe, v_money(fe, body, "amount", ALSORN_MONEY_MAX, &p->amount), "amount");
    alsorn_v_currency(fe, body, &p->currency);
}

void alsorn_trust_evaluate(struct req *r) {
    struct field_errors fe = {0};
    struct prospective p;
    parse_prospective(r->json, &fe, &p);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct agent *a = alsorn_lock_agent(r, r->params[0]);
    if (!a) return;
    struct tenant *t = r->caller.tenant;
    if (p.given && p.currency && strcmp(p.currency, a->currency) != 0) {
        field_error_add(&fe, "currency", "must be %s, the agent's currency: the sandbox does no exchange",
                        a->currency);
        reply_validation(r, &fe);
        tenant_unlock(t);
        return;
    }
    trust_evaluate(t, a, r->now, TRUST_REASON_EVALUATION);
    cJSON *profile = trust_profile_json(a, r->now);
    if (p.given) {
        struct trust_decision d;
        trust_decide(a, p.action, p.amount, &d);
        json_add_item(profile, "decision", trust_decision_json(&d));
    }
    reply_json(r, 200, profile);
    tenant_unlock(t);
}
