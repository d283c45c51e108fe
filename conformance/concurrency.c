/* Shared state under parallel requests (DESIGN: "Concurrency is real"): no lost writes, no
 * duplicate ids, an audit chain that stays linked when writes race. Threads only record what
 * they saw; the assertions run on the test's main thread. */
#include "harness.h"
#include "sandbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define THREADS 8
#define PER_THREAD 10

static struct tenant T;
static char agent_id[96];

struct worker {
    int index;
    long status[PER_THREAD];
    char ids[PER_THREAD][96];
};

static void *register_many(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\":\"Racer %d-%d %s\",\"authorized_actions\":[\"a\"],\"spending_limit\":%d}",
                 w->index, i, T.tag, 1 + i);
        struct http_resp r;
        http_call("POST", "/agents", T.key[KEY_ADMIN], body, NULL, &r);
        w->status[i] = r.status;
        const cJSON *id = r.json ? cJSON_GetObjectItemCaseSensitive(r.json, "id") : NULL;
        snprintf(w->ids[i], sizeof w->ids[i], "%s", cJSON_IsString(id) ? id->valuestring : "");
        http_resp_free(&r);
    }
    return NULL;
}

static void *patch_many(void *arg) {
    struct worker *w = arg;
    char path[160];
    snprintf(path, sizeof path, "/agents/%s", agent_id);
    for (int i = 0; i < PER_THREAD; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"description\":\"writer %d step %d\"}", w->index, i);
        struct http_resp r;
        http_call("PATCH", path, T.key[KEY_ADMIN], body, NULL, &r);
        w->status[i] = r.status;
        http_resp_free(&r);
    }
    return NULL;
}

static void run_workers(void *(*fn)(void *), struct worker *ws) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        ws[i].index = i;
        cr_assert_eq(pthread_create(&th[i], NULL, fn, &ws[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
}

Test(concurrency, parallel_registrations_are_all_stored_once, .timeout = 120) {
    tenant_new(&T);
    tkey(&T, KEY_ADMIN);
    struct worker ws[THREADS] = {0};
    run_workers(register_many, ws);
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < PER_THREAD; j++) {
            cr_assert_eq(ws[i].status[j], 201, "parallel POST /agents %d-%d: HTTP %ld", i, j, ws[i].status[j]);
            for (int k = 0; k < THREADS; k++)
                for (int l = 0; l < PER_THREAD; l++)
                    if ((k != i || l != j))
                        cr_assert_str_neq(ws[i].ids[j], ws[k].ids[l], "duplicate id %s", ws[i].ids[j]);
        }
    cr_assert_eq(agent_count(&T), THREADS * PER_THREAD, "parallel registrations lost or duplicated");
    /* list order is newest first and every page is consistent */
    int seen = 0;
    for (int page = 1; page <= 4; page++) {
        struct http_resp r;
        http_call("GET", T.live ? fmt("/agents?search=%s&limit=25&page=%d", T.tag, page) : fmt("/agents?limit=25&page=%d", page),
                  tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_status(&r, 200);
        seen += cJSON_GetArraySize(jarr(r.json, "data"));
        http_resp_free(&r);
    }
    cr_assert_eq(seen, THREADS * PER_THREAD);
}

Test(concurrency, parallel_updates_keep_the_audit_chain_linked, .timeout = 120) {
    tenant_new(&T);
    tkey(&T, KEY_ADMIN);
    cJSON *a = agent_register_named(&T, "Contended");
    snprintf(agent_id, sizeof agent_id, "%s", jstr(a, "id"));
    struct worker ws[THREADS] = {0};
    run_workers(patch_many, ws);
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < PER_THREAD; j++)
            cr_assert_eq(ws[i].status[j], 200, "parallel PATCH %d-%d: HTTP %ld", i, j, ws[i].status[j]);
    cJSON *all = audit_all(&T, agent_id);
    int n = cJSON_GetArraySize(all);
    /* every PATCH changed the description (all values differ): one entry each + registered */
    cr_assert_eq(n, THREADS * PER_THREAD + 1, "audit has %d entries, expected %d", n, THREADS * PER_THREAD + 1);
    for (int i = 0; i + 1 < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(all, i), *older = cJSON_GetArrayItem(all, i + 1);
        cr_assert_str_eq(jstr(e, "previous_hash"), jstr(older, "payload_hash"), "chain broken at %d under concurrency", i);
        /* each entry's old_value is the previous entry's new_value: no lost update */
        if (i + 2 < n) {
            const cJSON *p = jobj(e, "payload"), *q = jobj(older, "payload");
            cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(p, "old_value"),
                                    cJSON_GetObjectItemCaseSensitive(q, "new_value"), 1),
                      "entry %d old_value is not entry %d new_value: an update was lost", i, i + 1);
        }
    }
    cJSON *now = agent_get(&T, agent_id);
    const cJSON *newest = jobj(cJSON_GetArrayItem(all, 0), "payload");
    cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(now, "description"),
                            cJSON_GetObjectItemCaseSensitive(newest, "new_value"), 1),
              "stored description is not the last audited value");
    cJSON_Delete(now);
    cJSON_Delete(all);
    cJSON_Delete(a);
}

