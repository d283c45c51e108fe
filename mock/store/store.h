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

void store_init(void);
void store_clear(void); /* removes every tenant, key and index entry */

/* Adds t to the directory (which takes its own reference). */
void store_tenant_add(struct tenant *t);
/* Returns the tenant with a reference the caller releases, or NULL. */
struct tenant *store_tenant_get(const char *id);
/* Removes a tenant with its keys and agent index entries.  Returns 0, or -1 if unknown. */
int store_tenant_remove(const char *id);
/* Calls fn for each tenant (under the directory's read lock: fn must not call store_*). */
void store_tenant_foreach(void (*fn)(struct tenant *t, void *ctx), void *ctx);

/* Keys are kept as hex SHA-256 of the plaintext; the plaintext is never stored. */
int store_key_add(struct tenant *t, const char *plaintext, enum key_level level);
enum key_lookup { KEY_FOUND, KEY_UNKNOWN, KEY_REVOKED };
/* On KEY_FOUND fills caller (tenant with a reference, level, owner, key hash). */
enum key_lookup store_key_lookup(const char *plaintext, struct caller *out);
/* Returns 0, or -1 for an unknown key. */
int store_key_revoke(const char *plaintext);

void store_agent_register(const char *agent_id, struct tenant *t);
/* Drops the agent-owner entries of t (its agents were cleared; t's lock may be held). */
void store_forget_agents(const struct tenant *t);
/* The tenant that owns an agent id, with a reference; NULL when unknown. */
struct tenant *store_agent_owner(const char *agent_id);

#endif
