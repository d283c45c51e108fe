/* The soak driver (scripts/soak): mixed reads and writes of both APIs over many tenants for a
 * bounded time, webhook receivers on 127.0.0.1 that fail 30 % of the time, then the invariants
 * a long-running shared mock must keep:
 *   - no 5xx (and no failed transfer) during the run;
 *   - every Alsorn agent's audit chain and every Alter app's chain verifies;
 *   - counts agree: agents and transactions the mock lists = those it answered 201 for;
 *   - each stored trust score equals the score recomputed from scratch
 *     (GET /_mock/orgs/{id}/trust-check);
 *   - with --rss-check: resident memory (VmRSS of the mock) is flat once its caps are
 *     reached: over the last half of the run it grows by at most max(10 %, 16 MB).  A short
 *     run cannot tell growth up to a cap from growth without one, so scripts/soak asks for
 *     it from 5 minutes on; the curve is printed either way.
 *
 *   soak --url http://127.0.0.1:PORT --pid PID --duration SECONDS --connections N
 *        [--tenants T] [--rss-check]
 *
 * The first 40 % of the run mixes writes and reads; the rest reads both APIs only (every
 * Alter call still adds an audit row, and webhook retries go on), so what the mock stores
 * for its users stops growing and only what it keeps for itself could: that must be capped,
 * and the RSS check looks at the second half.
 *
 * Exits 0 when every invariant holds, 1 otherwise (each failure printed). */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#define MAX_AGENTS_KEPT 4096 /* per tenant: ids the workers pick from and verify at the end */

struct tenant {
    char id[64], read_key[80], write_key[80], admin_key[80], app_key[96];
    pthread_mutex_t lock;
    char (*agents)[64]; /* Alsorn agent ids, MAX_AGENTS_KEPT */
    size_t n_agents;
    char (*txs)[64];    /* completed transaction ids (reversal candidates) */
    size_t n_txs;
    atomic_long agents_created, txs_created, alter_agents_created;
    long base_agents, base_txs, base_alter_agents;
};

static const char *base_url;
static int mock_pid;
static struct tenant *tenants;
static int n_tenants;
static atomic_bool stop, writes_allowed = true;
static atomic_long requests, status_5xx, status_429, transport_failures;
static atomic_long hooks_received;

/* ---- HTTP -------------------------------------------------------------------------------- */

struct resp {
    long status;
    char *body;
    size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *ctx) {
    struct resp *r = ctx;
    char *p = realloc(r->body, r->len + size * n + 1);
    if (!p) return 0;
    memcpy(p + r->len, data, size * n);
    r->body = p;
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

/* One request on the thread's handle (kept alive); the answer's JSON (caller deletes) or
 * NULL.  Counts the request and any 5xx or transport failure. */
static cJSON *call(CURL *h, const char *method, const char *path, const char *auth_header,
                   const char *body, long *status) {
    char url[512];
    snprintf(url, sizeof url, "%s%s", base_url, path);
    struct curl_slist *hdrs = NULL;
    if (auth_header) hdrs = curl_slist_append(hdrs, auth_header);
    if (body) hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    struct resp r = {0};
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdrs);
    atomic_fetch_add(&requests, 1);
    if (rc != CURLE_OK) {
        if (atomic_fetch_add(&transport_failures, 1) < 5)
            fprintf(stderr, "soak: %s %s: %s\n", method, path, curl_easy_strerror(rc));
    } else if (code >= 500) {
        if (atomic_fetch_add(&status_5xx, 1) < 5)
            fprintf(stderr, "soak: %s %s -> %ld %.300s\n", method, path, code, r.body ? r.body : "");
    } else if (code == 429) {
        atomic_fetch_add(&status_429, 1);
    }
    cJSON *json = r.body ? cJSON_ParseWithLength(r.body, r.len) : NULL;
    free(r.body);
    if (status) *status = code;
    return json;
}

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* ---- webhook receivers: 30 % of deliveries fail --------------------------------------------- */