/* ---- one-organization resets against in-flight reads and writes ---------------------------
 * A reset frees the org's agents, transactions and endpoints while other workers' requests
 * are in their handlers, and the org's Alter audit log, at a cap of 64 rows, drops rows while
 * verifies and pages read them.  Handlers render their replies before they unlock the tenant, so no
 * reply reads a freed object: under AddressSanitizer a use after free stops the private mock
 * (requests then fail with no answer, and it does not exit cleanly). */

#define RACE_MS 4000
#define RACE_IDS 8

static struct {
    pthread_mutex_t lock;
    char agents[RACE_IDS][96], txs[RACE_IDS][96], hooks[RACE_IDS][96];
    unsigned next_agent, next_tx, next_hook;
    _Atomic bool stop;
} race = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct racer {
    int index;
    long calls, bad;      /* bad: no answer or 5xx */
    char first_bad[512];
};

static double race_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void race_pick(char (*ids)[96], unsigned n, unsigned seed, char out[96]) {
    pthread_mutex_lock(&race.lock);
    snprintf(out, 96, "%s", n ? ids[seed % (n < RACE_IDS ? n : RACE_IDS)] : "agent_none");
    pthread_mutex_unlock(&race.lock);
}

static void race_keep(char (*ids)[96], unsigned *next, const cJSON *json) {
    const cJSON *id = json ? cJSON_GetObjectItemCaseSensitive(json, "id") : NULL;
    if (!cJSON_IsString(id)) return;
    pthread_mutex_lock(&race.lock);
    snprintf(ids[*next % RACE_IDS], 96, "%s", id->valuestring);
    (*next)++;
    pthread_mutex_unlock(&race.lock);
}

/* path and body are formatted here, per call: the harness's fmt() buffers are shared by
 * every thread. */
#define race_call(w, method, key, r, body, ...)                                                    \
    do {                                                                                           \
        char path_[320];                                                                           \
        snprintf(path_, sizeof path_, __VA_ARGS__);                                                \
        race_send((w), (method), path_, (key), (body), (r));                                       \
    } while (0)

static void race_send(struct racer *w, const char *method, const char *path, const char *key,
                      const char *body, struct http_resp *r) {
    http_call(method, path, key, body, NULL, r);
    w->calls++;
    if ((r->status == 0 || r->status >= 500) && !w->bad++)
        snprintf(w->first_bad, sizeof w->first_bad, "%s %s: HTTP %ld %.120s", method, path,
                 r->status, r->status ? (r->body ? r->body : "") : r->curl_error);
}

