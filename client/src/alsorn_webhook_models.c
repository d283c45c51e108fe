/* Decoding the webhook objects of contract §6 into the public models, and releasing them. */
#include <stdlib.h>
#include <string.h>

#include "alsorn_models.h"
#include "json_decode.h"

void webhook_clear(alsorn_webhook *w) {
    if (!w) return;
    free(w->id);
    free(w->org_id);
    free(w->url);
    free_string_array(w->events, w->event_count);
    free(w->created_at);
    free(w->updated_at);
    free(w->secret);
    memset(w, 0, sizeof *w);
}

alsorn_status webhook_decode(const cJSON *json, alsorn_webhook *out, alsorn_error *err) {
    json_decoder d = {.err = err, .object = "webhook"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->id = decode_string(&d, json, "id");
    out->org_id = decode_string(&d, json, "org_id");
    out->url = decode_string(&d, json, "url");
    out->events = decode_string_array(&d, json, "events", &out->event_count);
    out->active = decode_bool(&d, json, "active");
    out->consecutive_failures = decode_integer(&d, json, "consecutive_failures");
    out->created_at = decode_string(&d, json, "created_at");
    out->updated_at = decode_string(&d, json, "updated_at");
    out->secret = decode_string(&d, json, "secret");
    if (d.status == ALSORN_OK && !out->id) decode_fail(&d, ALSORN_ERR_DECODE, "id", "missing");
    if (d.status != ALSORN_OK) webhook_clear(out);
    return d.status;
}

void alsorn_webhook_free(alsorn_webhook *webhook) {
    webhook_clear(webhook);
    free(webhook);
}

void alsorn_webhook_list_free(alsorn_webhook_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        webhook_clear(&list->items[i]);
    free(list->items);
    free(list);
}

alsorn_status webhook_test_result_decode(const cJSON *json, alsorn_webhook_test_result *out,
                                         alsorn_error *err) {
    json_decoder d = {.err = err, .object = "webhook test result"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(json, "success"))) {
        /* the answer this call exists for: absent must not read as "false" */
        decode_fail(&d, ALSORN_ERR_DECODE, "success", "expected true or false");
        return d.status;
    }
    out->success = decode_bool(&d, json, "success");
    out->status_code = (int)decode_integer(&d, json, "status_code");
    out->duration_ms = decode_integer(&d, json, "duration_ms");
    out->error = decode_string(&d, json, "error");
    if (d.status != ALSORN_OK) {
        free(out->error);
        memset(out, 0, sizeof *out);
    }
    return d.status;
}

void alsorn_webhook_test_result_free(alsorn_webhook_test_result *result) {
    if (!result) return;
    free(result->error);
    free(result);
}

void webhook_delivery_clear(alsorn_webhook_delivery *x) {
    if (!x) return;
    free(x->delivery_id);
    free(x->event_id);
    free(x->event);
    free(x->error);
    free(x->delivered_at);
    free(x->next_retry_at);
    memset(x, 0, sizeof *x);
}

alsorn_status webhook_delivery_decode(const cJSON *json, alsorn_webhook_delivery *out,
                                      alsorn_error *err) {
    json_decoder d = {.err = err, .object = "webhook delivery"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->delivery_id = decode_string(&d, json, "delivery_id");
    out->event_id = decode_string(&d, json, "event_id");
    out->event = decode_string(&d, json, "event");
    out->attempt = (int)decode_integer(&d, json, "attempt");
    out->status_code = (int)decode_integer(&d, json, "status_code");
    out->error = decode_string(&d, json, "error");
    out->duration_ms = decode_integer(&d, json, "duration_ms");
    out->delivered_at = decode_string(&d, json, "delivered_at");
    out->next_retry_at = decode_string(&d, json, "next_retry_at");
    if (d.status == ALSORN_OK && !out->event_id)
        decode_fail(&d, ALSORN_ERR_DECODE, "event_id", "missing");
    if (d.status != ALSORN_OK) webhook_delivery_clear(out);
    return d.status;
}

void alsorn_webhook_delivery_list_free(alsorn_webhook_delivery_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        webhook_delivery_clear(&list->items[i]);
    free(list->items);
    free(list);
}