static int receive_hook(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    char buf[4096];
    while (mg_read(conn, buf, sizeof buf) > 0) {
    }
    atomic_fetch_add(&hooks_received, 1);
    int status = (rand() % 10) < 3 ? 500 : 200;
    mg_printf(conn, "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    return status;
}

static struct mg_context *receivers_start(int *port) {
    const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "8", NULL};
    struct mg_callbacks cb = {0};
    struct mg_context *ctx = mg_start(&cb, NULL, opts);
    if (!ctx) return NULL;
    mg_set_request_handler(ctx, "/", receive_hook, NULL);
    struct mg_server_port ports[1];
    *port = mg_get_server_ports(ctx, 1, ports) > 0 ? ports[0].port : 0;
    return ctx;
}

/* ---- tenants ------------------------------------------------------------------------------ */

static void header(char *out, size_t size, const char *name, const char *key) {
    snprintf(out, size, "%s: %s%s", name, strcmp(name, "Authorization") == 0 ? "Bearer " : "", key);
}

static long list_total(CURL *h, const char *path, const char *auth_header, bool paged) {
    cJSON *j = call(h, "GET", path, auth_header, NULL, NULL);
    double total = paged ? jnum(cJSON_GetObjectItem(j, "pagination"), "total") : jnum(j, "total");
    cJSON_Delete(j);
    return (long)total;
}

static bool tenant_setup(CURL *h, struct tenant *t, int hook_port) {
    cJSON *o = call(h, "POST", "/_mock/orgs", NULL,
                    "{\"name\":\"soak\",\"rate_limit\":1000000000,\"alter_rate_limit_rpm\":1000000000}",
                    NULL);
    const cJSON *keys = cJSON_GetObjectItem(o, "keys"), *alter = cJSON_GetObjectItem(o, "alter");
    snprintf(t->id, sizeof t->id, "%s", jstr(o, "id"));
    snprintf(t->read_key, sizeof t->read_key, "%s", jstr(keys, "read"));
    snprintf(t->write_key, sizeof t->write_key, "%s", jstr(keys, "write"));
    snprintf(t->admin_key, sizeof t->admin_key, "%s", jstr(keys, "admin"));
    snprintf(t->app_key, sizeof t->app_key, "%s", jstr(alter, "app_key"));
    cJSON_Delete(o);
    if (!t->id[0] || !t->write_key[0] || !t->app_key[0]) {
        fprintf(stderr, "soak: POST /_mock/orgs gave no keys\n");
        return false;
    }
    pthread_mutex_init(&t->lock, NULL);
    t->agents = calloc(MAX_AGENTS_KEPT, sizeof *t->agents);
    t->txs = calloc(MAX_AGENTS_KEPT, sizeof *t->txs);
    char a[128], body[256];
    header(a, sizeof a, "Authorization", t->admin_key);
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/hook\",\"events\":[\"agent.registered\","
             "\"transaction.completed\"]}", hook_port);
    long status;
    cJSON_Delete(call(h, "POST", "/webhooks", a, body, &status));
    if (status != 201) fprintf(stderr, "soak: POST /webhooks -> %ld\n", status);
    header(a, sizeof a, "Authorization", t->read_key);
    t->base_agents = list_total(h, "/agents?limit=1", a, true);
    t->base_txs = list_total(h, "/transactions?limit=1", a, false);
    header(a, sizeof a, "x-api-key", t->app_key);
    t->base_alter_agents = list_total(h, "/sdk/agents?limit=1", a, false);
    return status == 201;
}

/* ---- the mixed load ------------------------------------------------------------------------ */

static bool pick_agent(struct tenant *t, unsigned *seed, char out[64]) {
    pthread_mutex_lock(&t->lock);
    bool any = t->n_agents > 0;
    if (any) memcpy(out, t->agents[rand_r(seed) % t->n_agents], 64);
    pthread_mutex_unlock(&t->lock);
    return any;
}

