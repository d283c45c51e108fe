/* State operations racing in-flight requests: a one-org or full reset, a snapshot save, an
 * export and an import, each repeated while worker threads read and write both APIs.  Each
 * test runs a private agentmock (the operations are process-wide), and ends by stopping it:
 * a sanitizer report in the mock (ASan, or ThreadSanitizer in scripts/test's TSan run) makes
 * it exit non-zero and fails the test.
 *
 * What a client depends on while an operator resets, saves, exports or imports: no 5xx, no
 * dropped connection, an organization that is not reset keeps working (its keys, agents and
 * chains), and what a save or export wrote loads again. */
#include "alter_harness.h"
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#define WORKERS 6
#define RACE_SECONDS 3

/* Two tenants: `reset` is the one a racer may reset; `kept` must never notice anything. */
static struct tenant Kept, Reset;
static char kept_agents[2][96], reset_agents[2][96];
static atomic_bool stop;
static atomic_long served, server_errors, dropped, kept_failures;
static char first_failure[512];
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_failure(const struct http_resp *r, const char *what) {
    pthread_mutex_lock(&failure_lock);
    if (!first_failure[0])
        snprintf(first_failure, sizeof first_failure, "%s %s -> %ld %s %.300s", what, r->request,
                 r->status, r->curl_error, r->body ? r->body : "");
    pthread_mutex_unlock(&failure_lock);
}

/* Counts r; strict: the kept tenant's call, which must have answered 2xx. */
static void tally(const struct http_resp *r, bool strict) {
    atomic_fetch_add(&served, 1);
    if (r->status == 0) {
        atomic_fetch_add(&dropped, 1);
        note_failure(r, "no answer:");
    } else if (r->status >= 500) {
        atomic_fetch_add(&server_errors, 1);
        note_failure(r, "5xx:");
    } else if (strict && (r->status < 200 || r->status > 299)) {
        atomic_fetch_add(&kept_failures, 1);
        note_failure(r, "kept tenant:");
    }
}

/* Threads never call fmt(): its rotating buffers are shared by the whole process. */
static void one_round(struct tenant *t, char agents[2][96], bool strict, unsigned *seed) {
    struct http_resp r;
    char body[256], path[192];
    switch (rand_r(seed) % 6) {
    case 0:
        snprintf(body, sizeof body,
                 "{\"name\":\"racer %u\",\"authorized_actions\":[\"pay\"],\"spending_limit\":1000}",
                 rand_r(seed));
        http_call("POST", "/agents", t->key[KEY_WRITE], body, NULL, &r);
        break;
    case 1:
        snprintf(path, sizeof path, "/agents/%s", agents[0]);
        http_call("GET", path, t->key[KEY_READ], NULL, NULL, &r);
        break;
    case 2:
        snprintf(body, sizeof body,
                 "{\"agent_id\":\"%s\",\"counterparty_id\":\"%s\",\"amount\":1.25,"
                 "\"action_type\":\"pay\"}", agents[0], agents[1]);
        http_call("POST", "/transactions", t->key[KEY_WRITE], body, NULL, &r);
        /* a transfer the trust model refuses is a 4xx the contract names, not a failure */
        if (strict && r.status == 403) r.status = 201;
        break;
    case 3:
        snprintf(path, sizeof path, "/agents/%s/audit", agents[1]);
        http_call("GET", path, t->key[KEY_READ], NULL, NULL, &r);
        break;
    case 4: alter_http("GET", "/sdk/agents?limit=5", t->alter_key, NULL, NULL, &r); break;
    default: alter_http("GET", "/sdk/audit?limit=5", t->alter_key, NULL, NULL, &r); break;
    }
    tally(&r, strict);
    http_resp_free(&r);
}

static void *worker(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!atomic_load(&stop)) {
        one_round(&Kept, kept_agents, true, &seed);
        one_round(&Reset, reset_agents, false, &seed);
    }
    return NULL;
}

