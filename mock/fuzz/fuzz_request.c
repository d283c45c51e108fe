/* The whole request path in-process: method, path, query, headers and body go through the
 * dispatcher (match, authenticate, rate limit, faults, idempotency, body parse) to every
 * handler, against the seeded fixtures.
 *
 * An input is up to MAX_REQUESTS requests separated by a line "@@@" (so a corpus entry can
 * create an object and then use it: ids are deterministic under random_seed).  Every input
 * starts from the same state: the store is emptied and the fixtures' organizations seeded again
 * (from seed.json parsed once), the clock and seed are fixed, faults, journal and rate counters
 * are cleared.
 *
 * Besides ASan/UBSan reports, a reply the mock writes is checked as a client depends on it:
 * a status line; a JSON body that is valid UTF-8 and parses; an error in the API's envelope;
 * no 500 unless a fault injected it.  FUZZ_TRACE=1 prints every reply (writing seeds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "alter/approval.h"
#include "alter/proxy_allow.h"
#include "alter/proxy_call.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/http.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/random.h"
#include "dispatch.h"
#include "core/validate.h"
#include "delivery/allowlist.h"
#include "fake_connection.h"
#include "sandbox/faults.h"
#include "sandbox/fixtures.h"
#include "sandbox/journal.h"
#include "sandbox/rate_limit.h"
#include "sandbox/report.h"
#include "sandbox/sessions.h"
#include "store/store.h"
#include "tenant_parts.h"

#define MAX_REQUESTS 8
#define SEPARATOR "\n@@@\n"
#define FIXED_NOW 1767225600 /* 2026-01-01T00:00:00Z */

/* The dispatcher's fault step, wrapped: a rule's injected latency (up to a minute) would
 * only make the fuzzer slow, so it is recorded and skipped; every other action runs. */
bool __real_faults_apply(struct req *r, const char *rate_limit_code);
static bool fault_fired;
bool __wrap_faults_apply(struct req *r, const char *rate_limit_code) {
    bool go_on = __real_faults_apply(r, rate_limit_code);
    if (r->sandbox.fault) fault_fired = true;
    r->sandbox.latency_ms = 0;
    return go_on;
}

static cJSON *seed; /* FIXTURES_DIR/seed.json */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    json_alloc_install();
    log_set_level(LOG_ERROR);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char err[256];
    if (allowlist_configure(NULL, err, sizeof err) != 0 ||
        proxy_allow_set(PROXY_ALLOW_DEFAULT, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        abort();
    }
    proxy_timeout_ms = 200; /* an upstream on loopback answers or refuses at once */
    store_init(&tenant_parts);
    journal_init(64);
    router_max_body = 1 << 20;
    router_init();
    /* read and parsed once: reading the files for every input took most of its time */
    if (fixtures_load_trust_model(FIXTURES_DIR, err, sizeof err) != 0 ||
        !(seed = file_read_json(FIXTURES_DIR "/seed.json", err, sizeof err))) {
        fprintf(stderr, "fuzz_request: fixtures: %s\n", err);
        abort();
    }
    return 0;
}

/* Everything an input can leave behind, cleared after each input: what an input allocates is
 * freed within it, so libFuzzer sees balanced mallocs and frees and only runs its (costly)
 * leak check when something really leaked. */
static void clear_state(void) {
    store_clear();
    faults_clear(NULL);
    journal_clear();
    rate_limit_forget(NULL);
    report_clear(report_unauthenticated());
    sessions_clear();
}

static void seed_state(void) {
    clock_set(FIXED_NOW);
    random_seed(1);
    char err[256];
    cJSON *banner = fixtures_seed(seed, err, sizeof err);
    if (!banner) {
        fprintf(stderr, "fuzz_request: fixtures: %s\n", err);
        abort();
    }
    cJSON_Delete(banner);
}

/* FUZZ_SKIP_CHECKS=name,...: leaves out checks (utf8, json, envelope, 500) for a long run
 * while a defect they find is being fixed elsewhere; scripts/test never sets it. */
static bool skipped(const char *check) {
    const char *list = getenv("FUZZ_SKIP_CHECKS");
    size_t n = strlen(check);
    for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
        if (strncmp(p, check, n) == 0 && (p[n] == ',' || p[n] == '\0')) return true;
    }
    return false;
}

