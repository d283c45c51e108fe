/* The report names SDK bugs: a small SDK (one libcurl handle, so one keep-alive connection,
 * like a real SDK's session) runs one workload against its own org, once correct and once
 * with each deliberate bug.  Each bug must be named by its check, and only by it; the correct
 * SDK, four threads on one key under real 429s, must draw no violation at all. */
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

enum bug {
    BUG_NONE = 0,
    BUG_IGNORE_RETRY_AFTER,   /* retries a 429 at once */
    BUG_SENDS_WHILE_LIMITED,  /* after a 429, sends its next call at once */
    BUG_NEW_IDEMPOTENCY_KEY,  /* a new Idempotency-Key on each attempt */
    BUG_NO_IDEMPOTENCY_KEY,   /* POSTs without one */
    BUG_RETRIES_4XX,          /* retries a 404 */
    BUG_RETRIES_SUCCESS,      /* sends a POST that succeeded again */
    BUG_SHORT_TIMEOUT,        /* gives up after 200 ms */
    BUG_KEY_IN_QUERY,         /* the key in the query string too */
    BUG_PAGE_PAST_END,        /* walks pages until one comes back empty */
    BUG_PAGINATION_LOOP,      /* asks the first page twice */
    BUG_UNKNOWN_FIELD,        /* a field the API does not have */
    BUG_WRONG_TYPE,           /* a number sent as a string */
    BUG_NO_USER_AGENT,        /* no User-Agent */
    BUGS
};

static const char *const expected_check[BUGS] = {
    [BUG_IGNORE_RETRY_AFTER] = "retry_before_retry_after",
    [BUG_SENDS_WHILE_LIMITED] = "request_while_rate_limited",
    [BUG_NEW_IDEMPOTENCY_KEY] = "post_retry_with_new_idempotency_key",
    [BUG_NO_IDEMPOTENCY_KEY] = "post_retry_without_idempotency_key",
    [BUG_RETRIES_4XX] = "retry_of_non_retryable_status",
    [BUG_RETRIES_SUCCESS] = "retry_of_successful_request",
    [BUG_SHORT_TIMEOUT] = "request_abandoned_by_client",
    [BUG_KEY_IN_QUERY] = "credentials_in_query",
    [BUG_PAGE_PAST_END] = "page_beyond_last",
    [BUG_PAGINATION_LOOP] = "pagination_loop",
    [BUG_UNKNOWN_FIELD] = "unknown_field",
    [BUG_WRONG_TYPE] = "wrong_type",
    [BUG_NO_USER_AGENT] = "missing_user_agent",
};

struct sdk {
    CURL *curl;
    const char *key;
    enum bug bug;
    int n;            /* requests made, for unique idempotency keys */
    char error[160];  /* the workload's first unexpected answer; "" = none */
};

/* The workload also runs on threads, where Criterion's assertions must not be used (their
 * events share one pipe): it records the first surprise and stops; the test asserts on it. */
#define EXPECT(s, cond, ...)                                                                   \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            snprintf((s)->error, sizeof (s)->error, __VA_ARGS__);                              \
            cJSON_Delete(a.json);                                                              \
            return;                                                                            \
        }                                                                                      \
    } while (0)

static const char *str_of(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

struct answer {
    long status; /* 0: no answer (dropped, timed out) */
    long retry_after;
    cJSON *json;
};

static size_t on_body(char *data, size_t size, size_t n, void *userp) {
    char **buf = userp;
    size_t old = *buf ? strlen(*buf) : 0, add = size * n;
    char *nb = realloc(*buf, old + add + 1);
    if (!nb) return 0;
    memcpy(nb + old, data, add);
    nb[old + add] = '\0';
    *buf = nb;
    return add;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One attempt. */
static void attempt(struct sdk *s, const char *method, const char *path, const char *body,
                    const char *idem, struct answer *out) {
    char url[1024], line[256];
    snprintf(url, sizeof url, "%s%s", target_base_url(), path);
    if (s->bug == BUG_KEY_IN_QUERY && !strcmp(method, "GET"))
        snprintf(url + strlen(url), sizeof url - strlen(url), "%sapi_key=%s", strchr(path, '?') ? "&" : "?", s->key);
    CURL *c = s->curl;
    curl_easy_reset(c);
    char *text = NULL;
    struct curl_slist *h = NULL;
    snprintf(line, sizeof line, "Authorization: Bearer %s", s->key);
    h = curl_slist_append(h, line);
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    if (idem) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", idem);
        h = curl_slist_append(h, line);
    }
    if (s->bug == BUG_NO_USER_AGENT) h = curl_slist_append(h, "User-Agent:");
    else curl_easy_setopt(c, CURLOPT_USERAGENT, "variant-sdk/1.0");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->bug == BUG_SHORT_TIMEOUT ? 200L : 30000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &text);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    out->status = 0;
    out->retry_after = 0;
    out->json = NULL;
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        curl_off_t ra = 0;
        curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
        out->retry_after = (long)ra;
        out->json = text ? cJSON_Parse(text) : NULL;
    }
    free(text);
    curl_slist_free_all(h);
}