static void make_agents(struct tenant *t, char out[2][96]) {
    for (int i = 0; i < 2; i++) {
        cJSON *a = agent_register_named(t, i ? "Payee" : "Payer");
        snprintf(out[i], 96, "%s", jstr(a, "id"));
        cJSON_Delete(a);
    }
}

static void setup_private(const char *const *args) {
    own_mock_start(args);
    /* limits out of the way: the workers send thousands of requests a second */
    const char *unlimited = "{\"rate_limit\":1000000000,\"alter_rate_limit_rpm\":1000000000}";
    tenant_new_with(&Kept, unlimited);
    tenant_new_with(&Reset, unlimited);
    alter_key(&Kept);
    alter_key(&Reset);
    make_agents(&Kept, kept_agents);
    make_agents(&Reset, reset_agents);
    atomic_store(&stop, false);
    atomic_store(&served, 0);
    atomic_store(&server_errors, 0);
    atomic_store(&dropped, 0);
    atomic_store(&kept_failures, 0);
    first_failure[0] = '\0';
}

static char racer_failure[512];

/* Runs the workers for RACE_SECONDS while racer(arg) repeats on this thread; returns how many
 * times the racer ran. */
static int race(bool (*racer)(void *), void *arg) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rounds = 0;
    bool ok = true;
    do {
        ok = racer(arg);
        rounds++;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (ok && now.tv_sec - start.tv_sec < RACE_SECONDS);
    atomic_store(&stop, true);
    for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
    cr_assert(ok, "the racing operation failed (round %d): %s", rounds, racer_failure);
    cr_assert_gt(atomic_load(&served), 0);
    cr_assert_eq(atomic_load(&dropped), 0, "%ld requests got no answer; first: %s",
                 atomic_load(&dropped), first_failure);
    cr_assert_eq(atomic_load(&server_errors), 0, "%ld requests answered 5xx; first: %s",
                 atomic_load(&server_errors), first_failure);
    cr_assert_eq(atomic_load(&kept_failures), 0,
                 "%ld requests of the organization nobody reset failed; first: %s",
                 atomic_load(&kept_failures), first_failure);
    return rounds;
}

/* Every chain of t's listed agents verifies, and its Alter chain too. */
static void expect_chains_verify(struct tenant *t) {
    struct http_resp r;
    http_call("GET", "/agents?limit=100", t->key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    const cJSON *a;
    cJSON_ArrayForEach(a, jarr(r.json, "data")) {
        struct http_resp v;
        http_call("GET", fmt("/agents/%s/audit/verify", jstr(a, "id")), t->key[KEY_READ], NULL,
                  NULL, &v);
        expect_status(&v, 200);
        cr_assert(jbool(v.json, "valid"), "chain of %s: %s", jstr(a, "id"), v.body);
        http_resp_free(&v);
    }
    http_resp_free(&r);
    alter_http("GET", "/sdk/audit/verify", t->alter_key, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "valid"), "Alter chain: %s", r.body);
    http_resp_free(&r);
}

/* The racing operation's call; a failure is kept for the test's message. */
static long call_status(const char *method, const char *path, const char *body) {
    struct http_resp r;
    http_call(method, path, NULL, body, NULL, &r);
    long status = r.status;
    if (status != 200)
        snprintf(racer_failure, sizeof racer_failure, "%s -> %ld %s %.300s", r.request, status,
                 r.curl_error, r.body ? r.body : "");
    http_resp_free(&r);
    return status;
}

static bool reset_one_org(void *arg) {
    (void)arg;
    char body[160];
    snprintf(body, sizeof body, "{\"org_id\":\"%s\"}", Reset.org_id);
    return call_status("POST", "/_mock/reset", body) == 200;
}

Test(state_races, one_org_reset_races_reads_and_writes, .timeout = 120) {
    setup_private(NULL);
    int rounds = race(reset_one_org, NULL);
    cr_assert_gt(rounds, 1);
    expect_chains_verify(&Kept);
    own_mock_stop();
}

