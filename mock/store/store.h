/* The directory of the whole mock: tenants by id, Alsorn keys by hash, and which tenant owns
 * each agent id (the public verify and cross-org trust reads start from an id alone).
 *
 * One reader-writer lock guards the directory and is held only for a hash lookup or insert.
 * Lock order: a tenant's lock, then the directory's, never the reverse. */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>

#include "core/http.h"
#include "store/tenant.h"

enum key_level { KEY_NONE = 0, KEY_READ = 1, KEY_WRITE = 2, KEY_ADMIN = 3 };
extern const char *const key_level_names[]; /* indexed by enum; [0] = "none" */

/* Empties the directory and installs how every tenant's upper-layer parts are made, emptied
 * and freed (store/tenant.h): the top level passes &tenant_parts (mock/tenant_parts.h).
 * Before any thread starts. */
void store_init(const struct tenant_parts *parts);
void store_clear(void); /* removes every tenant, key and index entry (freed outside the lock) */

/* Adds t to the directory (which takes its own reference). */
void store_tenant_add(struct tenant *t);
/* Returns the tenant with a reference the caller releases, or NULL. */
struct tenant *store_tenant_get(const char *id);
/* Removes a tenant with its keys and agent index entries.  Returns 0, or -1 if unknown. */
int store_tenant_remove(const char *id);

/* Keys are kept as hex SHA-256 of the plaintext; the plaintext is never stored. */
int store_key_add(struct tenant *t, const char *plaintext, enum key_level level);
/* The same from a stored hash (snapshots). Returns 0, or -1 for a duplicate or a bad hash. */
int store_key_add_hash(struct tenant *t, const char *sha256_hex, enum key_level level, bool revoked);
/* Calls fn for each key of t (directory read lock held: fn must not call store_*). */
void store_keys_foreach(const struct tenant *t,
                        void (*fn)(const char *sha256_hex, enum key_level level, bool revoked,
                                   void *ctx),
                        void *ctx);
/* Every tenant, each with a reference the caller releases; free the array. */
struct tenant **store_tenants_retain(size_t *n);
enum key_lookup { KEY_FOUND, KEY_UNKNOWN, KEY_REVOKED };
/* On KEY_FOUND fills caller (tenant with a reference, level, owner, key hash). */
enum key_lookup store_key_lookup(const char *plaintext, struct caller *out);
/* Returns 0, or -1 for an unknown key. */
int store_key_revoke(const char *plaintext);

/* Alter keys (app and agent) by their lookup index (alter/key_hash.h); the record itself
 * lives in the tenant's app and is read under the tenant's lock.  Returns 0, or -1 when the
 * index is taken or out of memory. */
struct alter_key;
int store_alter_key_add(const char *lookup, struct tenant *t, struct alter_key *key);
/* The tenant holding the key plaintext, with a reference, and *key; NULL when unknown.
 * make_index computes its lookup index (alter_key_lookup_index) under the directory's lock,
 * so it sees the pepper the index was built with (store_replace swaps both at once).  (Not
 * called "index": GCC takes a call through a variable of that name for the builtin.) */
typedef void (*store_key_index_fn)(const char *plaintext, char out[65]);
struct tenant *store_alter_key_find(const char *plaintext, store_key_index_fn make_index,
                                    struct alter_key **key);

/* Alter grants and approvals by their UUID: the sandbox's admin calls name one by id alone.
 * Returns 0, or -1 when the id is taken or out of memory. */
int store_alter_object_register(const char *id, struct tenant *t);
/* The tenant holding that grant or approval, with a reference; NULL when unknown. */
struct tenant *store_alter_object_owner(const char *id);

void store_agent_register(const char *agent_id, struct tenant *t);
/* Drops the agent-owner entries of t's agents (before they are cleared: it goes by t's list,
 * in time proportional to t's agents; t's lock held). */
void store_forget_agents(const struct tenant *t);
/* The tenant that owns an agent id, with a reference; NULL when unknown. */
struct tenant *store_agent_owner(const char *agent_id);

/* A whole directory built aside (snapshot loads) while the live one keeps serving, then
 * swapped in at once by store_replace: no request ever sees a half-loaded store, and a load
 * that fails is dropped with store_staging_free having changed nothing.  Each add refuses a
 * duplicate (-1), so an inconsistent snapshot is caught while it is read.  Not locked: one
 * thread builds it. */
struct store_staging;
struct store_staging *store_staging_new(void);
/* Takes the caller's reference to t.  -1: an org with that id is already staged. */
int store_staging_add_tenant(struct store_staging *s, struct tenant *t);
struct tenant *store_staging_tenant(const struct store_staging *s, const char *id);
/* Every staged tenant, in the order added. */
struct tenant *store_staging_first(const struct store_staging *s);
/* An Alsorn key by hash (-1: malformed or taken), an agent id (-1: taken by any staged org),
 * an Alter key by lookup index (-1: taken). */
int store_staging_add_key(struct store_staging *s, struct tenant *t, const char *sha256_hex,
                          enum key_level level, bool revoked);
int store_staging_add_agent(struct store_staging *s, const char *agent_id, struct tenant *t);
int store_staging_add_alter_key(struct store_staging *s, const char *lookup, struct tenant *t,
                                struct alter_key *key);
/* An Alter grant or approval id (-1: taken by any staged org). */
int store_staging_add_alter_object(struct store_staging *s, const char *id, struct tenant *t);
/* Whether Alsorn audit entries are restored with the hash the snapshot gives even when it
 * does not match (audit_chain_restore_as_given): off unless the sandbox import asks. */
void store_staging_keep_audit_as_given(struct store_staging *s);
bool store_staging_audit_as_given(const struct store_staging *s);
/* Replaces the directory with s (consumed); the old tenants are released, outside the lock.
 * with(ctx), when not NULL, runs under the directory's write lock in the same step: the
 * process-wide state that goes with the store (the Alter key pepper, the clock). */
void store_replace(struct store_staging *s, void (*with)(void *ctx), void *ctx);
void store_staging_free(struct store_staging *s);

#endif