static void fail(const struct fake_connection *c, const char *why) {
    fprintf(stderr, "fuzz_request: %s %s: %s\n--- reply ---\n%.*s\n", c->method, c->uri, why,
            (int)(c->out_len > 2000 ? 2000 : c->out_len), c->out ? c->out : "");
    abort();
}

static const char *header_value(const char *head, size_t head_len, const char *name) {
    size_t n = strlen(name);
    for (const char *p = head; p && p < head + head_len;) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') return p + n + 1;
        p = strstr(p, "\r\n");
        if (p) p += 2;
    }
    return NULL;
}

/* What a client of the mock depends on in one reply. */
static void check_reply(const struct fake_connection *c) {
    if (c->out_len == 0) return; /* a dropped connection (fault "reset") */
    int status = 0;
    if (sscanf(c->out, "HTTP/1.1 %3d ", &status) != 1 || status < 100 || status > 599)
        fail(c, "no status line");
    const char *blank = strstr(c->out, "\r\n\r\n");
    if (!blank) fail(c, "no end of the head");
    size_t head_len = (size_t)(blank - c->out);
    if (status == 500 && !fault_fired && !skipped("500")) fail(c, "500 without an injected fault");
    /* a reply that says the connection ends must end it: bytes after it are no request */
    if (header_value(c->out, head_len, "Connection") && !c->keep_alive_disabled &&
        !skipped("close"))
        fail(c, "Connection: close said, and the connection kept");
    const char *ct = header_value(c->out, head_len, "Content-Type");
    if (header_value(c->out, head_len, "Transfer-Encoding") || strcmp(c->method, "HEAD") == 0 ||
        !ct || strncmp(ct, " application/json", 17) != 0)
        return; /* streamed (NDJSON exports) or no body to check */
    const char *body = blank + 4;
    size_t body_len = c->out_len - (size_t)(body - c->out);
    if (!utf8_valid(body, body_len) && !skipped("utf8")) fail(c, "reply body is not valid UTF-8");
    cJSON *json = cJSON_ParseWithLength(body, body_len);
    if (!json && !skipped("json")) fail(c, "reply body is not JSON");
    if (status >= 400) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "error");
        bool alter_shape = cJSON_IsString(e) && cJSON_IsString(cJSON_GetObjectItem(json, "message"));
        bool alsorn_shape = cJSON_IsString(cJSON_GetObjectItem(e, "code")) &&
                            cJSON_IsString(cJSON_GetObjectItem(e, "message"));
        /* "//sdk/x" reaches an Alter route (empty segments are skipped) but is no Alter path
         * for a 404: either envelope will do for a path that does not start plainly */
        char *decoded;
        const char *path = request_path(c->uri, &decoded); /* the path the router saw */
        bool plain = path[0] == '/' && path[1] != '/';
        bool ok = !plain ? alter_shape || alsorn_shape
                         : api_of_path(path) == API_ALTER ? alter_shape : alsorn_shape;
        free(decoded);
        if (!ok && !skipped("envelope")) {
            cJSON_Delete(json);
            fail(c, "error reply outside the API's envelope");
        }
    }
    cJSON_Delete(json);
}

static void serve(const char *text, size_t len) {
    struct fake_connection c;
    if (!fake_connection_parse(&c, text, len)) return;
    fault_fired = false;
    router_handle((struct mg_connection *)&c, NULL);
    /* FUZZ_TRACE=1: every reply on stderr, to write seeds that use what earlier ones made */
    if (getenv("FUZZ_TRACE"))
        fprintf(stderr, ">>> %s %s\n%.*s\n", c.method, c.uri, (int)c.out_len, c.out ? c.out : "");
    check_reply(&c);
    fake_connection_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seed_state(); /* onto the empty state the previous input left (or the start) */
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < MAX_REQUESTS && p < end; i++) {
        const char *sep = memmem(p, (size_t)(end - p), SEPARATOR, strlen(SEPARATOR));
        const char *stop = sep ? sep : end;
        serve(p, (size_t)(stop - p));
        p = sep ? sep + strlen(SEPARATOR) : end;
    }
    alter_approval_executions_wait(); /* approved calls run on their own threads */
    clear_state();
    json_cache_release();
    return 0;
}
