/* The small SDK with deliberate bugs; see sdk_variant.h. */
#include "sdk_variant.h"
#include "sandbox.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const sdk_expected_check[BUGS] = {
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
    [BUG_NO_RETRY] = "transient_error_not_retried",
};

const char *sdk_str(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

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
    snprintf(url, sizeof url, "%s%s", s->base, path);
    if (s->bug == BUG_KEY_IN_QUERY && !strcmp(method, "GET"))
        snprintf(url + strlen(url), sizeof url - strlen(url), "%sapi_key=%s", strchr(path, '?') ? "&" : "?", s->key);
    CURL *c = s->curl;
    curl_easy_reset(c);
    char *text = NULL;
    struct curl_slist *h = NULL;
    snprintf(line, sizeof line, "%s%s", s->auth, s->key);
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

/* Correct: the same Idempotency-Key on every attempt of a POST, Retry-After honoured, 4xx
 * never retried. */
struct answer sdk_call(struct sdk *s, const char *method, const char *path, const char *body) {
    char idem[64] = "";
    bool post = !strcmp(method, "POST");
    struct answer a = {0};
    for (int i = 0; i < 8; i++) {
        if (post && (i == 0 || s->bug == BUG_NEW_IDEMPOTENCY_KEY))
            snprintf(idem, sizeof idem, "variant-%p-%d-%d", (void *)s, s->n, i);
        s->n++;
        cJSON_Delete(a.json);
        attempt(s, method, path, body, post && s->bug != BUG_NO_IDEMPOTENCY_KEY ? idem : NULL, &a);
        if (s->bug == BUG_NO_RETRY) break;
        if (a.status == 404 && s->bug == BUG_RETRIES_4XX && i == 0) continue;
        if (!retryable(a.status)) break;
        if (a.status == 429 && s->bug == BUG_SENDS_WHILE_LIMITED) {
            struct answer other;
            attempt(s, "GET", s->probe_path, NULL, NULL, &other); /* "is it still there?" */
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

bool sdk_gave_up(const struct sdk *s, const struct answer *a) {
    return s->bug == BUG_NO_RETRY && retryable(a->status);
}

void sdk_hard_cases(const struct sdk_api *api, struct tenant *t, enum bug bug) {
    const char *post = api->post_prefix, *org = t->org_id;
    cJSON_Delete(mock_call("POST", "/_mock/sequences",
                           fmt("{\"method\": \"PATCH\", \"path_prefix\": \"%s\", \"org_id\": \"%s\", "
                               "\"key\": \"%s\", \"retry_within_ms\": 300, \"steps\": [{\"action\": "
                               "\"error\", \"status\": 503}, {\"action\": \"pass\"}]}",
                               api->patch_prefix, org, api->sdk_for(t, BUG_NONE).key), 201));
    if (bug == BUG_NO_RETRY) return;
    fault_add(fmt("{\"action\": \"rate_limit\", \"retry_after\": 2, \"method\": \"POST\", "
                  "\"path_prefix\": \"%s\", \"count\": 1, \"org_id\": \"%s\"}", post, org));
    fault_add(fmt("{\"action\": \"error\", \"status\": 503, \"method\": \"POST\", "
                  "\"path_prefix\": \"%s\", \"count\": 1, \"org_id\": \"%s\"}", post, org));
    fault_add(fmt("{\"action\": \"reset\", \"method\": \"POST\", \"path_prefix\": \"%s\", "
                  "\"count\": 1, \"org_id\": \"%s\"}", post, org));
    fault_add(fmt("{\"action\": \"latency\", \"latency_ms\": 600, \"method\": \"GET\", "
                  "\"path_prefix\": \"%s\", \"count\": 1, \"org_id\": \"%s\"}", api->slow_get_prefix, org));
}

/* Runs the workload once with s's settings on a fresh handle (the test fails on the workload's
 * surprise), waits until an abandoned request is recorded, and returns t's report. */
static cJSON *run(struct sdk s, sdk_workload w, const struct tenant *t) {
    s.curl = curl_easy_init();
    cr_assert(s.curl);
    w(&s, t->tag);
    curl_easy_cleanup(s.curl);
    cr_assert_str_empty(s.error, "bug %d: %s", s.bug, s.error);
    sleep_ms(700); /* an abandoned request is recorded when the server is done with it */
    return report_of(t);
}

struct thread_arg {
    struct sdk sdk;
    sdk_workload workload;
    char tag[40];
};

static void *correct_thread(void *p) {
    struct thread_arg *arg = p;
    arg->sdk.curl = curl_easy_init();
    if (!arg->sdk.curl) {
        snprintf(arg->sdk.error, sizeof arg->sdk.error, "curl_easy_init failed");
        return NULL;
    }
    arg->workload(&arg->sdk, arg->tag);
    curl_easy_cleanup(arg->sdk.curl);
    return NULL;
}

void sdk_run_threads(int n, const struct sdk_api *api, struct tenant *t) {
    pthread_t th[8];
    struct thread_arg args[8];
    cr_assert(n > 0 && n <= 8);
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){.sdk = api->sdk_for(t, BUG_NONE), .workload = api->workload};
        snprintf(args[i].tag, sizeof args[i].tag, "%s-%d", t->tag, i);
        cr_assert_eq(pthread_create(&th[i], NULL, correct_thread, &args[i]), 0);
    }
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < n; i++)
        cr_assert_str_empty(args[i].sdk.error, "thread %d: %s", i, args[i].sdk.error);
}

long sdk_answered(const cJSON *rep, const char *status) {
    long n = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, jarr(jobj(rep, "coverage"), "routes")) {
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(jobj(row, "statuses"), status);
        n += cJSON_IsNumber(count) ? (long)count->valuedouble : 0;
    }
    return n;
}

