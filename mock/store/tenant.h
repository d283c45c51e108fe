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
#include "store/dispute.h"
#include "store/transaction.h"
#include "store/webhook.h"

/* The parts of a tenant that belong to the layers above the store: its Alter app
 * (alter/app.h), its SDK report (sandbox/report.h) and its idempotency keys
 * (sandbox/idempotency.h).  The store names them only as pointers and makes, empties and
 * frees them through these hooks, which the level above installs with store_init
 * (mock/tenant_parts.c), so the store includes nothing above it. */
struct alter_app;
struct report;
struct idempotency_store;
struct tenant;
struct tenant_parts {
    /* Sets t->alter, t->report and t->idem.  0, or -1 out of memory, having freed what it
     * made and left them NULL. */
    int (*make)(struct tenant *t);
    /* A one-org reset, under t's lock: empties the idempotency keys and the report; the Alter
     * app is kept whole. */
    void (*clear)(struct tenant *t);
    /* At the last reference: frees each part (any of them may be NULL). */
    void (*free)(struct tenant *t);
};

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

    /* Rate limit of each of the tenant's keys (alsorn.md §8).  Atomic: the authenticator
     * reads them on every request without taking the lock. */
    _Atomic long rate_limit;         /* requests per window: the plan's tier unless set */
    _Atomic int rate_window_seconds; /* default 3600 */
    _Atomic long alter_rate_limit_rpm; /* Alter: per key per minute (alter.md §8), default 600 */
    bool rate_limit_custom;          /* under lock: set by the sandbox, kept on plan changes */

    struct idempotency_store *idem; /* own lock (waiting on it must not block the tenant) */
    struct report *report;          /* coverage and violations (sandbox/report.h), own lock */

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
/* Requests per hour for each key of a plan (alsorn.md §8). */
long plan_rate_limit(enum plan plan);
#define RATE_WINDOW_DEFAULT 3600
#define ALTER_RATE_LIMIT_DEFAULT 600 /* alter.md §8 */

/* NULL when out of memory.  Aborts when store_init was not given the tenant parts: a
 * tenant never exists without them. */
struct tenant *tenant_new(const char *name, enum plan plan, bool operator_verified);
/* store_init's step: the hooks every tenant_new and tenant_release use from then on. */
void tenant_parts_install(const struct tenant_parts *parts);
void tenant_retain(struct tenant *t);
void tenant_release(struct tenant *t); /* frees at the last reference */
/* The sandbox's one-tenant reset empties the tenant's Alsorn data (agents, transactions,
 * disputes, webhook endpoints, idempotency keys, report) but keeps its identity, settings and
 * keys; the Alter app is kept whole (its keys are indexed by the directory).  The sets are
 * detached under t's lock (t keeps empty ones) and freed after it, so the org's next requests
 * do not wait for a large org to be freed. */
struct tenant_data {
    struct transaction_set transactions;
    struct dispute_set disputes;
    struct agent_set agents;
    struct webhook_set webhooks;
};
/* Call with t's lock held: moves the sets into out, empties the idempotency keys and report. */
void tenant_detach_data(struct tenant *t, struct tenant_data *out);
/* After the lock: frees what was detached. */
void tenant_data_free(struct tenant_data *d);

/* Every handler follows one idiom: lock, work, render what the reply needs, unlock, send.
 *
 *     tenant_lock(t);
 *     struct agent *a = agent_set_find(&t->agents, id);
 *     if (!a) { reply_not_found(r); tenant_unlock(t); return; }
 *     ...change a...
 *     reply_json(r, 200, agent_to_json(a, t, r->now));   (or reply_error(..., a->id))
 *     tenant_unlock(t);
 *
 * The tenant's reference count keeps the tenant, not what is inside it: once the lock is
 * released a one-organization reset (tenant_clear_data) or the next call may free any object
 * found under it, so nothing after tenant_unlock reads one, not even its id for a message or
 * a log line.  After the unlock a handler touches only what it owns: the reply it rendered,
 * copies, or objects it holds a reference on (an Alter verify's audit rows).  The dispatcher
 * sends the reply once the handler returns; no socket write happens under the lock. */
static inline void tenant_lock(struct tenant *t) { pthread_mutex_lock(&t->lock); }
/* Race tests' hook (--unlock-delay-us, 0 otherwise): tenant_unlock then sleeps that long, so
 * that what another thread does once it gets the lock lands before the unlocking thread's
 * next step, as it may in any run. */
extern atomic_int tenant_unlock_delay_us;
void tenant_unlock_pause(void);
static inline void tenant_unlock(struct tenant *t) {
    pthread_mutex_unlock(&t->lock);
    if (atomic_load_explicit(&tenant_unlock_delay_us, memory_order_relaxed)) tenant_unlock_pause();
}

#endif
