/* Idempotency-Key (alsorn.md §7, ext): replay with Idempotent-Replayed, 409 for another
 * request with the key, 422 for a malformed key, per-org scope, 24 h of virtual time, and two
 * racing retries that execute once. */
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared, transactions */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static struct tenant T;

static void post_with_key(const char *path, const char *key, const char *body, struct http_resp *r) {
    const char *headers[] = {fmt("Idempotency-Key: %s", key), NULL};
    http_call_h("POST", path, T.key[KEY_WRITE], body, headers, r);
}

Test(idempotency, repeat_replays_the_first_response) {
    require_ext();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    tkey(&T, KEY_WRITE);
    char *body = agent_body(tname(&T, "Idem Replay"));
    const char *key = fmt("replay-%s", T.tag);
    struct http_resp first, again;
    post_with_key("/agents", key, body, &first);
    expect_status(&first, 201);
    cr_assert_null(resp_header(&first, "Idempotent-Replayed"), "a first execution is not a replay");
    post_with_key("/agents", key, body, &again);
    expect_status(&again, 201);
    const char *replayed = resp_header(&again, "Idempotent-Replayed");
    cr_assert(replayed && !strcmp(replayed, "true"), "repeat lacks Idempotent-Replayed: true");
    cr_assert_str_eq(again.body, first.body, "the replay is the first body, byte for byte");
    if (target_is_mock())
        cr_assert_str_eq(resp_header(&again, "X-Request-Id"), resp_header(&first, "X-Request-Id"),
                         "the mock replays the first answer's X-Request-Id with it");
    expect_rate_headers(&again, NULL, NULL, NULL);
    cr_assert_eq(agent_count(&T), 1, "the repeat must not register a second agent");
    http_resp_free(&first);
    http_resp_free(&again);
    free(body);
}

Test(idempotency, other_request_with_the_key_is_409) {
    require_ext();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    tkey(&T, KEY_WRITE);
    char *body = agent_body(tname(&T, "Idem First"));
    char *other = agent_body(tname(&T, "Idem Other"));
    const char *key = fmt("reuse-%s", T.tag);
    struct http_resp r;
    post_with_key("/agents", key, body, &r);
    expect_status(&r, 201);
    const char *id = fmt("%s", jstr(r.json, "id"));
    http_resp_free(&r);
    post_with_key("/agents", key, other, &r); /* another body */
    expect_error(&r, 409, "idempotency_key_reused");
    http_resp_free(&r);
    post_with_key(fmt("/agents/%s/suspend", id), key, NULL, &r); /* another path */
    expect_error(&r, 409, "idempotency_key_reused");
    http_resp_free(&r);
    post_with_key(fmt("/agents?x=1"), key, body, &r); /* another query */
    expect_error(&r, 409, "idempotency_key_reused");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 1, "nothing else was created");
    cJSON *a = agent_get(&T, id);
    cr_assert_str_eq(jstr(a, "status"), "active", "the 409 suspend did not run");
    cJSON_Delete(a);
    free(body);
    free(other);
}

Test(idempotency, malformed_key_is_422) {
    require_ext();
    tenant_new(&T);
    tkey(&T, KEY_WRITE);
    char *body = agent_body(tname(&T, "Idem Bad Key"));
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    /* (control characters never reach the API: the HTTP layer refuses such a header line) */
    const char *bad[] = {long_key, "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        post_with_key("/agents", bad[i], body, &r);
        expect_field_error(&r, "Idempotency-Key");
        http_resp_free(&r);
    }
    /* 255 printable characters are fine */
    long_key[255] = '\0';
    struct http_resp r;
    post_with_key("/agents", long_key, body, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 1, "only the valid key's request executed");
    free(body);
}

Test(idempotency, keys_are_scoped_per_org) {
    require_mock();
    struct tenant other;
    tenant_new(&T);
    tenant_new(&other);
    char *body = agent_body("Same Body Two Orgs");
    struct http_resp a, b;
    const char *headers[] = {"Idempotency-Key: shared-key-across-orgs", NULL};
    http_call_h("POST", "/agents", T.key[KEY_WRITE], body, headers, &a);
    http_call_h("POST", "/agents", other.key[KEY_WRITE], body, headers, &b);
    expect_status(&a, 201);
    expect_status(&b, 201);
    cr_assert_null(resp_header(&b, "Idempotent-Replayed"), "another org's key is not a replay");
    cr_assert_str_neq(jstr(a.json, "id"), jstr(b.json, "id"));
    http_resp_free(&a);
    http_resp_free(&b);
    free(body);
}

Test(idempotency, an_error_answer_is_replayed_too) {
    require_mock();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    const char *key = fmt("err-%s", T.tag);
    struct http_resp r;
    post_with_key("/agents", key, "{\"name\": \"x\"}", &r);
    expect_field_error(&r, "name");
    char *first = strdup(r.body);
    http_resp_free(&r);
    post_with_key("/agents", key, "{\"name\": \"x\"}", &r);
    expect_field_error(&r, "name");
    cr_assert_str_eq(resp_header(&r, "Idempotent-Replayed"), "true");
    cr_assert_str_eq(r.body, first);
    http_resp_free(&r);
    free(first);
}

