/* An Alter app as stored (alter.md §3–§7): its agents, every key it issued, the idempotency
 * records of agent creation, its audit log, and its vault (grants and approvals).  Each tenant has one app (tenant->alter),
 * guarded by the tenant's lock like the rest of the tenant.
 *
 * Agents are indexed by id, by name (live ones) and by creation order,
 * with a rank index of the live (non-revoked) ones, so a page of a list never scans the app.
 * Keys are indexed by key id here and by their lookup index in the directory
 * (store_alter_key_*), which is how a presented key finds its record. */
#ifndef ALTER_APP_H
#define ALTER_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uthash.h>

#include "alter/approval.h"
#include "alter/audit_log.h"
#include "alter/grant.h"
#include "alter/idempotency.h"
#include "alter/key_hash.h"
#include "alter/policy.h"
#include "core/random.h"
#include "store/rank_index.h"

/* App key scopes (bits).  agents:read < agents:write < agents:admin: a higher one includes
 * the lower ones (alter_scopes_normalize). */
enum alter_scope {
    ALTER_SCOPE_AGENTS_READ = 1,
    ALTER_SCOPE_AGENTS_WRITE = 2,
    ALTER_SCOPE_AGENTS_ADMIN = 4,
    ALTER_SCOPE_AUDIT_LOGS_READ = 8,
};
#define ALTER_SCOPES_ALL 15u
extern const char *const alter_scope_names[]; /* by bit index: "agents:read", ...; NULL-ended */
unsigned alter_scopes_normalize(unsigned scopes);
/* The scope names of `scopes`, lowest first. */
cJSON *alter_scopes_json(unsigned scopes);

enum alter_agent_type { ALTER_TYPE_AGENT, ALTER_TYPE_SERVICE };
extern const char *const alter_agent_type_names[];
enum alter_key_status { ALTER_KEY_ACTIVE, ALTER_KEY_DEPRECATED, ALTER_KEY_REVOKED };
extern const char *const alter_key_status_names[];

struct alter_agent;

struct alter_key {
    char id[ID_LEN];           /* key_<hex> */
    struct alter_agent *agent; /* NULL: an app key */
    char prefix[ALTER_KEY_PREFIX_LEN + 1];
    char *name; /* owned; NULL = null */
    enum alter_key_status status;
    unsigned scopes; /* app keys: enum alter_scope bits */
    char lookup[KEY_LOOKUP_LEN]; /* its index in the directory (snapshots save it) */
    struct key_verifier verifier;
    int64_t created_at, deprecated_at, revoked_at, last_used_at; /* 0 = null */
    UT_hash_handle hh;                                           /* app->keys */
};

struct alter_agent {
    char id[UUID_LEN];
    char *name;         /* owned, immutable */
    char *display_name; /* owned; NULL = null */
    enum alter_agent_type type;
    bool revoked;
    cJSON *scopes, *metadata, *policy; /* owned objects */
    int64_t created_at, updated_at, revoked_at;
    size_t position;         /* in app->list */
    struct alter_key **keys; /* borrowed from app->keys, oldest first */
    size_t n_keys, keys_cap;
    size_t n_active;        /* keys with status active */
    struct alter_rate_window rate; /* its vaulted calls against policy.rate_limit_rpm */
    UT_hash_handle hh;      /* app->by_id */
    UT_hash_handle hh_name; /* app->by_name */
};

struct alter_app {
    char id[UUID_LEN];
    struct alter_agent *by_id;   /* owned through list */
    struct alter_agent *by_name; /* the live agents by name (names are unique among them) */
    struct alter_agent **list;   /* creation order */
    size_t n, cap;
    struct rank_index live; /* positions of the non-revoked agents */
    struct alter_key *keys; /* every key issued (app and agent), owned */
    struct alter_idempotency idempotency;
    struct alter_audit_log audit;
    struct alter_grants grants;
    struct alter_approvals approvals;
};

struct alter_app *alter_app_new(void);
void alter_app_free(struct alter_app *app);

void alter_agent_free(struct alter_agent *a);
/* Takes ownership of a (0); -1 when out of memory (a untouched).  A live agent must have a
 * name no live agent has; a revoked one (a snapshot's) is not indexed by name. */
int alter_app_add_agent(struct alter_app *app, struct alter_agent *a);
struct alter_agent *alter_app_find_agent(const struct alter_app *app, const char *id);
/* The live agent with that name, or NULL. */
struct alter_agent *alter_app_find_name(const struct alter_app *app, const char *name);
size_t alter_app_count(const struct alter_app *app, bool include_revoked);
/* The k-th agent (0-based, oldest first) of the filter; k < alter_app_count. */
struct alter_agent *alter_app_nth(const struct alter_app *app, bool include_revoked, size_t k);
/* Soft delete: the agent and every key of it become revoked; its name is free again. */
void alter_app_revoke_agent(struct alter_app *app, struct alter_agent *a, int64_t now);

struct tenant;
/* Issues a key in t's app (whose lock the caller holds): an agent key when agent is set,
 * else an app key with `scopes`.  plaintext NULL: a new one is generated.  out receives the
 * plaintext (the only copy).  A generated key whose key_prefix another key of the agent
 * shows is drawn again.  Returns the key, or NULL when out of memory or the plaintext is
 * malformed, already in use, or shares its key_prefix with another key of the agent. */
struct alter_key *alter_key_issue(struct tenant *t, struct alter_agent *agent,
                                  const char *plaintext, const char *name, unsigned scopes,
                                  int64_t now, char out[ALTER_KEY_MAX]);
struct alter_key *alter_app_find_key(const struct alter_app *app, const char *key_id);
/* Adds a key as a snapshot saved it (its agent, if any, already in app; the directory entry
 * is the caller's).  Takes ownership (0); -1 when out of memory (k untouched). */
int alter_app_restore_key(struct alter_app *app, struct alter_key *k);
void alter_key_free(struct alter_key *k);
/* Moves k to status, stamping the matching time (undeprecating clears deprecated_at). */
void alter_key_set_status(struct alter_key *k, enum alter_key_status status, int64_t now);

/* The sandbox's revocation of a key by its plaintext (POST /_mock/keys/revoke), without the
 * API's last-active-key guard.  Returns 0, or -1 for an unknown key. */
int alter_key_revoke_plaintext(const char *plaintext, int64_t now);

#endif
