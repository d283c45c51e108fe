/* One agent's hash-chained audit log (alsorn.md §3).
 *
 * payload_hash = "sha256:" + hex(SHA-256(canonical JSON of {id, agent_id, action, payload,
 * actor_id, created_at, previous_hash})), previous_hash being the prior entry's payload_hash
 * (null for the first).  Entries are append-only; previous_hash is not stored, it is the
 * prior entry's hash, so the chain cannot disagree with itself in memory. */
#ifndef AUDIT_CHAIN_H
#define AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/canonical_json.h"
#include "core/random.h"

struct audit_entry {
    char id[ID_LEN];
    char action[32];
    char *payload; /* canonical JSON text, owned */
    char actor_id[ID_LEN];
    int64_t created_at;
    char payload_hash[SHA256_TAGGED_LEN];
};

struct audit_chain {
    struct audit_entry *entries; /* oldest first */
    size_t n, cap;
};

/* Appends an entry; consumes payload.  Returns the entry, or NULL when out of memory. */
const struct audit_entry *audit_chain_append(struct audit_chain *c, const char *agent_id,
                                             const char *action, cJSON *payload,
                                             const char *actor_id, int64_t now);
/* The same with the payload as its canonical JSON text (taken): a caller recording one
 * payload in two chains writes it once. */
const struct audit_entry *audit_chain_append_canonical(struct audit_chain *c,
                                                       const char *agent_id, const char *action,
                                                       char *payload, const char *actor_id,
                                                       int64_t now);
/* Room for n entries in all (a snapshot knows how many; a chain otherwise grows by doubling,
 * which would leave most of a million one-entry chains' room unused).  0 or -1. */
int audit_chain_reserve(struct audit_chain *c, size_t n);
/* Adds an entry as stored elsewhere (a snapshot): payload is its canonical JSON text, and its
 * id and hash are kept as given once the hash is the one its fields and the previous entry's
 * hash give.  0, -1 out of memory, -2 the entry does not link (the chain is left as it was). */
int audit_chain_restore(struct audit_chain *c, const char *agent_id, const char *id,
                        const char *action, const char *payload, const char *actor_id,
                        int64_t created_at, const char *payload_hash);

/* The entry as the API renders it: the seven hashed fields plus payload_hash. */
cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i);

struct audit_check {
    bool valid;
    size_t length;
    const char *head_hash; /* points into the chain; NULL when empty */
    long broken_at;        /* index of the first entry whose hash does not verify, or -1 */
};
void audit_chain_verify(const struct audit_chain *c, const char *agent_id,
                        struct audit_check *out);
void audit_chain_free(struct audit_chain *c);

#endif
