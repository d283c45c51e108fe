#include "store/transaction.h"

#include <stdlib.h>
#include <string.h>

#include "core/canonical_json.h"
#include "core/validate.h"

const char *const tx_status_names[] = {"completed", "failed", "reversed", NULL};
const char *const tx_type_names[] = {"transfer", "reversal", NULL};

/* Frees what a transaction owns but its action name. */
static void release(struct transaction *tx) {
    free(tx->notes);
    free(tx->reversal_reason);
    free(tx->error_message);
    free(tx);
}

void transaction_free(struct transaction *tx) {
    if (!tx) return;
    free(tx->action_type);
    release(tx);
}

/* Grows by half from 4: an agent of a large state is a party of a handful of transactions, and
 * doubling would leave a quarter of a million arrays' room unused on average. */
static int positions_reserve(struct agent_transactions *ix) {
    if (ix->n < ix->cap) return 0;
    size_t cap = ix->cap ? ix->cap + ix->cap / 2 : 4;
    uint32_t *p = realloc(ix->positions, cap * sizeof *p);
    if (!p) return -1;
    ix->positions = p;
    ix->cap = cap;
    return 0;
}

/* The set's copy of an action name, added when new; NULL when out of memory. */
static char *shared_action_name(struct transaction_set *s, const char *name) {
    struct action_name *a = NULL;
    size_t len = strlen(name);
    HASH_FIND(hh, s->actions, name, len, a);
    if (a) return a->text;
    if (!(a = malloc(sizeof *a + len + 1))) return NULL;
    memcpy(a->text, name, len + 1);
    HASH_ADD_KEYPTR(hh, s->actions, a->text, len, a);
    return a->text;
}

int transaction_set_add(struct transaction_set *s, struct transaction *tx) {
    if (s->n >= UINT32_MAX - 1) return -1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct transaction **l = realloc(s->list, cap * sizeof *l);
        if (!l) return -1;
        s->list = l;
        s->cap = cap;
    }
    /* reserve everything first, so a failure leaves no index half-updated */
    char *action = shared_action_name(s, tx->action_type);
    if (!action || positions_reserve(&tx->agent->transactions) != 0 ||
        positions_reserve(&tx->counterparty->transactions) != 0)
        return -1;
    for (int st = 0; st < TX_STATUS_COUNT; st++)
        if (rank_index_append(&s->by_status[st], (int)tx->status == st) != 0) {
            /* roll back the indexes that did grow: they must stay as long as the list */
            while (st-- > 0) {
                rank_index_add(&s->by_status[st], s->n, -((int)tx->status == st));
                s->by_status[st].n--;
            }
            return -1;
        }
    free(tx->action_type);
    tx->action_type = action;
    tx->position = (uint32_t)s->n;
    s->list[s->n++] = tx;
    HASH_ADD_STR(s->by_id, id, tx);
    struct agent_transactions *a = &tx->agent->transactions, *c = &tx->counterparty->transactions;
    a->positions[a->n++] = tx->position;
    c->positions[c->n++] = tx->position;
    return 0;
}

struct transaction *transaction_set_find(const struct transaction_set *s, const char *id) {
    struct transaction *tx = NULL;
    HASH_FIND_STR(s->by_id, id, tx);
    return tx;
}

void transaction_set_change_status(struct transaction_set *s, struct transaction *tx,
                                   enum tx_status status) {
    if (tx->status == status) return;
    rank_index_add(&s->by_status[tx->status], tx->position, -1);
    rank_index_add(&s->by_status[status], tx->position, +1);
    tx->status = status;
}

size_t transaction_set_count(const struct transaction_set *s, int status) {
    return status < 0 ? s->n : rank_index_count(&s->by_status[status]);
}

struct transaction *transaction_set_nth_newest(const struct transaction_set *s, int status,
                                               size_t k) {
    if (status < 0) return s->list[s->n - 1 - k];
    const struct rank_index *ix = &s->by_status[status];
    return s->list[rank_index_select(ix, rank_index_count(ix) - 1 - k)];
}

void transaction_set_free(struct transaction_set *s) {
    HASH_CLEAR(hh, s->by_id);
    for (size_t i = 0; i < s->n; i++) release(s->list[i]);
    free(s->list);
    for (int st = 0; st < TX_STATUS_COUNT; st++) rank_index_free(&s->by_status[st]);
    struct action_name *a, *tmp;
    HASH_ITER(hh, s->actions, a, tmp) {
        HASH_DEL(s->actions, a);
        free(a);
    }
    *s = (struct transaction_set){0};
}

struct transaction_view transaction_view_at(const struct transaction *tx, size_t horizon) {
    struct transaction_view v = {tx->status, tx->reversal};
    if (tx->reversal && tx->reversal->position >= horizon) {
        v.status = TX_COMPLETED; /* only a completed transfer is ever reversed */
        v.reversal = NULL;
    }
    return v;
}

const char *transaction_audit_action(const struct transaction *tx) {
    /* a transfer is recorded when it completes or fails; a later reversal does not change the
     * entry, which still says completed */
    return tx->type == TX_REVERSAL   ? "transaction.reversed"
           : tx->status == TX_FAILED ? "transaction.failed"
                                     : "transaction.completed";
}

char *transaction_audit_text(const struct transaction *tx) {
    /* a transfer is recorded when it completes or fails; a later reversal does not rewrite
     * that entry, so a reversed transfer's entry still says completed */
    enum tx_status status =
        tx->type == TX_TRANSFER && tx->status == TX_REVERSED ? TX_COMPLETED : tx->status;
    char amount[32];
    money_format(tx->amount, amount);
    /* on the stack, borrowing tx's strings, in key order: written once under the tenant's
     * lock, by every POST /transactions */
    cJSON member[11];
    size_t n = 0;
    member[n++] = canonical_member("action_type", cJSON_String, tx->action_type);
    member[n++] = canonical_member("agent_id", cJSON_String, tx->agent->id);
    member[n++] = canonical_member("amount", cJSON_Raw, amount);
    member[n++] = canonical_member("counterparty_id", cJSON_String, tx->counterparty->id);
    member[n++] = canonical_member("currency", cJSON_String, tx->currency);
    if (tx->error_code) member[n++] = canonical_member("error_code", cJSON_String, tx->error_code);
    if (tx->original) {
        member[n++] =
            canonical_member("original_transaction_id", cJSON_String, tx->original->id);
        member[n++] = canonical_member("reason", tx->reversal_reason ? cJSON_String : cJSON_NULL,
                                       tx->reversal_reason);
    }
    member[n++] = canonical_member("status", cJSON_String, tx_status_names[status]);
    member[n++] = canonical_member("transaction_id", cJSON_String, tx->id);
    member[n++] = canonical_member("type", cJSON_String, tx_type_names[tx->type]);
    cJSON payload = canonical_object(member, n);
    return canonical_json(&payload);
}
