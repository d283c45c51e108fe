#include "sandbox/webhook_probe.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/random.h"
#include "delivery/request.h"

#define PADDING 40000
#define STALE_SECONDS 3600

/* Key order, spacing and escapes as no serializer writes them by default: a receiver that
 * parses and re-serializes before checking the signature gets other bytes. */
static char *awkward_body(const char *event_id, int64_t now, size_t *len) {
    char created[RFC3339_LEN];
    clock_format(now, created);
    size_t cap = PADDING + 1024;
    char *b = malloc(cap);
    if (!b) return NULL;
    int n = snprintf(b, cap,
                     "{\"id\": \"%s\",  \"event\":\"webhook.test\", \"created\": \"%s\", "
                     "\"api_version\": \"2026-01\", \"data\": {\"z_last_first\": true, "
                     "\"name\": \"Z\u00fcrich \\u2014 \u6771\u4eac \\ud83d\\ude80 caf\\u00e9\", "
                     "\"amount\": 10.50, \"nested\": {\"a\": {\"b\": {\"c\": [1, 2.0, {\"d\": \"\u00e9\\n\"}]}}}, "
                     "\"padding\": \"",
                     event_id, created);
    memset(b + n, 'x', PADDING);
    n += PADDING;
    n += snprintf(b + n, cap - (size_t)n, "\"}}");
    *len = (size_t)n;
    return b;
}

struct probe_case {
    const char *name;
    bool expect_accept, advisory;
    const char *if_accepted, *if_rejected;
};

static const struct probe_case cases[] = {
    {"valid_awkward_body", true, false, "verifies the raw body",
     "rejected a valid delivery: it verifies a re-serialized body, or cannot take non-ASCII, "
     "nested or large bodies"},
    {"bad_signature", false, false, "accepted a bad signature: it is not verifying signatures",
     "verifies signatures"},
    {"stale_timestamp", false, true,
     "accepted an hour-old X-Alsorn-Timestamp (advisory: the contract signs only the body, so "
     "the timestamp cannot be trusted anyway)", "rejects stale timestamps"},
    {"replay", false, true,
     "accepted the same event id again (advisory: a retry looks the same; do not process an "
     "event id twice)", "rejects an event id it has seen"},
};

cJSON *webhook_probe_run(const char *url, const char *secret, int64_t now, long timeout_ms) {
    char event_id[40];
    random_object_id(event_id, sizeof event_id, "evt_");
    size_t len = 0;
    char *body = awkward_body(event_id, now, &len);
    if (!body) return NULL;
    size_t wrong_len = strlen(secret) + 8;
    char *wrong = malloc(wrong_len);
    if (!wrong) {
        free(body);
        return NULL;
    }
    snprintf(wrong, wrong_len, "%s-wrong", secret);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddStringToObject(o, "event_id", event_id);
    cJSON *results = cJSON_AddArrayToObject(o, "results");
    bool passed = true;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct probe_case *c = &cases[i];
        struct delivery_message m = {.url = url, .secret = i == 1 ? wrong : secret,
                                     .event = "webhook.test", .body = body, .body_len = len,
                                     .timestamp = i == 2 ? now - STALE_SECONDS : now,
                                     .timeout_ms = timeout_ms};
        char delivery_id[WEBHOOK_UUID_LEN];
        struct delivery_result res;
        delivery_send_now(&m, delivery_id, &res);
        bool accepted = res.success;
        bool ok = accepted == c->expect_accept;
        if (!ok && !c->advisory) passed = false;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "case", c->name);
        cJSON_AddStringToObject(x, "delivery_id", delivery_id);
        cJSON_AddStringToObject(x, "expected", c->expect_accept ? "accept" : "reject");
        cJSON_AddBoolToObject(x, "advisory", c->advisory);
        if (res.status_code) cJSON_AddNumberToObject(x, "status_code", res.status_code);
        else cJSON_AddNullToObject(x, "status_code");
        if (res.error[0] && !res.status_code) cJSON_AddStringToObject(x, "error", res.error);
        cJSON_AddBoolToObject(x, "accepted", accepted);
        cJSON_AddBoolToObject(x, "ok", ok);
        cJSON_AddStringToObject(x, "meaning", accepted ? c->if_accepted : c->if_rejected);
        cJSON_AddItemToArray(results, x);
    }
    cJSON_AddBoolToObject(o, "passed", passed);
    free(wrong);
    free(body);
    return o;
}
