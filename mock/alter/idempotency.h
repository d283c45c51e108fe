/* Idempotent agent creation (alter.md §3): an app's Idempotency-Key → the request body's hash
 * and the agent it created, kept for 24 hours of virtual time.  Callers hold the tenant lock. */
#ifndef ALTER_IDEMPOTENCY_H
#define ALTER_IDEMPOTENCY_H

#include <stdint.h>

#include <uthash.h>

#include "core/canonical_json.h"
#include "core/random.h"

#define IDEMPOTENCY_KEY_MAX     255
#define IDEMPOTENCY_TTL_SECONDS 86400

struct idempotency_record {
    char *key;                         /* owned */
    char body_hash[SHA256_TAGGED_LEN]; /* canonical_sha256 of the request body */
    char agent_id[UUID_LEN];
    int64_t created_at;
    struct idempotency_record *next; /* insertion order, for expiry */
    UT_hash_handle hh;
};

struct alter_idempotency {
    struct idempotency_record *by_key; /* owned */
    struct idempotency_record *oldest, *newest;
};

/* The live record of key at `now`, or NULL.  Drops expired records from the old end first,
 * so memory holds about one day of creations. */
const struct idempotency_record *idempotency_find(struct alter_idempotency *s, const char *key,
                                                  int64_t now);
/* Records key (replacing an expired record of the same key).  Returns 0 or -1 (no memory). */
int idempotency_put(struct alter_idempotency *s, const char *key, const char *body_hash,
                    const char *agent_id, int64_t now);
void idempotency_free(struct alter_idempotency *s);

#endif