static void one_operation(CURL *h, unsigned *seed) {
    struct tenant *t = &tenants[rand_r(seed) % (unsigned)n_tenants];
    char rd[128], wr[128], app[128], path[256], body[512], a[64], b[64];
    header(rd, sizeof rd, "Authorization", t->read_key);
    header(wr, sizeof wr, "Authorization", t->write_key);
    header(app, sizeof app, "x-api-key", t->app_key);
    int op = rand_r(seed) % 100;
    if (!atomic_load(&writes_allowed)) op = 33 + rand_r(seed) % 67; /* reads only */
    long status = 0;
    cJSON *j = NULL;
    if (op < 10 || (t->n_agents < 2 && atomic_load(&writes_allowed))) { /* register an agent */
        snprintf(body, sizeof body,
                 "{\"name\":\"soak-%u\",\"authorized_actions\":[\"pay\",\"execute_trade\"],"
                 "\"spending_limit\":100000,\"environment\":\"sandbox\"}", rand_r(seed));
        j = call(h, "POST", "/agents", wr, body, &status);
        if (status == 201) {
            atomic_fetch_add(&t->agents_created, 1);
            pthread_mutex_lock(&t->lock);
            if (t->n_agents < MAX_AGENTS_KEPT)
                snprintf(t->agents[t->n_agents++], 64, "%s", jstr(j, "id"));
            pthread_mutex_unlock(&t->lock);
        }
    } else if (op < 30) { /* a transfer between two of the tenant's agents */
        pick_agent(t, seed, a);
        pick_agent(t, seed, b);
        if (strcmp(a, b) == 0) return;
        snprintf(body, sizeof body,
                 "{\"agent_id\":\"%s\",\"counterparty_id\":\"%s\",\"amount\":%d.%02d,"
                 "\"action_type\":\"pay\"}", a, b, 1 + rand_r(seed) % 50, rand_r(seed) % 100);
        j = call(h, "POST", "/transactions", wr, body, &status);
        /* a refused transfer is stored too (status failed): its error names it */
        const cJSON *e = cJSON_GetObjectItem(j, "error");
        if (status != 201 && cJSON_IsString(cJSON_GetObjectItem(e, "transaction_id")))
            atomic_fetch_add(&t->txs_created, 1);
        if (status == 201) {
            atomic_fetch_add(&t->txs_created, 1);
            pthread_mutex_lock(&t->lock);
            if (t->n_txs < MAX_AGENTS_KEPT && strcmp(jstr(j, "status"), "completed") == 0)
                snprintf(t->txs[t->n_txs++], 64, "%s", jstr(j, "id"));
            pthread_mutex_unlock(&t->lock);
        }
    } else if (op < 33) { /* reverse a completed transfer (once: a second try is a 409) */
        pthread_mutex_lock(&t->lock);
        bool any = t->n_txs > 0;
        if (any) memcpy(a, t->txs[--t->n_txs], 64);
        pthread_mutex_unlock(&t->lock);
        if (!any) return;
        snprintf(path, sizeof path, "/transactions/%s/reverse", a);
        j = call(h, "POST", path, wr, "{\"reason\":\"soak\"}", &status);
        if (status == 201 || status == 200) atomic_fetch_add(&t->txs_created, 1);
    } else if (op < 50) {
        pick_agent(t, seed, a);
        snprintf(path, sizeof path, "/agents/%s", a);
        j = call(h, "GET", path, rd, NULL, NULL);
    } else if (op < 57) {
        j = call(h, "GET", "/agents?limit=20", rd, NULL, NULL);
    } else if (op < 65) {
        pick_agent(t, seed, a);
        snprintf(path, sizeof path, "/trust/%s", a);
        j = call(h, "GET", path, rd, NULL, NULL);
    } else if (op < 70) {
        pick_agent(t, seed, a);
        snprintf(path, sizeof path, "/agents/%s/audit", a);
        j = call(h, "GET", path, rd, NULL, NULL);
    } else if (op < 75) {
        j = call(h, "GET", "/transactions?limit=10", rd, NULL, NULL);
    } else if (op < 80 && atomic_load(&writes_allowed)) { /* Alter: create an agent */
        snprintf(body, sizeof body, "{\"name\":\"soak-%u-%u\",\"type\":\"agent\"}", rand_r(seed),
                 rand_r(seed));
        j = call(h, "POST", "/sdk/agents", app, body, &status);
        if (status == 201) atomic_fetch_add(&t->alter_agents_created, 1);
    } else if (op < 95) {
        j = call(h, "GET", "/sdk/agents?limit=10", app, NULL, NULL);
    } else {
        j = call(h, "GET", "/sdk/audit?limit=5", app, NULL, NULL);
    }
    cJSON_Delete(j);
}

