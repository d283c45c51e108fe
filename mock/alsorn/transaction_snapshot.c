#include "alsorn/transaction_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/transactions.h"
#include "alsorn/trust.h"
#include "core/json_read.h"

static cJSON *transaction_record(const struct transaction *tx, const struct tenant *t) {
    cJSON *o = snapshot_record("transaction", t);
    snapshot_add_string(o, "id", tx->id);
    snapshot_add_string(o, "transaction_type", tx_type_names[tx->type]);
    snapshot_add_string(o, "status", tx_status_names[tx->status]);
    snapshot_add_string(o, "agent_id", tx->agent->id);
    snapshot_add_string(o, "counterparty_id", tx->counterparty->id);
    snapshot_add_int(o, "amount_cents", tx->amount);
    snapshot_add_string(o, "currency", tx->currency);
    snapshot_add_string(o, "action_type", tx->action_type);
    snapshot_add_string(o, "notes", tx->notes);
    cJSON_AddBoolToObject(o, "permissions_checked", tx->permissions_checked);
    snapshot_add_int(o, "audit_index", (int64_t)tx->audit_index);
    snapshot_add_int(o, "created_at", tx->created_at);
    snapshot_add_int(o, "reversed_at", tx->reversed_at);
    snapshot_add_string(o, "original_id", tx->original ? tx->original->id : NULL);
    snapshot_add_string(o, "reversal_reason", tx->reversal_reason);
    snapshot_add_string(o, "error_code", tx->error_code);
    snapshot_add_string(o, "error_message", tx->error_message);
    return o;
}

int transaction_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    for (size_t i = 0; i < t->transactions.n; i++)
        if (out->put(out->ctx, transaction_record(t->transactions.list[i], t)) != 0) return -1;
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

/* The static code equal to code (transactions keep pointers to these), or NULL. */
static const char *static_error_code(const char *code) {
    for (int i = TRUST_AGENT_NOT_ACTIVE; i <= TRUST_INSUFFICIENT; i++)
        if (strcmp(trust_check_codes_upper[i], code) == 0) return trust_check_codes_upper[i];
    return NULL;
}

struct parties {
    const char *agent_id, *counterparty_id, *original_id, *error_code;
};

/* The fields of the record itself; -1 when one is missing or mistyped. */
static int load_fields(struct transaction *tx, const cJSON *rec, struct parties *p) {
    bool ok = true;
    jr_copy(rec, "id", tx->id, sizeof tx->id, &ok);
    tx->type = (enum tx_type)jr_enum(rec, "transaction_type", tx_type_names, &ok);
    tx->status = (enum tx_status)jr_enum(rec, "status", tx_status_names, &ok);
    p->agent_id = jr_string(rec, "agent_id", &ok);
    p->counterparty_id = jr_string(rec, "counterparty_id", &ok);
    tx->amount = jr_int(rec, "amount_cents", &ok);
    jr_copy(rec, "currency", tx->currency, sizeof tx->currency, &ok);
    tx->action_type = strdup(jr_string(rec, "action_type", &ok));
    tx->notes = jr_strdup_or_null(rec, "notes", &ok);
    tx->permissions_checked = jr_bool(rec, "permissions_checked", &ok);
    int64_t audit_index = jr_int(rec, "audit_index", &ok);
    tx->audit_index = audit_index >= 0 && audit_index < UINT32_MAX ? (uint32_t)audit_index
                                                                   : UINT32_MAX;
    tx->created_at = jr_int(rec, "created_at", &ok);
    tx->reversed_at = jr_int(rec, "reversed_at", &ok);
    p->original_id = jr_string_or_null(rec, "original_id", &ok);
    tx->reversal_reason = jr_strdup_or_null(rec, "reversal_reason", &ok);
    p->error_code = jr_string_or_null(rec, "error_code", &ok);
    tx->error_message = jr_strdup_or_null(rec, "error_message", &ok);
    return ok && tx->action_type ? 0 : -1;
}

