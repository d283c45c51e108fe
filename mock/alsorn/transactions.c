#include "alsorn/transactions.h"
#include "alsorn/limits.h"
#include "core/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/agents.h"
#include "alsorn/events.h"
#include "alsorn/transaction_filter.h"
#include "alsorn/transaction_json.h"
#include "core/json_alloc.h"
#include "core/log.h"


/* ---- domain ------------------------------------------------------------------------------ */

static struct transaction *new_transaction(enum tx_type type, struct agent *a, struct agent *cp,
                                           int64_t amount, const char *currency,
                                           const char *action, const char *notes, int64_t now) {
    struct transaction *tx = calloc(1, sizeof *tx);
    if (!tx || !(tx->action_type = strdup(action)) || (notes && !(tx->notes = strdup(notes)))) {
        transaction_free(tx);
        return NULL;
    }
    random_object_id(tx->id, sizeof tx->id, "tx_");
    tx->type = type;
    tx->agent = a;
    tx->counterparty = cp;
    tx->amount = amount;
    utf8_copy_lossy(tx->currency, sizeof tx->currency, currency, strlen(currency));
    tx->created_at = now;
    return tx;
}

/* Records tx in both parties' chains, actor = the initiating agent, and emits its event.
 * audit_hash is the initiator's entry.  The two entries' payloads are the same text, written
 * once; the event's data is built only when an endpoint will receive it. */
static void record(struct tenant *t, struct transaction *tx, const char *action, int64_t now) {
    struct agent *a = tx->agent, *cp = tx->counterparty;
    char *text = transaction_audit_text(tx);
    tx->audit_index = a->audit.n;
    if (!text || audit_chain_append_transaction(&a->audit, a->id, tx, text) != 0)
        log_error("audit append failed for %s (out of memory)", a->id);
    if (!text || audit_chain_append_transaction(&cp->audit, cp->id, tx, text) != 0)
        log_error("audit append failed for %s (out of memory)", cp->id);
    free(text);
    if (events_wanted(t, action)) events_emit(t, action, transaction_json(tx), now);
}

enum tx_outcome transaction_execute(struct tenant *t, const struct tx_request *req, int64_t now,
                                    struct field_errors *fe, struct tx_result *out) {
    memset(out, 0, sizeof *out);
    struct agent *a = agent_set_find(&t->agents, req->agent_id);
    struct agent *cp = agent_set_find(&t->agents, req->counterparty_id);
    if (!a) field_error_add(fe, "agent_id", "no agent %s in this organization", req->agent_id);
    if (!cp)
        field_error_add(fe, "counterparty_id", "no agent %s in this organization",
                        req->counterparty_id);
    if (a && req->currency && strcmp(req->currency, a->currency) != 0)
        field_error_add(fe, "currency",
                        "must be %s, the agent's currency: the sandbox does no exchange",
                        a->currency);
    if (field_errors_any(fe)) return TX_INVALID;
    if (a->status == AGENT_DELETED) { /* §3: a deleted agent takes no new transaction */
        snprintf(out->message, sizeof out->message, "Agent %s is deleted", a->id);
        return TX_CONFLICT;
    }
    /* checked after "initiator active" (§5 order): a suspended initiator's 403 comes first */
    if (a->status == AGENT_ACTIVE && cp->status == AGENT_DELETED) {
        field_error_add(fe, "counterparty_id", "agent %s is deleted", cp->id);
        return TX_INVALID;
    }
    struct trust_decision d;
    trust_decide(a, req->action_type, req->amount, &d);
    struct transaction *tx = new_transaction(TX_TRANSFER, a, cp, req->amount, a->currency,
                                             req->action_type, req->notes, now);
    if (!tx) return TX_NOMEM;
    tx->permissions_checked = true;
    tx->status = d.check == TRUST_ALLOWED ? TX_COMPLETED : TX_FAILED;
    if (d.check != TRUST_ALLOWED) {
        tx->error_code = trust_check_codes_upper[d.check];
        if (!(tx->error_message = strdup(d.reason))) {
            transaction_free(tx);
            return TX_NOMEM;
        }
    }
    if (transaction_set_add(&t->transactions, tx) != 0) {
        transaction_free(tx);
        return TX_NOMEM;
    }
    out->tx = tx;
    out->check = d.check;
    _Static_assert(sizeof out->message == sizeof d.reason, "the reason fits the message");
    memcpy(out->message, d.reason, sizeof out->message);
    if (d.check == TRUST_ALLOWED) {
        record(t, tx, "transaction.completed", now);
        a->trust.completed++;
        cp->trust.completed_as_counterparty++;
        trust_evaluate(t, a, now, TRUST_REASON_COMPLETED);
        trust_evaluate(t, cp, now, TRUST_REASON_COMPLETED);
        return TX_OK;
    }
    record(t, tx, "transaction.failed", now);
    a->trust.failed++; /* the counterparty's inputs count only completed transactions */
    trust_evaluate(t, a, now, TRUST_REASON_FAILED);
    return TX_REFUSED;
}