Test(idempotency, injected_failure_is_not_stored) {
    require_mock();
    tenant_new(&T);
    fault_add(fmt("{\"action\": \"error\", \"status\": 503, \"method\": \"POST\", "
                  "\"path_prefix\": \"/agents\", \"count\": 1, \"org_id\": \"%s\"}", T.org_id));
    char *body = agent_body(tname(&T, "After 503"));
    const char *key = fmt("retry-%s", T.tag);
    struct http_resp r;
    post_with_key("/agents", key, body, &r);
    expect_error(&r, 503, "service_unavailable");
    http_resp_free(&r);
    post_with_key("/agents", key, body, &r);
    expect_status(&r, 201);
    cr_assert_null(resp_header(&r, "Idempotent-Replayed"), "the retry executes: the 503 was not stored");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 1);
    free(body);
}

Test(idempotency, keys_expire_after_24_hours_of_virtual_time, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    char *one = agent_body("Before Expiry");
    char *two = agent_body("After Expiry");
    struct http_resp r;
    post_with_key("/agents", "day-key", one, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    cJSON_Delete(mock_call("POST", "/_mock/clock", "{\"advance_seconds\": 86000}", 200));
    post_with_key("/agents", "day-key", two, &r);
    expect_error(&r, 409, "idempotency_key_reused"); /* still within 24 h */
    http_resp_free(&r);
    cJSON_Delete(mock_call("POST", "/_mock/clock", "{\"advance_seconds\": 401}", 200));
    post_with_key("/agents", "day-key", two, &r);
    expect_status(&r, 201); /* 24 h later the key is free */
    cr_assert_null(resp_header(&r, "Idempotent-Replayed"));
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 2);
    free(one);
    free(two);
    own_mock_stop();
}

/* ---- two clients racing the same key ----------------------------------------------------- */

struct racer {
    pthread_barrier_t *start;
    const char *path, *key, *body, *api_key;
    long status;
    char id[96];
    bool replayed;
};

static void *race(void *arg) {
    struct racer *w = arg;
    const char *headers[] = {w->key, NULL};
    pthread_barrier_wait(w->start);
    struct http_req req = {.method = "POST", .path = w->path, .api_key = w->api_key,
                           .body = w->body, .headers = headers};
    struct http_resp r;
    http_do(&req, &r);
    w->status = r.status;
    const cJSON *id = r.json ? cJSON_GetObjectItemCaseSensitive(r.json, "id") : NULL;
    snprintf(w->id, sizeof w->id, "%s", cJSON_IsString(id) ? id->valuestring : "");
    const char *rep = resp_header(&r, "Idempotent-Replayed");
    w->replayed = rep && !strcmp(rep, "true");
    http_resp_free(&r);
    return NULL;
}

/* Two threads POST the same body with the same key at once, `rounds` times with new keys.
 * A latency rule on the path slows the handler, so the second request arrives while the first
 * still runs and has to wait for its answer instead of finding it stored. */
static void race_rounds(const char *path, const char *(*body_of)(int round), int rounds) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fault_add(fmt("{\"action\": \"latency\", \"latency_ms\": 400, \"method\": \"POST\", "
                  "\"path_prefix\": \"%s\", \"org_id\": \"%s\"}", path, T.org_id));
    for (int round = 0; round < rounds; round++) {
        char *body = strdup(body_of(round));
        char key[96];
        snprintf(key, sizeof key, "Idempotency-Key: race-%s-%d-%s", path + 1, round, T.tag);
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, 2);
        struct racer w[2] = {{&start, path, key, body, T.key[KEY_WRITE], 0, "", false},
                             {&start, path, key, body, T.key[KEY_WRITE], 0, "", false}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, race, &w[i]);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        pthread_barrier_destroy(&start);
        for (int i = 0; i < 2; i++)
            cr_assert_eq(w[i].status, 201, "%s round %d racer %d: HTTP %ld", path, round, i, w[i].status);
        cr_assert_str_eq(w[0].id, w[1].id, "%s round %d: both racers must get the same object", path, round);
        cr_assert(w[0].replayed != w[1].replayed, "%s round %d: exactly one answer is a replay", path, round);
        free(body);
    }
}

static const char *agent_of_round(int round) { return fmt("{\"name\": \"Racer %d\", "
    "\"authorized_actions\": [\"a\"], \"spending_limit\": 5}", round); }

Test(idempotency, racing_duplicates_execute_once, .timeout = 60) {
    require_mock();
    clock_hold_shared(); /* counts within a window of virtual time */
    tenant_new(&T);
    race_rounds("/agents", agent_of_round, 3);
    cr_assert_eq(agent_count(&T), 3, "three keys, three agents: no race executed twice");
}

static const char *payer, *payee;
static const char *payment_of_round(int round) {
    return tx_body(payer, payee, fmt("%d", round + 1), "pay", "");
}

Test(idempotency, racing_transactions_execute_once, .timeout = 60) {
    require_mock();
    clock_hold_shared();
    tenant_new(&T);
    tx_pair(&T, &payer, &payee);
    char a[96], b[96]; /* copied out of fmt's rotating buffers: bodies are built per round */
    snprintf(a, sizeof a, "%s", payer);
    snprintf(b, sizeof b, "%s", payee);
    payer = a;
    payee = b;
    race_rounds("/transactions", payment_of_round, 3);
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s", a)), 3, "three keys, three transactions");
}
