/* POST /_mock/orgs/{id}/generate {"agents": N, "transactions": M}: fills an organization with
 * N new agents and M transactions between random pairs of its agents, for load tests and the
 * export benchmark.  No HTTP per row, but the same domain functions as the API
 * (alsorn_agent_create, transaction_execute), so every row has its audit entries, trust
 * evaluation and events like one made through POST /transactions.  Amounts and actions are
 * drawn so that a few transactions fail (over the limit, not authorized), as they do in life.
 * Random draws come from random_bytes, so --seed makes a run reproducible. */
#include "sandbox/generate.h"
#include "sandbox/limits.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alsorn/agents.h"
#include "alsorn/transactions.h"
#include "store/store.h"

#define ROWS_PER_LOCK              1000 /* other requests of the org run between batches */
#define AGENT_LIMIT_CENTS          1000000 /* each generated agent may spend 10,000 */

static const char *const generated_actions[] = {"transfer_funds", "purchase_data",
                                                "execute_trade"};

/* splitmix64, seeded once from random_bytes: a draw per row without a syscall per row */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long member_count(struct field_errors *fe, const cJSON *body, const char *name, long max) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!it) return 0;
    if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > (double)max ||
        it->valuedouble != (double)(long)it->valuedouble) {
        field_error_add(fe, name, "must be an integer from 0 to %ld", max);
        return 0;
    }
    return (long)it->valuedouble;
}

static cJSON *agent_body(long i) {
    cJSON *o = cJSON_CreateObject();
    char name[64];
    snprintf(name, sizeof name, "Generated Agent %ld", i);
    cJSON_AddStringToObject(o, "name", name);
    cJSON *actions = cJSON_AddArrayToObject(o, "authorized_actions");
    for (size_t a = 0; a < sizeof generated_actions / sizeof generated_actions[0]; a++)
        cJSON_AddItemToArray(actions, cJSON_CreateString(generated_actions[a]));
    cJSON_AddNumberToObject(o, "spending_limit", AGENT_LIMIT_CENTS / 100);
    return o;
}

/* Adds n agents; returns how many were added (fewer only when out of memory). */
static long add_agents(struct tenant *t, long n, int64_t now) {
    cJSON *body = NULL;
    long added = 0;
    while (added < n) {
        tenant_lock(t);
        for (int k = 0; k < ROWS_PER_LOCK && added < n; k++) {
            struct field_errors fe = {0};
            struct agent *a;
            body = agent_body((long)t->agents.n + 1);
            enum create_result res = alsorn_agent_create(t, body, t->user_id, now, &fe, &a);
            cJSON_Delete(body);
            field_errors_free(&fe);
            if (res != CREATE_OK) {
                tenant_unlock(t);
                return added;
            }
            added++;
        }
        tenant_unlock(t);
    }
    return added;
}

struct tally {
    long completed, failed;
};

/* One transaction between two distinct random agents of t (locked, at least 2 agents). */
static void add_transaction(struct tenant *t, uint64_t *rng, int64_t now, struct tally *tally) {
    size_t n = t->agents.n;
    uint64_t draw = next_random(rng);
    size_t i = (size_t)(draw % n), j = (size_t)((draw >> 32) % (n - 1));
    if (j >= i) j++; /* j uniform over the others */
    uint64_t shape = next_random(rng);
    char notes[96];
    struct tx_request req = {
        .agent_id = t->agents.list[i]->id,
        .counterparty_id = t->agents.list[j]->id,
        /* 1 in 50 not authorized, 1 in 33 over the limit */
        .action_type = shape % 50 == 0 ? "withdraw_funds" : generated_actions[shape % 3],
        .amount = (int64_t)((shape >> 8) % AGENT_LIMIT_CENTS) + 1,
    };
    if ((shape >> 40) % 33 == 0) req.amount += AGENT_LIMIT_CENTS;
    if ((shape >> 48) % 10 == 0) { /* some notes that need CSV quoting */
        snprintf(notes, sizeof notes, "Invoice %u, \"priority\"\nsecond line",
                 (unsigned)(shape >> 20) % 100000);
        req.notes = notes;
    }
    struct field_errors fe = {0};
    struct tx_result res;
    enum tx_outcome outcome = transaction_execute(t, &req, now, &fe, &res);
    field_errors_free(&fe);
    if (outcome == TX_OK) tally->completed++;
    else if (outcome == TX_REFUSED) tally->failed++;
}

void mock_org_generate(struct req *r) {
    struct field_errors fe = {0};
    long agents = member_count(&fe, r->json, "agents", MAX_GENERATED_AGENTS);
    long transactions = member_count(&fe, r->json, "transactions", MAX_GENERATED_TRANSACTIONS);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) return reply_not_found(r);

    tenant_lock(t);
    long room = t->max_agents > 0 ? t->max_agents - (long)t->agents.n : agents;
    long existing = (long)t->agents.n;
    tenant_unlock(t);
    if (agents > room)
        field_error_add(&fe, "agents", "the organization's plan allows %ld more agents", room);
    else if (transactions > 0 && existing + agents < 2)
        field_error_add(&fe, "transactions", "needs at least 2 agents in the organization");
    if (field_errors_any(&fe)) {
        tenant_release(t);
        return reply_validation(r, &fe);
    }

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long added = add_agents(t, agents, r->now);
    uint64_t rng;
    random_bytes(&rng, sizeof rng);
    struct tally tally = {0};
    for (long done = 0; added == agents && done < transactions;) {
        tenant_lock(t);
        for (int k = 0; k < ROWS_PER_LOCK && done < transactions; k++, done++)
            add_transaction(t, &rng, r->now, &tally);
        tenant_unlock(t);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    tenant_lock(t);
    size_t total_agents = t->agents.n, total_transactions = t->transactions.n;
    tenant_unlock(t);
    tenant_release(t);
    if (added < agents) return reply_error(r, 500, "internal_error", "Out of memory");

    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "agents_created", (double)added);
    cJSON_AddNumberToObject(o, "transactions_completed", (double)tally.completed);
    cJSON_AddNumberToObject(o, "transactions_failed", (double)tally.failed);
    cJSON_AddNumberToObject(o, "agents", (double)total_agents);
    cJSON_AddNumberToObject(o, "transactions", (double)total_transactions);
    cJSON_AddNumberToObject(o, "elapsed_ms", (double)((end.tv_sec - start.tv_sec) * 1000 +
                                                      (end.tv_nsec - start.tv_nsec) / 1000000));
    reply_json(r, 200, o);
}
