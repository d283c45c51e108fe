/* Alsorn transactions as stored (alsorn.md §5), and the per-organization set that indexes
 * them: by id (uthash), in creation order (an array), by status (rank indexes, so a page of
 * "status=failed" newest first is O(limit · log n)), and per agent (each party keeps the
 * positions of its transactions).  Transactions are never removed; only a reversal changes
 * one (completed → reversed).  Callers hold the owning tenant's lock. */
#ifndef TRANSACTION_H
#define TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "core/random.h"
#include "store/agent.h"
#include "store/rank_index.h"

enum tx_status { TX_COMPLETED, TX_FAILED, TX_REVERSED, TX_STATUS_COUNT };
enum tx_type { TX_TRANSFER, TX_REVERSAL };
extern const char *const tx_status_names[]; /* NULL-terminated, indexed by enum */
extern const char *const tx_type_names[];

/* Fields ordered so a million of them pack without holes (216 bytes with the uthash handle;
 * 232 before, with scattered enums and a string per action name). */
struct transaction {
    char id[ID_LEN]; /* tx_... */
    /* Both parties are agents of the same organization.  Borrowed: an agent lives as long as
     * its tenant (deletion is soft), and so does every transaction. */
    struct agent *agent, *counterparty;
    int64_t amount; /* minor units */
    int64_t created_at, reversed_at;
    /* Owned until transaction_set_add, which swaps it for the set's one copy of that name
     * (a handful of names among millions of transactions). */
    char *action_type;
    char *notes;            /* owned, NULL = null */
    struct transaction *reversal; /* on a reversed transfer: its reversal record */
    struct transaction *original; /* on a reversal record: the transfer it reverses */
    char *reversal_reason;  /* owned, NULL = null */
    const char *error_code; /* failed only: static upper-case code, "INSUFFICIENT_TRUST" */
    char *error_message;    /* owned, failed only */
    enum tx_type type;
    enum tx_status status;
    uint32_t audit_index;   /* this transaction's entry in agent->audit (audit_hash) */
    uint32_t position;      /* index in transaction_set.list */
    char currency[4];
    bool permissions_checked;
    UT_hash_handle hh; /* by id */
};

/* The names of actions the set's transactions carry, each stored once. */
struct action_name {
    UT_hash_handle hh;
    char text[];
};

struct transaction_set {
    struct transaction **list; /* creation order */
    size_t n, cap;
    struct transaction *by_id; /* uthash */
    struct rank_index by_status[TX_STATUS_COUNT];
    struct action_name *actions; /* uthash */
};

/* Frees a transaction that is in no set (a set frees its own). */
void transaction_free(struct transaction *tx);
/* Adds tx (its id, parties and status set) at the end, indexes it and records its position
 * with both parties.  Takes ownership on success (0); -1 when out of memory (tx untouched). */
int transaction_set_add(struct transaction_set *s, struct transaction *tx);
struct transaction *transaction_set_find(const struct transaction_set *s, const char *id);
void transaction_set_change_status(struct transaction_set *s, struct transaction *tx,
                                   enum tx_status status);
size_t transaction_set_count(const struct transaction_set *s, int status); /* status < 0: all */
/* The k-th transaction (0-based) with that status (< 0: any), newest first. */
struct transaction *transaction_set_nth_newest(const struct transaction_set *s, int status,
                                               size_t k);
void transaction_set_free(struct transaction_set *s);

/* What a transaction looked like when the set held its first `horizon` transactions: a
 * transfer reversed later still reads completed.  Lets an export that runs in batches show one
 * moment's state of every row. */
struct transaction_view {
    enum tx_status status;
    const struct transaction *reversal; /* NULL unless reversed within the horizon */
};
struct transaction_view transaction_view_at(const struct transaction *tx, size_t horizon);

/* What both parties' audit chains record for tx, rendered from its fixed fields whenever an
 * entry is shown or verified (store/audit_chain.h): the action, and the payload as canonical
 * JSON text (malloc'd, NULL when out of memory), which a snapshot load checks a transaction
 * record against. */
const char *transaction_audit_action(const struct transaction *tx);
char *transaction_audit_text(const struct transaction *tx);

#endif