static bool retryable(long status) { return status == 0 || status == 429 || status >= 500; }

/* A call with the SDK's retry policy (at most 8 attempts).  Correct: the same Idempotency-Key
 * on every attempt of a POST, Retry-After honoured, 4xx never retried. */
static struct answer call(struct sdk *s, const char *method, const char *path, const char *body) {
    char idem[64] = "";
    bool post = !strcmp(method, "POST");
    struct answer a = {0};
    for (int i = 0; i < 8; i++) {
        if (post && (i == 0 || s->bug == BUG_NEW_IDEMPOTENCY_KEY))
            snprintf(idem, sizeof idem, "variant-%p-%d-%d", (void *)s, s->n, i);
        s->n++;
        cJSON_Delete(a.json);
        attempt(s, method, path, body, post && s->bug != BUG_NO_IDEMPOTENCY_KEY ? idem : NULL, &a);
        if (a.status == 404 && s->bug == BUG_RETRIES_4XX && i == 0) continue;
        if (!retryable(a.status)) break;
        if (a.status == 429 && s->bug == BUG_SENDS_WHILE_LIMITED) {
            struct answer other;
            attempt(s, "GET", "/agents?limit=1", NULL, NULL, &other); /* "is it still there?" */
            cJSON_Delete(other.json);
        }
        if (a.status == 429 && s->bug != BUG_IGNORE_RETRY_AFTER) sleep_ms(a.retry_after * 1000);
        else sleep_ms(50L << i); /* backoff */
    }
    if (s->bug == BUG_RETRIES_SUCCESS && post && a.status / 100 == 2) {
        struct answer again;
        attempt(s, method, path, body, idem, &again); /* "did it really go through?" */
        cJSON_Delete(again.json);
    }
    return a;
}

/* The workload: register agents (the org's faults put a 429, a 503 and a drop in the way),
 * look one up that does not exist, walk the list, read and update one. */
static void workload(struct sdk *s, const char *tag, int agents) {
    char first[64] = "";
    for (int i = 0; i < agents; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\": \"Variant %s %d\", \"authorized_actions\": [\"execute_trades\"], "
                 "\"spending_limit\": 100%s}", tag, i, s->bug == BUG_UNKNOWN_FIELD ? ", \"colour\": \"red\"" : "");
        struct answer a = call(s, "POST", "/agents", body);
        EXPECT(s, a.status == 201, "register: HTTP %ld", a.status);
        if (!first[0]) snprintf(first, sizeof first, "%s", str_of(a.json, "id"));
        cJSON_Delete(a.json);
    }
    struct answer a = call(s, "GET", "/agents/agent_doesnotexist00", NULL);
    EXPECT(s, a.status == 404, "missing agent: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    /* the list, 2 a page: the last page is where total_pages says (fmt() is not for threads) */
    char path[160];
    long page = 1, pages = 1;
    bool looped = false;
    do {
        snprintf(path, sizeof path, "/agents?limit=2&page=%ld", page);
        a = call(s, "GET", path, NULL);
        EXPECT(s, a.status == 200, "list: HTTP %ld", a.status);
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a.json, "pagination"), "total_pages");
        EXPECT(s, cJSON_IsNumber(tp), "list: no pagination.total_pages");
        pages = (long)tp->valuedouble;
        bool empty = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a.json, "data")) == 0;
        cJSON_Delete(a.json);
        if (s->bug == BUG_PAGINATION_LOOP && !looped) {
            looped = true; /* forgets to advance, once */
            continue;
        }
        if (s->bug == BUG_PAGE_PAST_END) {
            if (empty) break;
        } else if (page >= pages) {
            break;
        }
        page++;
    } while (page < 50);
    snprintf(path, sizeof path, "/agents/%s", first);
    a = call(s, "GET", path, NULL);
    EXPECT(s, a.status == 200, "get: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    a = call(s, "PATCH", path,
             s->bug == BUG_WRONG_TYPE ? "{\"spending_limit\": \"250\"}" : "{\"spending_limit\": 250}");
    EXPECT(s, a.status == (s->bug == BUG_WRONG_TYPE ? 422 : 200), "patch: HTTP %ld", a.status);
    cJSON_Delete(a.json);
}

/* The org's hard cases: a 429 (Retry-After 2), then a 503, then a dropped connection on the
 * first registration; 600 ms of latency on the first read of one agent. */