enum tx_outcome transaction_reverse(struct tenant *t, struct transaction *original,
                                    const char *reason, int64_t now, struct tx_result *out) {
    memset(out, 0, sizeof *out);
    struct agent *a = original->agent, *cp = original->counterparty;
    if (original->type == TX_REVERSAL) {
        snprintf(out->message, sizeof out->message,
                 "Transaction %s is a reversal; a reversal cannot be reversed", original->id);
        return TX_CONFLICT;
    }
    if (original->status != TX_COMPLETED) {
        snprintf(out->message, sizeof out->message,
                 "Transaction %s is %s; only a completed transaction can be reversed",
                 original->id, tx_status_names[original->status]);
        return TX_CONFLICT;
    }
    const struct agent *deleted = a->status == AGENT_DELETED    ? a
                                  : cp->status == AGENT_DELETED ? cp
                                                                : NULL;
    if (deleted) {
        snprintf(out->message, sizeof out->message, "Agent %s is deleted", deleted->id);
        return TX_CONFLICT;
    }
    struct transaction *rev = new_transaction(TX_REVERSAL, a, cp, original->amount,
                                              original->currency, original->action_type, NULL, now);
    char *original_reason = reason ? strdup(reason) : NULL;
    if (rev) rev->status = TX_REVERSED; /* a reversal record is born reversed */
    if (!rev || (reason && (!original_reason || !(rev->reversal_reason = strdup(reason)))) ||
        transaction_set_add(&t->transactions, rev) != 0) {
        transaction_free(rev);
        free(original_reason);
        return TX_NOMEM;
    }
    rev->original = original;
    rev->reversed_at = now;
    transaction_set_change_status(&t->transactions, original, TX_REVERSED);
    original->reversal = rev;
    original->reversed_at = now;
    original->reversal_reason = original_reason;
    out->tx = rev;
    record(t, rev, "transaction.reversed", now);
    a->trust.completed--;
    a->trust.reversed++;
    cp->trust.completed_as_counterparty--;
    trust_evaluate(t, a, now, TRUST_REASON_REVERSED);
    trust_evaluate(t, cp, now, TRUST_REASON_REVERSED);
    return TX_OK;
}

/* ---- handlers ---------------------------------------------------------------------------- */

static void parse_execute(const cJSON *body, struct field_errors *fe, struct tx_request *req) {
    memset(req, 0, sizeof *req);
    v_require(fe, v_string(fe, body, "agent_id", 1, ALSORN_ID_ARG_MAX, false, &req->agent_id),
              "agent_id");
    v_require(fe,
              v_string(fe, body, "counterparty_id", 1, ALSORN_ID_ARG_MAX, false, &req->counterparty_id),
              "counterparty_id");
    v_require(fe, v_money(fe, body, "amount", ALSORN_MONEY_MAX, &req->amount), "amount");
    enum vres action = v_string(fe, body, "action_type", 1, ALSORN_ACTION_MAX, false, &req->action_type);
    v_require(fe, action, "action_type");
    if (action == V_OK && !alsorn_action_name_valid(req->action_type))
        field_error_add(fe, "action_type", "must match ^[a-z][a-z0-9_.:-]{0,63}$");
    alsorn_v_currency(fe, body, &req->currency);
    v_string(fe, body, "notes", 0, TX_NOTES_MAX, true, &req->notes);
    if (req->agent_id && req->counterparty_id && strcmp(req->agent_id, req->counterparty_id) == 0)
        field_error_add(fe, "counterparty_id", "must differ from agent_id");
}

/* The reply to POST /transactions, rendered under the lock: res.tx belongs to the tenant. */
static void reply_execute(struct req *r, enum tx_outcome outcome, const struct tx_result *res,
                          struct field_errors *fe) {
    switch (outcome) {
    case TX_OK: return reply_json(r, 201, transaction_json(res->tx));
    case TX_INVALID: return reply_validation(r, fe);
    case TX_CONFLICT: return reply_error(r, 409, "conflict", "%s", res->message);
    case TX_REFUSED: {
        cJSON *extra = cJSON_CreateObject();
        cJSON_AddStringToObject(extra, "transaction_id", res->tx->id);
        return reply_error_extra(r, 403, trust_check_codes[res->check], extra, "%s", res->message);
    }
    case TX_NOMEM: break;
    }
    reply_error(r, 500, "internal_error", "Out of memory");
}