/* A full reset removes every org: only 5xx and dropped answers are failures then, so the
 * kept tenant is not checked (its keys go too). */
static bool reset_everything(void *arg) {
    (void)arg;
    return call_status("POST", "/_mock/reset", "{}") == 200;
}

static void *loose_worker(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!atomic_load(&stop)) {
        one_round(&Kept, kept_agents, false, &seed);
        one_round(&Reset, reset_agents, false, &seed);
    }
    return NULL;
}

Test(state_races, full_reset_races_reads_and_writes, .timeout = 120) {
    setup_private(NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, loose_worker, (void *)(uintptr_t)(i + 1)), 0);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(reset_everything(NULL), true);
        usleep(100000);
    }
    atomic_store(&stop, true);
    for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
    cr_assert_eq(atomic_load(&dropped), 0, "first: %s", first_failure);
    cr_assert_eq(atomic_load(&server_errors), 0, "first: %s", first_failure);
    own_mock_stop();
}

static bool save_snapshot(void *arg) {
    (void)arg;
    return call_status("POST", "/_mock/snapshot", NULL) == 200;
}

Test(state_races, snapshot_save_races_reads_and_writes, .timeout = 120) {
    char dir[] = "/tmp/conformance-races-XXXXXX";
    cr_assert(mkdtemp(dir));
    char *file = strdup(fmt("%s/state.ndjson", dir));
    const char *const args[] = {"--state", file, NULL};
    setup_private(args);
    race(save_snapshot, NULL);
    own_mock_stop(); /* saves once more on the way out */
    /* what the saves wrote starts a mock, with the org nobody reset intact */
    cr_assert_eq(save_snapshot(NULL), false, "the private mock still answers");
    own_mock_start(args);
    expect_chains_verify(&Kept);
    own_mock_stop();
    unlink(file);
    rmdir(dir);
    free(file);
}

/* Each export is a whole state: meta first, every line a JSON object; the last one loads. */
static char *last_export;
static bool export_state(void *arg) {
    (void)arg;
    struct http_resp r;
    http_call("GET", "/_mock/state", NULL, NULL, NULL, &r);
    bool ok = r.status == 200 && strncmp(r.body, "{\"type\":\"meta\"", 14) == 0;
    for (char *line = r.body, *nl; ok && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) break;
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)(nl - line));
        ok = cJSON_IsObject(rec);
        cJSON_Delete(rec);
    }
    if (ok) {
        free(last_export);
        last_export = strdup(r.body);
    }
    http_resp_free(&r);
    return ok;
}

static long import_state(const char *text) {
    struct http_resp r;
    struct http_req req = {.method = "PUT", .path = "/_mock/state", .body = text,
                           .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    long status = r.status;
    if (status != 200) fprintf(stderr, "PUT /_mock/state: %ld %.300s\n", status, r.body);
    http_resp_free(&r);
    return status;
}

Test(state_races, export_races_reads_and_writes, .timeout = 120) {
    setup_private(NULL);
    race(export_state, NULL);
    cr_assert(last_export);
    own_mock_stop();
    /* a snapshot taken mid-write is consistent: a fresh mock takes it whole */
    own_mock_start(NULL);
    cr_assert_eq(import_state(last_export), 200);
    expect_chains_verify(&Kept);
    own_mock_stop();
    free(last_export);
    last_export = NULL;
}

static bool import_again(void *arg) { return import_state(arg) == 200; }

Test(state_races, import_races_reads_and_writes, .timeout = 120) {
    setup_private(NULL);
    cr_assert(export_state(NULL));
    char *state = last_export;
    last_export = NULL;
    /* the kept org's keys and agents are in the state each import restores */
    race(import_again, state);
    expect_chains_verify(&Kept);
    own_mock_stop();
    free(state);
}
