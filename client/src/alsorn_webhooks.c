/* client.webhooks.*: one function per row of contract §6's table. */
#include <stdio.h>
#include <stdlib.h>

#include "alsorn_models.h"
#include "object_call.h"

static bool add_events(cJSON *body, const char *const *events, size_t count) {
    cJSON *list = cJSON_AddArrayToObject(body, "events");
    if (!list) return false;
    for (size_t i = 0; i < count; i++) {
        cJSON *name = cJSON_CreateString(events[i]);
        if (!name || !cJSON_AddItemToArray(list, name)) {
            cJSON_Delete(name);
            return false;
        }
    }
    return true;
}

static bool events_are_strings(const char *const *events, size_t count) {
    for (size_t i = 0; events && i < count; i++)
        if (!events[i]) return false;
    return true;
}

static alsorn_status decode_webhook(const cJSON *json, void *w, alsorn_error *err) {
    return webhook_decode(json, w, err);
}

static void clear_webhook(void *w) {
    webhook_clear(w);
}

static alsorn_status decode_delivery(const cJSON *json, void *d, alsorn_error *err) {
    return webhook_delivery_decode(json, d, err);
}

static void clear_delivery(void *d) {
    webhook_delivery_clear(d);
}

static alsorn_status decode_test_result(const cJSON *json, void *r, alsorn_error *err) {
    return webhook_test_result_decode(json, r, err);
}

static void release_webhook(void *webhook) {
    alsorn_webhook_free(webhook);
}

static const object_codec webhook_codec = {sizeof(alsorn_webhook), decode_webhook,
                                           release_webhook};

/* Sends one request whose answer is a Webhook and hands it to *out (or frees it). */
static alsorn_status webhook_call(alsorn_client *client, alsorn_route_id route, const char *id,
                                  const cJSON *body, alsorn_webhook **out, alsorn_error *err) {
    return transport_call_object(client, route, id, NULL, 0, body, &webhook_codec, (void **)out,
                                 err);
}

alsorn_status alsorn_webhooks_register(alsorn_client *client, const alsorn_webhook_params *params,
                                       alsorn_webhook **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client || !params) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no params");
    if (!events_are_strings(params->events, params->event_count))
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "events has a NULL");
    cJSON *body = cJSON_CreateObject();
    bool built = body && (!params->url || cJSON_AddStringToObject(body, "url", params->url)) &&
                 (!params->events || add_events(body, params->events, params->event_count));
    alsorn_status status = built
                               ? webhook_call(client, ROUTE_WEBHOOKS_REGISTER, NULL, body, out, err)
                               : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_webhooks_list(alsorn_client *client, alsorn_webhook_list **out,
                                   alsorn_error *err) {
    alsorn_error_clear(err);
    cJSON *json = NULL;
    alsorn_status status =
        transport_call(client, ROUTE_WEBHOOKS_LIST, NULL, NULL, 0, NULL, &json, err);
    if (status != ALSORN_OK) return status;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(json, "data");
    alsorn_webhook_list *list = NULL;
    void *items = NULL;
    if (!cJSON_IsArray(data))
        status = client_error(err, ALSORN_ERR_DECODE, "webhook list: data: expected an array");
    else if (!(list = calloc(1, sizeof *list)))
        status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    else
        status = decode_items(data, sizeof *list->items, decode_webhook, clear_webhook, &items,
                              &list->count, err);
    cJSON_Delete(json);
    if (status != ALSORN_OK) {
        free(list);
        return status;
    }
    list->items = items;
    if (out)
        *out = list;
    else
        alsorn_webhook_list_free(list);
    return ALSORN_OK;
}

alsorn_status alsorn_webhooks_get(alsorn_client *client, const char *webhook_id,
                                  alsorn_webhook **out, alsorn_error *err) {
    alsorn_error_clear(err);
    return webhook_call(client, ROUTE_WEBHOOKS_GET, webhook_id, NULL, out, err);
}

alsorn_status alsorn_webhooks_update(alsorn_client *client, const char *webhook_id,
                                     const alsorn_webhook_update *update, alsorn_webhook **out,
                                     alsorn_error *err) {
    alsorn_error_clear(err);
    if (!update) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no update");
    if (!events_are_strings(update->events, update->event_count))
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "events has a NULL");
    cJSON *body = cJSON_CreateObject();
    bool built = body && (!update->url || cJSON_AddStringToObject(body, "url", update->url)) &&
                 (!update->events || add_events(body, update->events, update->event_count));
    if (built && update->active != ALSORN_WEBHOOK_ACTIVE_UNCHANGED)
        built = cJSON_AddBoolToObject(body, "active", update->active == ALSORN_WEBHOOK_ENABLE);
    alsorn_status status =
        built ? webhook_call(client, ROUTE_WEBHOOKS_UPDATE, webhook_id, body, out, err)
              : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_webhooks_delete(alsorn_client *client, const char *webhook_id,
                                     alsorn_error *err) {
    alsorn_error_clear(err);
    return transport_call(client, ROUTE_WEBHOOKS_DELETE, webhook_id, NULL, 0, NULL, NULL, err);
}

alsorn_status alsorn_webhooks_test(alsorn_client *client, const char *webhook_id,
                                   alsorn_webhook_test_result **out, alsorn_error *err) {
    alsorn_error_clear(err);
    void *result = NULL;
    alsorn_status status =
        call_for_object(client, ROUTE_WEBHOOKS_TEST, webhook_id, NULL, 0, NULL,
                        sizeof(alsorn_webhook_test_result), decode_test_result, &result, err);
    if (status != ALSORN_OK) return status;
    if (out)
        *out = result;
    else
        alsorn_webhook_test_result_free(result);
    return ALSORN_OK;
}

alsorn_status alsorn_webhooks_deliveries(alsorn_client *client, const char *webhook_id, long page,
                                         long limit, alsorn_webhook_delivery_list **out,
                                         alsorn_error *err) {
    alsorn_error_clear(err);
    char page_text[24], limit_text[24];
    snprintf(page_text, sizeof page_text, "%ld", page);
    snprintf(limit_text, sizeof limit_text, "%ld", limit);
    const query_param query[] = {{"page", page ? page_text : NULL},
                                 {"limit", limit ? limit_text : NULL}};
    cJSON *json = NULL;
    alsorn_status status =
        transport_call(client, ROUTE_WEBHOOKS_DELIVERIES, webhook_id, query, 2, NULL, &json, err);
    if (status != ALSORN_OK) return status;
    alsorn_webhook_delivery_list *list = calloc(1, sizeof *list);
    page_info info;
    void *items = NULL;
    status =
        list ? decode_page_items(json, "webhook delivery list", sizeof *list->items,
                                 decode_delivery, clear_delivery, &items, &list->count, &info, err)
             : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALSORN_OK) {
        free(list);
        return status;
    }
    list->items = items;
    list->page = info.page;
    list->limit = info.limit;
    list->total = info.total;
    list->total_pages = info.total_pages;
    if (out)
        *out = list;
    else
        alsorn_webhook_delivery_list_free(list);
    return ALSORN_OK;
}