void alsorn_transaction_execute(struct req *r) {
    struct field_errors fe = {0};
    struct tx_request req;
    parse_execute(r->json, &fe, &req);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    struct tx_result res;
    tenant_lock(t);
    enum tx_outcome outcome = transaction_execute(t, &req, r->now, &fe, &res);
    reply_execute(r, outcome, &res, &fe);
    tenant_unlock(t);
}

void alsorn_transaction_list(struct req *r) {
    struct field_errors fe = {0};
    struct tx_filter f;
    long page, limit;
    tx_filter_parse(r, &fe, false, &f);
    req_query_int(r, &fe, "page", 1, 0x7fffffffL, 1, &page);
    req_query_int(r, &fe, "limit", 1, ALSORN_PAGE_LIMIT_MAX, ALSORN_PAGE_LIMIT_DEFAULT, &limit);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    size_t offset = (size_t)(page - 1) * (size_t)limit, end = offset + (size_t)limit, total = 0;
    json_scratch_begin(); /* the page's tree is made, printed and dropped in one arena */
    cJSON *rows = cJSON_CreateArray();
    tenant_lock(t);
    struct tx_candidates c = tx_candidates_of(t, &f);
    size_t n = tx_candidates_count(&c);
    if (tx_filter_indexed(&f) && (f.status < 0 || !c.agent)) {
        /* an index answers: the agent's positions, or the status rank index */
        total = c.agent || c.none ? n : transaction_set_count(&t->transactions, f.status);
        for (size_t k = offset; k < total && k < end; k++) {
            const struct transaction *tx = c.agent || c.none
                                               ? tx_candidates_at(&c, n - 1 - k)
                                               : transaction_set_nth_newest(&t->transactions,
                                                                            f.status, k);
            cJSON_AddItemToArray(rows, transaction_json(tx));
        }
    } else {
        for (size_t i = n; i-- > 0;) { /* newest first */
            const struct transaction *tx = tx_candidates_at(&c, i);
            if (!tx_filter_match(&f, tx, tx->status)) continue;
            if (total >= offset && total < end) cJSON_AddItemToArray(rows, transaction_json(tx));
            total++;
        }
    }
    tenant_unlock(t);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "transactions", rows);
    json_add_number(body, "total", (double)total);
    json_add_number(body, "page", (double)page);
    json_add_number(body, "limit", (double)limit);
    reply_json(r, 200, body);
    json_scratch_end();
}

void alsorn_transaction_get(struct req *r) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    const struct transaction *tx = transaction_set_find(&t->transactions, r->params[0]);
    if (!tx) {
        reply_not_found(r);
        tenant_unlock(t);
        return;
    }
    cJSON *o = transaction_json(tx);
    const struct agent *a = tx->agent, *cp = tx->counterparty;
    cJSON_AddItemToObject(o, "audit_entry", tx->audit_index < a->audit.n
                                                ? audit_entry_json(&a->audit, a->id, tx->audit_index)
                                                : cJSON_CreateNull());
    cJSON *trust = cJSON_AddObjectToObject(o, "counterparty_trust");
    cJSON_AddStringToObject(trust, "agent_id", cp->id);
    cJSON_AddStringToObject(trust, "agent_name", cp->name);
    json_add_number(trust, "score", cp->trust.score);
    cJSON_AddStringToObject(trust, "assessment",
                            trust_model_assessment(trust_model_active(), cp->trust.score));
    reply_json(r, 200, o);
    tenant_unlock(t);
}

void alsorn_transaction_reverse(struct req *r) {
    struct field_errors fe = {0};
    const char *reason = NULL;
    if (r->json) v_string(&fe, r->json, "reason", 0, TX_REASON_MAX, true, &reason);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct transaction *original = transaction_set_find(&t->transactions, r->params[0]);
    if (!original) {
        reply_not_found(r);
        tenant_unlock(t);
        return;
    }
    struct tx_result res;
    enum tx_outcome outcome = transaction_reverse(t, original, reason, r->now, &res);
    cJSON *body = outcome == TX_OK ? transaction_json(res.tx) : NULL;
    tenant_unlock(t);
    if (outcome == TX_OK) return reply_json(r, 200, body);
    if (outcome == TX_CONFLICT) return reply_error(r, 409, "conflict", "%s", res.message);
    reply_error(r, 500, "internal_error", "Out of memory");
}