static void race_alter(struct racer *w, const char *path, struct http_resp *r) {
    char key_line[160];
    snprintf(key_line, sizeof key_line, "x-api-key: %s", T.alter_key);
    const char *headers[] = {key_line, NULL};
    struct http_req req = {.method = "GET", .path = path, .headers = headers};
    http_do(&req, r);
    w->calls++;
    bool ok = r->status == 200 && r->json &&
              (!strstr(path, "verify") || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "valid")));
    if (!ok && !w->bad++)
        snprintf(w->first_bad, sizeof w->first_bad, "GET %s: HTTP %ld %.160s", path, r->status,
                 r->status ? (r->body ? r->body : "") : r->curl_error);
}

/* Registers agents and moves money between them: the objects the others race for. */
static void *race_seed(void *arg) {
    struct racer *w = arg;
    for (unsigned i = 0; !race.stop; i++) {
        struct http_resp r;
        char body[512];
        snprintf(body, sizeof body,
                 "{\"name\":\"Racer %u %s\",\"authorized_actions\":[\"pay\"],\"spending_limit\":100}",
                 i, T.tag);
        race_call(w, "POST", T.key[KEY_ADMIN], &r, body, "/agents");
        if (r.status == 201) race_keep(race.agents, &race.next_agent, r.json);
        http_resp_free(&r);
        char a[96], b[96];
        race_pick(race.agents, race.next_agent, i, a);
        race_pick(race.agents, race.next_agent, i + 1, b);
        snprintf(body, sizeof body,
                 "{\"agent_id\":\"%s\",\"counterparty_id\":\"%s\",\"amount\":%u,"
                 "\"action_type\":\"pay\",\"currency\":\"USD\"}",
                 a, b, 1 + i % 500);
        race_call(w, "POST", T.key[KEY_ADMIN], &r, body, "/transactions");
        if (r.status == 201 || r.status == 403) {
            const cJSON *e = r.json ? cJSON_GetObjectItemCaseSensitive(r.json, "error") : NULL;
            const cJSON *tx = e ? cJSON_GetObjectItemCaseSensitive(e, "transaction_id") : NULL;
            if (cJSON_IsString(tx)) {
                cJSON *holder = cJSON_CreateObject();
                cJSON_AddStringToObject(holder, "id", tx->valuestring);
                race_keep(race.txs, &race.next_tx, holder);
                cJSON_Delete(holder);
            } else {
                race_keep(race.txs, &race.next_tx, r.json);
            }
        }
        http_resp_free(&r);
        if (i % 4) continue;
        /* an endpoint nobody listens on: its deliveries fail and are retried, logged, queued */
        race_call(w, "POST", T.key[KEY_ADMIN], &r, "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"*\"]}",
                  "/webhooks");
        if (r.status == 201) race_keep(race.hooks, &race.next_hook, r.json);
        http_resp_free(&r);
    }
    return NULL;
}

static void *race_reset(void *arg) {
    struct racer *w = arg;
    while (!race.stop) {
        struct http_resp r;
        char body[160];
        snprintf(body, sizeof body, "{\"org_id\": \"%s\"}", T.org_id);
        race_call(w, "POST", NULL, &r, body, "/_mock/reset");
        http_resp_free(&r);
        usleep(3000);
    }
    return NULL;
}

