#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "concurrently.h"
#include "sandbox/faults.h"

static cJSON *rule(const char *json) {
    cJSON *body = cJSON_Parse(json);
    struct field_errors fe = {0};
    cJSON *f = faults_add(body, 0, &fe);
    cr_assert(f && !field_errors_any(&fe), "rule %s refused", json);
    cJSON_Delete(body);
    return f;
}

/* Runs one request through the fault step; returns the status it rendered (0: went on). */
static int apply(const char *method, const char *path, int *latency) {
    struct req r = {.method = method, .path = path, .api = API_ALSORN};
    bool go_on = faults_apply(&r, "rate_limit_exceeded");
    int status = go_on ? 0 : r.reply.status;
    if (latency) *latency = r.sandbox.latency_ms;
    reply_body_free(&r.reply);
    return status;
}

Test(faults, first_terminal_rule_decides_and_latencies_add_up) {
    faults_clear(NULL);
    cJSON_Delete(rule("{\"action\": \"latency\", \"latency_ms\": 5}"));
    cJSON_Delete(rule("{\"action\": \"latency\", \"latency_ms\": 7, \"method\": \"GET\"}"));
    cJSON_Delete(rule("{\"action\": \"error\", \"status\": 502, \"path_prefix\": \"/agents\"}"));
    cJSON_Delete(rule("{\"action\": \"error\", \"status\": 500}"));
    int latency;
    cr_assert_eq(apply("GET", "/agents/x", &latency), 502);
    cr_assert_eq(latency, 12);
    cr_assert_eq(apply("POST", "/trust/query", &latency), 500);
    cr_assert_eq(latency, 5);
    faults_clear(NULL);
    cr_assert_eq(apply("GET", "/agents", &latency), 0);
    cr_assert_eq(latency, 0);
}

static long fire_many(long index) {
    (void)index;
    long fired = 0;
    for (int n = 0; n < 500; n++)
        if (apply("GET", "/agents", NULL) == 503) fired++;
    return fired;
}

Test(faults, count_is_exact_under_concurrency) {
    faults_clear(NULL);
    cJSON *f = rule("{\"action\": \"error\", \"count\": 100}");
    long total = concurrently(8, fire_many);
    cr_assert_eq(total, 100, "a rule with count 100 fired %ld times", total);
    cJSON *list = faults_list_json(0);
    cJSON *listed = cJSON_GetArrayItem(cJSON_GetObjectItem(list, "data"), 0);
    cr_assert_eq(cJSON_GetObjectItem(listed, "fired")->valueint, 100);
    cr_assert_eq(cJSON_GetObjectItem(listed, "remaining")->valueint, 0);
    cr_assert_eq(faults_remove(cJSON_GetObjectItem(f, "id")->valuestring), 0);
    cr_assert_eq(faults_remove("flt_gone"), -1);
    cJSON_Delete(list);
    cJSON_Delete(f);
}

/* Every 429 carries Retry-After (alsorn.md §8, alter.md §8; the OpenAPI documents require it),
 * also one injected as a plain error status. */
Test(faults, an_injected_429_error_carries_retry_after) {
    faults_clear(NULL);
    cJSON_Delete(rule("{\"action\": \"error\", \"status\": 429}"));
    struct req r = {.method = "GET", .path = "/agents", .api = API_ALSORN};
    cr_assert_not(faults_apply(&r, "rate_limit_exceeded"));
    cr_assert_eq(r.reply.status, 429);
    cr_assert(strstr(r.reply.headers, "Retry-After: 1\r\n"), "headers: %s", r.reply.headers);
    cr_assert_eq(r.sandbox.retry_after, 1);
    reply_body_free(&r.reply);
    faults_clear(NULL);
}
