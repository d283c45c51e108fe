/* A tenant: one Alsorn organization and its Alter app.  Everything a tenant owns
 * is guarded by its own mutex, so tenants never contend with each other; a tenant is
 * reference-counted so a request that found it can finish even if a reset removes it. */
#ifndef TENANT_H
#define TENANT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <uthash.h>

#include "core/random.h"
#include "store/agent.h"
#include "store/webhook.h"

struct alter_app;
#include "store/dispute.h"
#include "store/transaction.h"

enum plan { PLAN_STARTER, PLAN_GROWTH, PLAN_ENTERPRISE };
extern const char *const plan_names[]; /* NULL-terminated */

struct tenant {
    char id[ID_LEN];      /* org_... */
    char *name;           /* owned */
    char user_id[ID_LEN]; /* user_... owning the org's keys */
    enum plan plan;
    bool operator_verified;
    long max_agents; /* plan cap on agents (deleted ones included); <= 0 = no cap */
    int64_t created_at;

    pthread_mutex_t lock; /* guards everything below */
    struct agent_set agents;
    struct alter_app *alter; /* the tenant's Alter app (alter/app.h), owned */
    struct webhook_set webhooks;
    struct webhook_settings webhook_settings;
    struct transaction_set transactions; /* alsorn.md §5 */
    struct dispute_set disputes;         /* alsorn.md §4 */

    atomic_int refs;
    UT_hash_handle hh;
};

/* Default cap on agents for a plan. */
long plan_max_agents(enum plan plan);

struct tenant *tenant_new(const char *name, enum plan plan, bool operator_verified);
void tenant_retain(struct tenant *t);
void tenant_release(struct tenant *t); /* frees at the last reference */

static inline void tenant_lock(struct tenant *t) { pthread_mutex_lock(&t->lock); }
static inline void tenant_unlock(struct tenant *t) { pthread_mutex_unlock(&t->lock); }

#endif