/* Every read and write of an agent or a transaction, on ids that a reset may have freed. */
static void *race_work(void *arg) {
    struct racer *w = arg;
    for (unsigned i = (unsigned)w->index * 7919u; !race.stop; i++) {
        char a[96], tx[96], hook[96];
        race_pick(race.agents, race.next_agent, i, a);
        race_pick(race.txs, race.next_tx, i, tx);
        race_pick(race.hooks, race.next_hook, i, hook);
        const char *key = T.key[KEY_ADMIN];
        struct http_resp r;
        char body[64];
        snprintf(body, sizeof body, "{\"description\":\"d%u\"}", i);
        switch (i % 20) {
        case 0: race_call(w, "GET", key, &r, NULL, "/agents/%s", a); break;
        case 1: race_call(w, "PATCH", key, &r, body, "/agents/%s", a); break;
        case 2: race_call(w, "POST", key, &r, NULL, "/agents/%s/suspend", a); break;
        case 3: race_call(w, "POST", key, &r, NULL, "/agents/%s/reactivate", a); break;
        case 4: race_call(w, "DELETE", key, &r, NULL, "/agents/%s", a); break;
        case 5: race_call(w, "GET", key, &r, NULL, "/transactions/%s", tx); break;
        case 6: race_call(w, "POST", key, &r, "{\"reason\":\"race\"}", "/transactions/%s/reverse", tx); break;
        case 7: race_call(w, "GET", key, &r, NULL, "/agents?limit=50"); break;
        case 8: race_call(w, "GET", key, &r, NULL, "/agents/%s/audit", a); break;
        case 9: race_call(w, "GET", key, &r, NULL, "/transactions?limit=50"); break;
        case 10: race_call(w, "POST", key, &r, NULL, "/trust/evaluate/%s", a); break;
        case 11: race_call(w, "GET", key, &r, NULL, "/trust/%s", a); break;
        case 12: race_call(w, "GET", key, &r, NULL, "/trust/%s/history", a); break;
        case 13: race_call(w, "GET", key, &r, NULL, "/webhooks/%s", hook); break;
        case 14: race_call(w, "PATCH", key, &r, "{\"active\":false}", "/webhooks/%s", hook); break;
        case 15: race_call(w, "GET", key, &r, NULL, "/webhooks/%s/deliveries", hook); break;
        case 16: race_call(w, "DELETE", key, &r, NULL, "/webhooks/%s", hook); break;
        /* Alter: a log at its cap drops rows while a verify hashes them outside the lock */
        case 17: race_alter(w, "/sdk/audit/verify", &r); break;
        case 18: race_alter(w, "/sdk/audit?limit=100", &r); break;
        default: race_call(w, "GET", NULL, &r, NULL, "/agents/%s/verify", a); break;
        }
        http_resp_free(&r);
    }
    return NULL;
}

static void race_stop_own(void) { own_mock_stop(); }

Test(concurrency, one_org_resets_race_reads_and_writes_without_a_freed_object,
     .fini = race_stop_own, .timeout = 120) {
    /* each unlock sleeps 200 us: the reset waiting for the lock runs in that gap, where a
     * handler that still read an object after unlocking would find it freed */
    static const char *const flags[] = {"--unlock-delay-us", "200", "--alter-audit-max", "64", NULL};
    own_mock_start(flags);
    tenant_new_with(&T, "{\"plan\": \"enterprise\", \"alter_rate_limit_rpm\": 1000000}");
    cr_assert(T.alter_key[0], "the org has an Alter app key");
    tkey(&T, KEY_ADMIN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    enum { WORKERS = 5 };
    struct racer rs[WORKERS + 2] = {0};
    pthread_t th[WORKERS + 2];
    cr_assert_eq(pthread_create(&th[0], NULL, race_seed, &rs[0]), 0);
    cr_assert_eq(pthread_create(&th[1], NULL, race_reset, &rs[1]), 0);
    for (int i = 0; i < WORKERS; i++) {
        rs[i + 2].index = i;
        cr_assert_eq(pthread_create(&th[i + 2], NULL, race_work, &rs[i + 2]), 0);
    }
    double end = race_now_ms() + RACE_MS;
    while (race_now_ms() < end) usleep(50 * 1000);
    race.stop = true;
    long calls = 0;
    for (int i = 0; i < WORKERS + 2; i++) {
        pthread_join(th[i], NULL);
        calls += rs[i].calls;
        cr_assert_eq(rs[i].bad, 0, "racer %d: %ld of %ld calls had no answer or a 5xx; first: %s", i,
                     rs[i].bad, rs[i].calls, rs[i].first_bad);
    }
    cr_log_info("reset race: %ld calls, %ld resets", calls, rs[1].calls);
    cr_assert_gt(rs[1].calls, 10, "the resets ran");
    cr_assert_gt(calls, 200, "the race ran (%ld calls)", calls);
    cJSON_Delete(mock_call("GET", "/_mock/health", NULL, 200));
}