static void *worker(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u;
    CURL *h = curl_easy_init();
    while (!atomic_load(&stop)) one_operation(h, &seed);
    curl_easy_cleanup(h);
    return NULL;
}

/* ---- memory ------------------------------------------------------------------------------- */

static long rss_kb(void) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", mock_pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

/* ---- invariants --------------------------------------------------------------------------- */

static int failures;
static void failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failed(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("soak: FAILED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static void check_tenant(CURL *h, struct tenant *t, long *chains) {
    char rd[128], app[128], path[256];
    header(rd, sizeof rd, "Authorization", t->read_key);
    header(app, sizeof app, "x-api-key", t->app_key);
    for (size_t i = 0; i < t->n_agents; i++) {
        snprintf(path, sizeof path, "/agents/%s/audit/verify", t->agents[i]);
        long status;
        cJSON *j = call(h, "GET", path, rd, NULL, &status);
        if (status != 200 || !cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")))
            failed("%s %s: %ld valid=%d", t->id, path, status,
                   cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
        cJSON_Delete(j);
        ++*chains;
    }
    long status;
    cJSON *j = call(h, "GET", "/sdk/audit/verify", app, NULL, &status);
    if (status != 200 || !cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")))
        failed("%s GET /sdk/audit/verify: %ld valid=%d", t->id, status,
               cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
    cJSON_Delete(j);
    ++*chains;
    long agents = list_total(h, "/agents?limit=1", rd, true);
    long want = t->base_agents + atomic_load(&t->agents_created);
    if (agents != want) failed("%s: GET /agents total %ld, 201s say %ld", t->id, agents, want);
    long txs = list_total(h, "/transactions?limit=1", rd, false);
    want = t->base_txs + atomic_load(&t->txs_created);
    if (txs != want) failed("%s: GET /transactions total %ld, 201s say %ld", t->id, txs, want);
    long alter = list_total(h, "/sdk/agents?limit=1", app, false);
    want = t->base_alter_agents + atomic_load(&t->alter_agents_created);
    if (alter != want) failed("%s: GET /sdk/agents total %ld, 201s say %ld", t->id, alter, want);
    snprintf(path, sizeof path, "/_mock/orgs/%s/trust-check", t->id);
    j = call(h, "GET", path, NULL, NULL, &status);
    if (status != 200 || jnum(j, "mismatches") != 0) {
        char *text = j ? cJSON_PrintUnformatted(j) : NULL;
        failed("%s: trust scores recomputed from scratch differ: %ld %.500s", t->id, status,
               text ? text : "");
        free(text);
    }
    cJSON_Delete(j);
}

int main(int argc, char **argv) {
    int duration = 60, connections = 16;
    n_tenants = 0;
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},      {"pid", required_argument, NULL, 'p'},
        {"duration", required_argument, NULL, 'd'}, {"connections", required_argument, NULL, 'c'},
        {"tenants", required_argument, NULL, 't'},  {"rss-check", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    bool rss_check = false;
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        switch (o) {
        case 'u': base_url = optarg; break;
        case 'p': mock_pid = atoi(optarg); break;
        case 'd': duration = atoi(optarg); break;
        case 'c': connections = atoi(optarg); break;
        case 't': n_tenants = atoi(optarg); break;
        case 'r': rss_check = true; break;
        default: return 2;
        }
    }
    if (!base_url || mock_pid <= 0 || duration < 1 || connections < 1) {
        fprintf(stderr, "usage: soak --url URL --pid PID --duration S --connections N [--tenants T] "
                        "[--rss-check]\n");
        return 2;
    }
    if (n_tenants < 1) n_tenants = connections * 2 > 16 ? connections * 2 : 16;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mg_init_library(0);
    int hook_port = 0;
    struct mg_context *receivers = receivers_start(&hook_port);
    if (!receivers) {
        fprintf(stderr, "soak: cannot start the webhook receivers\n");
        return 1;
    }
    tenants = calloc((size_t)n_tenants, sizeof *tenants);
    CURL *h = curl_easy_init();
    for (int i = 0; i < n_tenants; i++)
        if (!tenant_setup(h, &tenants[i], hook_port)) return 1;
    printf("soak: %d s, %d connections, %d tenants, webhooks to 127.0.0.1:%d (30 %% fail)\n",
           duration, connections, n_tenants, hook_port);

    pthread_t *threads = calloc((size_t)connections, sizeof *threads);
    for (int i = 0; i < connections; i++)
        pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    long *rss = calloc((size_t)duration + 1, sizeof *rss);
    rss[0] = rss_kb();
    int step = duration >= 20 ? duration / 10 : 1;
    printf("soak: t=%4ds  requests %9ld  RSS %7ld kB\n", 0, 0L, rss[0]);
    for (int s = 1; s <= duration; s++) {
        sleep(1);
        if (s == duration * 2 / 5) atomic_store(&writes_allowed, false);
        rss[s] = rss_kb();
        if (s % step == 0 || s == duration)
            printf("soak: t=%4ds  requests %9ld  RSS %7ld kB\n", s, atomic_load(&requests), rss[s]);
        fflush(stdout);
    }
    atomic_store(&stop, true);
    for (int i = 0; i < connections; i++) pthread_join(threads[i], NULL);
    long load_requests = atomic_load(&requests);
    long load_5xx = atomic_load(&status_5xx), load_fail = atomic_load(&transport_failures);

    long chains = 0;
    for (int i = 0; i < n_tenants; i++) check_tenant(h, &tenants[i], &chains);
    long half = rss[duration / 2], end = rss[duration];
    long allowed = half / 10 > 16384 ? half / 10 : 16384;
    printf("soak: %ld requests (%.0f/s), %ld 5xx, %ld transport failures, %ld 429, %ld webhook "
           "deliveries received; RSS start %ld kB, middle %ld kB, end %ld kB\n",
           load_requests, (double)load_requests / duration, load_5xx, load_fail,
           atomic_load(&status_429), atomic_load(&hooks_received), rss[0], half, end);
    printf("soak: %ld chains verified over %d tenants\n", chains, n_tenants);
    if (load_5xx || atomic_load(&status_5xx) > load_5xx) failed("%ld answers were 5xx", atomic_load(&status_5xx));
    if (load_fail) failed("%ld requests got no answer", load_fail);
    if (rss_check && end - half > allowed)
        failed("resident memory still grows: %ld kB at the middle, %ld kB at the end "
               "(allowed +%ld kB once caps are reached)", half, end, allowed);
    curl_easy_cleanup(h);
    mg_stop(receivers);
    for (int i = 0; i < n_tenants; i++) {
        free(tenants[i].agents);
        free(tenants[i].txs);
    }
    free(tenants);
    free(threads);
    free(rss);
    curl_global_cleanup();
    if (failures) return 1;
    printf("soak: all invariants hold\n");
    return 0;
}