static void hard_cases(const struct tenant *t) {
    fault_add(fmt("{\"action\": \"rate_limit\", \"retry_after\": 2, \"method\": \"POST\", "
                  "\"path_prefix\": \"/agents\", \"count\": 1, \"org_id\": \"%s\"}", t->org_id));
    fault_add(fmt("{\"action\": \"error\", \"status\": 503, \"method\": \"POST\", "
                  "\"path_prefix\": \"/agents\", \"count\": 1, \"org_id\": \"%s\"}", t->org_id));
    fault_add(fmt("{\"action\": \"reset\", \"method\": \"POST\", \"path_prefix\": \"/agents\", "
                  "\"count\": 1, \"org_id\": \"%s\"}", t->org_id));
    fault_add(fmt("{\"action\": \"latency\", \"latency_ms\": 600, \"method\": \"GET\", "
                  "\"path_prefix\": \"/agents/agent_\", \"count\": 1, \"org_id\": \"%s\"}", t->org_id));
}

static cJSON *run_variant(enum bug bug, struct tenant *t) {
    tenant_new(t);
    hard_cases(t);
    struct sdk s = {.curl = curl_easy_init(), .key = t->key[KEY_WRITE], .bug = bug};
    cr_assert(s.curl);
    workload(&s, t->tag, 3);
    curl_easy_cleanup(s.curl);
    cr_assert_str_empty(s.error, "bug %d: %s", bug, s.error);
    sleep_ms(700); /* an abandoned request is recorded when the server is done with it */
    return report_of(t);
}

static char *violations_text(const cJSON *rep) {
    return cJSON_PrintUnformatted(jobj(rep, "violations"));
}

Test(sdk_variants, each_bug_is_named_by_its_check_and_only_by_it, .timeout = 240) {
    require_mock();
    for (int bug = 1; bug < BUGS; bug++) {
        struct tenant t;
        cJSON *rep = run_variant((enum bug)bug, &t);
        char *text = violations_text(rep);
        const cJSON *kinds = jobj(jobj(rep, "violations"), "by_kind"), *k;
        cr_expect(violations_of_kind(rep, expected_check[bug]) >= 1, "bug %d not named by %s: %s",
                  bug, expected_check[bug], text);
        cJSON_ArrayForEach(k, kinds) {
            if (strcmp(k->string, expected_check[bug]) != 0)
                cr_expect_eq(k->valuedouble, 0, "bug %d (%s) also drew %s: %s", bug,
                             expected_check[bug], k->string, text);
        }
        free(text);
        cJSON_Delete(rep);
    }
}

Test(sdk_variants, the_correct_sdk_draws_no_violation, .timeout = 60) {
    require_mock();
    struct tenant t;
    cJSON *rep = run_variant(BUG_NONE, &t);
    char *text = violations_text(rep);
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), 0, "false positives: %s", text);
    cr_assert(coverage_count(rep, "POST", "/agents", "429") == 1 &&
                  coverage_count(rep, "POST", "/agents", "503") == 1 &&
                  coverage_count(rep, "POST", "/agents", "dropped") == 1,
              "the workload met its hard cases");
    free(text);
    cJSON_Delete(rep);
}

struct thread_arg {
    const struct tenant *t;
    int index;
    char error[160]; /* the thread's workload surprise, asserted on by the test */
};

static void *correct_thread(void *p) {
    struct thread_arg *arg = p;
    struct sdk s = {.curl = curl_easy_init(), .key = arg->t->key[KEY_WRITE]};
    char tag[40];
    snprintf(tag, sizeof tag, "%s-%d", arg->t->tag, arg->index);
    workload(&s, tag, 3);
    curl_easy_cleanup(s.curl);
    memcpy(arg->error, s.error, sizeof arg->error);
    return NULL;
}

/* Four threads, one key, a limit they all run into: each thread meets 429s the others caused
 * (and requests of other threads land inside its windows); none of it is a violation. */
Test(sdk_variants, the_correct_sdk_on_four_threads_under_real_429s_is_clean, .timeout = 120) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    cJSON_Delete(org_patch(&t, "{\"rate_limit\": 8, \"rate_window_seconds\": 2}"));
    hard_cases(&t);
    pthread_t th[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){.t = &t, .index = i};
        cr_assert_eq(pthread_create(&th[i], NULL, correct_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) cr_assert_str_empty(args[i].error, "thread %d: %s", i, args[i].error);
    cJSON *rep = report_of(&t);
    char *text = violations_text(rep);
    cr_assert(coverage_count(rep, "GET", "/agents", "429") + coverage_count(rep, "POST", "/agents", "429") +
                      coverage_count(rep, "GET", "/agents/{id}", "429") >= 3,
              "the threads ran into the limit");
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), 0, "false positives: %s", text);
    free(text);
    cJSON_Delete(rep);
}
