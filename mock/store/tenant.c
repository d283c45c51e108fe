#include "store/tenant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"

atomic_int tenant_unlock_delay_us;

void tenant_unlock_pause(void) { usleep((useconds_t)atomic_load(&tenant_unlock_delay_us)); }

/* Set once at start-up, before any thread (store_init). */
static const struct tenant_parts *parts;

void tenant_parts_install(const struct tenant_parts *p) { parts = p; }

const char *const plan_names[] = {"starter", "growth", "enterprise", NULL};

long plan_max_agents(enum plan plan) {
    switch (plan) {
    case PLAN_STARTER: return 1000;
    case PLAN_GROWTH: return 10000;
    default: return 0;
    }
}

long plan_rate_limit(enum plan plan) {
    switch (plan) {
    case PLAN_STARTER: return 1000;
    case PLAN_GROWTH: return 10000;
    default: return 100000;
    }
}

struct tenant *tenant_new(const char *name, enum plan plan, bool operator_verified) {
    if (!parts) {
        fputs("tenant_new: no tenant parts (store_init was not called with them)\n", stderr);
        abort();
    }
    struct tenant *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (!(t->name = strdup(name)) || parts->make(t) != 0) {
        free(t->name);
        free(t);
        return NULL;
    }
    random_object_id(t->id, sizeof t->id, "org_");
    random_object_id(t->user_id, sizeof t->user_id, "user_");
    t->plan = plan;
    t->operator_verified = operator_verified;
    t->max_agents = plan_max_agents(plan);
    t->created_at = clock_now();
    t->webhook_settings = (struct webhook_settings)WEBHOOK_SETTINGS_DEFAULT;
    atomic_init(&t->rate_limit, plan_rate_limit(plan));
    atomic_init(&t->rate_window_seconds, RATE_WINDOW_DEFAULT);
    atomic_init(&t->alter_rate_limit_rpm, ALTER_RATE_LIMIT_DEFAULT);
    pthread_mutex_init(&t->lock, NULL);
    atomic_init(&t->refs, 1);
    return t;
}

void tenant_retain(struct tenant *t) { atomic_fetch_add(&t->refs, 1); }

void tenant_release(struct tenant *t) {
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1) return;
    /* transactions and disputes only borrow agents: any order frees them */
    transaction_set_free(&t->transactions);
    dispute_set_free(&t->disputes);
    agent_set_free(&t->agents);
    webhook_set_free(&t->webhooks);
    parts->free(t);
    pthread_mutex_destroy(&t->lock);
    free(t->name);
    free(t);
}

void tenant_detach_data(struct tenant *t, struct tenant_data *out) {
    /* an empty set is all zeros (tenant_new's calloc): moved out whole, left zeroed */
    *out = (struct tenant_data){t->transactions, t->disputes, t->agents, t->webhooks};
    memset(&t->transactions, 0, sizeof t->transactions);
    memset(&t->disputes, 0, sizeof t->disputes);
    memset(&t->agents, 0, sizeof t->agents);
    memset(&t->webhooks, 0, sizeof t->webhooks); /* the delivery worker finds endpoints by id:
                                                  * as deleted */
    parts->clear(t);
}

void tenant_data_free(struct tenant_data *d) {
    /* transactions and disputes only borrow agents: any order frees them */
    transaction_set_free(&d->transactions);
    dispute_set_free(&d->disputes);
    agent_set_free(&d->agents);
    webhook_set_free(&d->webhooks);
}