/* Links tx to what it names in t; NULL, or why the record is inconsistent. */
static const char *link_parties(struct transaction *tx, struct tenant *t, const struct parties *p) {
    tx->agent = agent_set_find(&t->agents, p->agent_id);
    tx->counterparty = agent_set_find(&t->agents, p->counterparty_id);
    if (!tx->agent || !tx->counterparty)
        return "agent_id or counterparty_id names no agent of the org";
    if (tx->agent == tx->counterparty) return "agent_id and counterparty_id are the same agent";
    if (transaction_set_find(&t->transactions, tx->id)) return "duplicate id";
    if (tx->audit_index >= tx->agent->audit.n)
        return "audit_index is past the end of the initiator's chain";
    if ((tx->status == TX_FAILED) != (p->error_code != NULL) ||
        (p->error_code && !(tx->error_code = static_error_code(p->error_code))))
        return "error_code must be a known code on a failed transaction, null otherwise";
    if (tx->type == TX_TRANSFER) return p->original_id ? "a transfer names no original_id" : NULL;
    struct transaction *original =
        p->original_id ? transaction_set_find(&t->transactions, p->original_id) : NULL;
    if (tx->status != TX_REVERSED || !original || original->type != TX_TRANSFER ||
        original->status != TX_REVERSED || original->reversal)
        return "a reversal must name an earlier reversed transfer that no other reversal names";
    tx->original = original;
    return NULL;
}

/* Hands each party's next pending chain entry to tx (audit_chain_adopt): the initiator's must
 * be the one audit_hash shows.  Each entry's hash must be the one tx's fields give: the chains
 * are hash-linked, so a record edited by hand (amount, parties, status) no longer matches
 * them.  NULL, or why not. */
static const char *adopt_audit_entries(const struct transaction *tx) {
    struct agent *a = tx->agent, *cp = tx->counterparty;
    char *text = transaction_audit_text(tx);
    const char *why = NULL;
    if (!text) why = "out of memory";
    else if (audit_chain_adopt(&a->audit, a->id, tx, text) != (long)tx->audit_index)
        why = "the record does not match its entry in the initiator's audit chain";
    else if (audit_chain_adopt(&cp->audit, cp->id, tx, text) < 0)
        why = "the record does not match its entry in the counterparty's audit chain";
    free(text);
    return why;
}

int transaction_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size) {
    (void)st;
    struct transaction *tx = calloc(1, sizeof *tx);
    struct parties p = {0};
    if (!tx) return snapshot_fail(err, err_size, "out of memory");
    const char *why =
        load_fields(tx, rec, &p) != 0 ? "missing or mistyped fields" : link_parties(tx, t, &p);
    /* after a refusal the staged state is dropped whole, chains that adopted tx included */
    if (!why) why = adopt_audit_entries(tx);
    if (!why && transaction_set_add(&t->transactions, tx) != 0) why = "out of memory";
    if (why) {
        snapshot_fail(err, err_size, "transaction %s: %s", tx->id[0] ? tx->id : "?", why);
        transaction_free(tx);
        return -1;
    }
    if (tx->original) tx->original->reversal = tx;
    return 0;
}

int transaction_snapshot_check(const struct tenant *t, char *err, size_t err_size) {
    for (size_t i = 0; i < t->transactions.n; i++) {
        const struct transaction *tx = t->transactions.list[i];
        if (tx->type == TX_TRANSFER && tx->status == TX_REVERSED && !tx->reversal)
            return snapshot_fail(err, err_size,
                                 "transaction %s is reversed but no reversal record names it",
                                 tx->id);
    }
    for (size_t k = 0; k < t->agents.n; k++) {
        const struct agent *a = t->agents.list[k];
        long i = audit_chain_first_pending(&a->audit);
        char id[ID_LEN];
        if (i < 0) continue;
        audit_entry_id(&a->audit.entries[i], id);
        return snapshot_fail(err, err_size,
                             "agent %s: audit entry %s records no transaction of the snapshot",
                             a->id, id);
    }
    return 0;
}
