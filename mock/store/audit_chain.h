/* One agent's hash-chained audit log (alsorn.md §3).
 *
 * payload_hash = "sha256:" + hex(SHA-256(canonical JSON of {id, agent_id, action, payload,
 * actor_id, created_at, previous_hash})), previous_hash being the prior entry's payload_hash
 * (null for the first).  Entries are append-only; previous_hash is not stored, it is the
 * prior entry's hash, so the chain cannot disagree with itself in memory.
 *
 * Memory: a large state holds ten million entries (two per transaction), so an entry is 72
 * bytes: the hash as its 32 bytes, the id as the 16 characters after "audit_", and the rest
 * either as one owned block of text (an agent's own events: action, actor, canonical payload)
 * or as the transaction the entry records, whose fixed fields give its action, actor, time
 * and payload again on demand (transaction_audit_text: a later reversal does not change
 * what it renders).  Every rendering is the text that was hashed, byte for byte. */
#ifndef AUDIT_CHAIN_H
#define AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/canonical_json.h"
#include "core/random.h"

#define AUDIT_ID_PREFIX "audit_"
#define AUDIT_ID_CHARS  16 /* after the prefix: random_object_id's length */

struct transaction;

struct audit_entry {
    int64_t created_at;
    union {
        char *text; /* owned: "action\0actor_id\0canonical payload\0" */
        const struct transaction *tx; /* records_tx: borrowed, lives as long as the tenant;
                                       * NULL while a snapshot load has it pending */
    } of;
    unsigned char hash[32];
    char id[AUDIT_ID_CHARS]; /* not NUL-terminated */
    bool records_tx;
};

struct audit_chain {
    struct audit_entry *entries; /* oldest first */
    uint32_t n, cap;
    uint32_t adopted; /* snapshot loads: no entry before it is pending (audit_chain_adopt) */
};

/* Appends an entry; consumes payload.  Returns the entry, or NULL when out of memory. */
const struct audit_entry *audit_chain_append(struct audit_chain *c, const char *agent_id,
                                             const char *action, cJSON *payload,
                                             const char *actor_id, int64_t now);
/* Appends the entry that records tx in the chain of agent_id (one of its parties): action,
 * actor (the initiator) and time are tx's; payload_text is the canonical JSON of
 * transaction_audit_text(tx), rendered once for both parties.  0, or -1 out of memory. */
int audit_chain_append_transaction(struct audit_chain *c, const char *agent_id,
                                   const struct transaction *tx, const char *payload_text);
/* Room for n entries in all (a snapshot knows how many).  0 or -1. */
int audit_chain_reserve(struct audit_chain *c, size_t n);
/* Snapshots.  An entry that records a transaction is saved as its id and hash only, and
 * restored pending: the transaction record, which comes later, gives its fields again and
 * audit_chain_adopt checks the hash then.  Every other entry is saved whole and checked as it
 * is restored. */

/* Adds an entry saved whole: payload is its canonical JSON text (checked: JSON within the
 * guarded parse's limits, and in canonical form, so what renders is what was hashed), and its
 * id and hash are kept as given once the hash is the one its fields and the previous entry's
 * hash give.  An entry whose action starts with "transaction." (as version 2 snapshots save
 * them) is then kept pending, without its text.  0, -1 out of memory, -2 the entry does not link or its id is not
 * "audit_" and 16 characters, the only ids the mock makes, or its payload is not canonical JSON
 * (the chain is left as it was). */
int audit_chain_restore(struct audit_chain *c, const char *agent_id, const char *id,
                        const char *action, const char *payload, const char *actor_id,
                        int64_t created_at, const char *payload_hash);
/* audit_chain_restore, except that an entry whose hash is not the one its fields give is kept
 * with the hash given ("sha256:" + 64 hex digits, else -2): the sandbox's deliberately tampered
 * chains (PUT /_mock/state?audit_chains=as_given), which audit_chain_verify then reports broken
 * at that entry.  The entries after it link onto the hash given, as they did when it was made. */
int audit_chain_restore_as_given(struct audit_chain *c, const char *agent_id, const char *id,
                                 const char *action, const char *payload, const char *actor_id,
                                 int64_t created_at, const char *payload_hash);
/* Adds a pending entry from its id and hash.  0, -1 out of memory, -2 malformed. */
int audit_chain_restore_pending(struct audit_chain *c, const char *id, const char *payload_hash);
/* Hands the chain's next pending entry (the first after the last one adopted) to tx, one of
 * whose parties owns the chain: transactions load in creation order, as each chain's entries
 * were made.  payload_text is as for audit_chain_append_transaction.  Returns its index, or
 * -1 when there is none or its hash is not the one tx's fields give (nothing changed). */
long audit_chain_adopt(struct audit_chain *c, const char *agent_id, const struct transaction *tx,
                       const char *payload_text);
/* The index of a pending entry no transaction adopted, or -1. */
long audit_chain_first_pending(const struct audit_chain *c);

/* One entry's fields as text.  payload points into the chain, or for an entry that records a
 * transaction into rendered (owned: audit_fields_free). */
struct audit_fields {
    char id[ID_LEN];
    const char *action, *actor_id, *payload;
    int64_t created_at;
    char payload_hash[SHA256_TAGGED_LEN];
    char *rendered;
};
/* 0, or -1 out of memory. */
int audit_entry_fields(const struct audit_entry *e, struct audit_fields *out);
void audit_fields_free(struct audit_fields *f);
void audit_entry_id(const struct audit_entry *e, char out[ID_LEN]);
void audit_entry_hash(const struct audit_entry *e, char out[SHA256_TAGGED_LEN]);

/* The entry as the API renders it: the seven hashed fields plus payload_hash. */
cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i);

struct audit_check {
    bool valid;
    size_t length;
    bool has_head;
    char head_hash[SHA256_TAGGED_LEN]; /* when has_head */
    long broken_at; /* index of the first entry whose hash does not verify, or -1 */
};
void audit_chain_verify(const struct audit_chain *c, const char *agent_id,
                        struct audit_check *out);
void audit_chain_free(struct audit_chain *c);

#endif