static cJSON *run_on_new_org(const struct sdk_api *api, enum bug bug, struct tenant *t) {
    tenant_new(t);
    sdk_hard_cases(api, t, bug);
    return run(api->sdk_for(t, bug), api->workload, t);
}

void sdk_check_each_bug(const struct sdk_api *api) {
    for (int bug = 1; bug < BUGS; bug++) {
        struct tenant t;
        cJSON *rep = run_on_new_org(api, (enum bug)bug, &t);
        char *text = cJSON_PrintUnformatted(jobj(rep, "violations"));
        const char *want = sdk_expected_check[bug];
        cr_expect(violations_of_kind(rep, want) >= 1, "bug %d not named by %s: %s", bug, want, text);
        const cJSON *k;
        cJSON_ArrayForEach(k, jobj(jobj(rep, "violations"), "by_kind")) {
            if (strcmp(k->string, want) != 0)
                cr_expect_eq(k->valuedouble, 0, "bug %d (%s) also drew %s: %s", bug, want, k->string, text);
        }
        free(text);
        cJSON_Delete(rep);
    }
}

cJSON *sdk_check_correct(const struct sdk_api *api, struct tenant *t) {
    cJSON *rep = run_on_new_org(api, BUG_NONE, t);
    sdk_expect_clean(rep);
    cr_expect(coverage_count(rep, "POST", api->post_route, "429") == 1 &&
                  coverage_count(rep, "POST", api->post_route, "503") == 1 &&
                  coverage_count(rep, "POST", api->post_route, "dropped") == 1,
              "the workload met its hard cases");
    cr_expect(sdk_answered(rep, "503") == 2, "the workload met the PATCH's 503 too");
    return rep;
}

void sdk_expect_clean(const cJSON *rep) {
    sdk_expect_only(rep, NULL, 0);
}

void sdk_expect_only(const cJSON *rep, const char *kind, long n) {
    char *text = cJSON_PrintUnformatted(jobj(rep, "violations"));
    cr_expect(jnum(jobj(rep, "violations"), "total") == n && (!n || violations_of_kind(rep, kind) == n),
              "expected %ld violation(s)%s%s and no other: %s", n, n ? " of " : "", n ? kind : "", text);
    free(text);
}
