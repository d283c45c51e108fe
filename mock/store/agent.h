/* Alsorn agents as stored: the record, and the per-organization set that indexes them by id
 * (uthash) and by creation order and status (rank indexes), so a lookup or a page of a list
 * never scans the organization.  Callers hold the owning tenant's lock. */
#ifndef AGENT_H
#define AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "core/canonical_json.h"
#include "core/random.h"
#include "store/audit_chain.h"
#include "store/rank_index.h"

enum agent_status { AGENT_ACTIVE, AGENT_SUSPENDED, AGENT_DELETED, AGENT_STATUS_COUNT };
enum agent_env { ENV_PRODUCTION, ENV_STAGING, ENV_SANDBOX };
extern const char *const agent_status_names[]; /* NULL-terminated, indexed by enum */
extern const char *const agent_env_names[];

/* One change of an agent's score (alsorn.md §4 history). */
struct trust_snapshot {
    int64_t created_at;
    int score; /* its assessment is the active model's label for it */
    const char *reason; /* static text: "Transaction completed", ... */
};

/* The trust model's inputs, counted as events happen, and its last evaluation.  Every event
 * that changes a counter re-evaluates at once (alsorn/trust.c), so the counters and the
 * evaluation never disagree; only tenure and the org's verification move without an event,
 * and they are kept as of last_evaluated. */
struct trust_record {
    char id[ID_LEN]; /* tr_... */
    int completed, failed, reversed; /* transfers this agent initiated, by status */
    int completed_as_counterparty;
    int disputes_pending, disputes_upheld;
    /* the last evaluation */
    int score;
    int total_tasks;
    int disputes;
    double completion_rate;
    int tenure_days;
    bool operator_verified;
    int64_t last_evaluated;
    struct trust_snapshot *history; /* oldest first, owned */
    size_t n_history, cap_history;
};

/* Positions (in the tenant's transaction_set.list) of the transactions an agent is a party
 * of, either side, oldest first: an agent's transactions are found without scanning the org. */
struct agent_transactions {
    uint32_t *positions; /* owned; 32 bits: an org holds fewer than 4 billion transactions */
    size_t n, cap;
};

struct agent {
    char id[ID_LEN];
    char *name;        /* owned */
    char *registered_name; /* owned; the name at registration, kept once a rename changes
                            * name (NULL until then): the fingerprint covers this one */
    char *description; /* owned, NULL = null */
    char fingerprint[SHA256_TAGGED_LEN];
    enum agent_env environment;
    enum agent_status status;
    char **actions; /* owned, n_actions strings */
    size_t n_actions;
    int64_t spending_limit; /* minor units */
    char currency[4];
    char owner_id[ID_LEN];
    int64_t created_at, updated_at, suspended_at, deleted_at; /* Unix seconds; 0 = null */
    size_t position; /* index in agent_set.list */
    struct trust_record trust;
    struct agent_transactions transactions;
    struct audit_chain audit;
    UT_hash_handle hh;
};

struct agent_set {
    struct agent **list;  /* creation order */
    struct agent *by_id;   /* uthash */
    size_t n, cap;
    struct rank_index by_status[AGENT_STATUS_COUNT];
    struct rank_index visible; /* every status but deleted */
};

void agent_free(struct agent *a);
/* Replaces the action list with copies of actions[0..n).  Returns 0 or -1. */
int agent_set_actions(struct agent *a, const char *const *actions, size_t n);
/* Computes the §3 fingerprint from id, org_id, the registered name, environment, created_at. */
void agent_fingerprint(const struct agent *a, const char *org_id, char out[SHA256_TAGGED_LEN]);

/* Takes ownership of a on success (0); -1 when out of memory (a untouched). */
int agent_set_add(struct agent_set *s, struct agent *a);
struct agent *agent_set_find(const struct agent_set *s, const char *id);
void agent_set_change_status(struct agent_set *s, struct agent *a, enum agent_status status);
/* Filter by status, or status < 0 for every agent but deleted ones. */
size_t agent_set_count(const struct agent_set *s, int status);
/* The k-th agent (0-based) of that filter, newest first; k < agent_set_count. */
struct agent *agent_set_nth_newest(const struct agent_set *s, int status, size_t k);
void agent_set_free(struct agent_set *s);

#endif
