/* Grants of an Alter app (alter.md §7): a provider credential held in the vault, which agents
 * use without seeing it stored anywhere else.  Two kinds:
 *   - principal_type "user": an OAuth-style grant a user gave (account_identifier names the
 *     account), delegated to agents by delegated_agent_ids;
 *   - principal_type "agent": a managed secret owned by one agent (owner_agent_id), which may
 *     also be delegated to others.
 * Each holds a fake upstream credential (upstream_token) that the vault injects as
 * "Authorization: <token_type> <upstream_token>".  The sandbox creates grants (fixtures,
 * POST /_mock/alter/grants); the API lists and revokes them.
 *
 * The app keeps its grants in creation order with a rank index of the active ones, and posting
 * lists by provider and by agent (owner and delegates), so a page of any list reads only its
 * candidates.  Callers hold the tenant's lock. */
#ifndef ALTER_GRANT_H
#define ALTER_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uthash.h>

#include "core/random.h"
#include "core/validate.h"
#include "store/posting.h"
#include "store/rank_index.h"

#define GRANT_TOKEN_MAX 4096

enum alter_principal { ALTER_PRINCIPAL_USER, ALTER_PRINCIPAL_AGENT };
extern const char *const alter_principal_names[]; /* "user", "agent"; NULL-ended */

struct alter_grant {
    char id[UUID_LEN];
    char *provider_id;        /* owned */
    cJSON *scopes;            /* owned array of strings */
    char *account_identifier; /* owned */
    enum alter_principal principal;
    char owner_agent_id[UUID_LEN]; /* principal agent: its owner; "" for user grants */
    cJSON *delegated;              /* owned array of agent ids */
    char *upstream_token;          /* owned; rendered only by the sandbox's admin view */
    char token_type[8];            /* "Bearer" */
    bool revoked;
    char *revoke_reason; /* owned; NULL = null */
    int64_t created_at, revoked_at;
    size_t position; /* in grants->list */
    UT_hash_handle hh;
};

struct alter_grants {
    struct alter_grant *by_id;
    struct alter_grant **list; /* owned, creation order */
    size_t n, cap;
    struct rank_index active;    /* positions of the unrevoked grants */
    struct posting *by_provider; /* provider_id → positions */
    struct posting *by_agent;    /* agent id (owner or delegate) → positions */
};

struct tenant;

enum alter_grant_result { ALTER_GRANT_OK, ALTER_GRANT_INVALID, ALTER_GRANT_NOMEM };
/* Validates body as POST /_mock/alter/grants does (the fixtures loader comes through here
 * too) and adds the grant to t's app, whose lock the caller holds; it is registered in the
 * directory by id.  Agent ids must name live agents of the app. */
enum alter_grant_result alter_grant_add(struct tenant *t, const cJSON *body, int64_t now,
                                        struct field_errors *fe, struct alter_grant **out);
/* Indexes a grant as a snapshot saved it (fields set, revoked or not; its directory entry is
 * the caller's).  Takes ownership (0); -1 when out of memory (g untouched). */
int alter_grant_restore(struct alter_grants *grants, struct alter_grant *g);
void alter_grant_free(struct alter_grant *g);
struct alter_grant *alter_grant_find(const struct alter_grants *grants, const char *id);
/* Whether agent_id owns the grant or is one of its delegates. */
bool alter_grant_usable_by(const struct alter_grant *g, const char *agent_id);
void alter_grant_mark_revoked(struct alter_grants *grants, struct alter_grant *g,
                              const char *reason, int64_t now);

struct alter_grant_filter {
    const char *agent_id;    /* NULL: every grant (the app's view) */
    const char *provider_id; /* NULL: every provider */
    bool include_revoked;
};
/* Writes up to limit grants (oldest first) of the filter starting at its offset-th match into
 * out, and the number of matches into *total.  Returns how many were written. */
size_t alter_grants_page(const struct alter_grants *grants, const struct alter_grant_filter *f,
                         size_t offset, size_t limit, struct alter_grant **out, size_t *total);

/* The grant as the API renders it (never the upstream token). */
cJSON *alter_grant_json(const struct alter_grant *g);
void alter_grants_free(struct alter_grants *grants);

#endif
