/* client.transactions.*: one function per row of contract §5's table.  The SDK's argument
 * names (from_agent, to_agent, action, memo, since, until) are mapped to the wire's here. */
#include <stdio.h>
#include <stdlib.h>

#include "alsorn_models.h"
#include "json_decode.h"
#include "money.h"
#include "transport.h"

static void release_transaction(void *t) {
    alsorn_transaction_free(t);
}

static const object_codec transaction_codec = {sizeof(alsorn_transaction), transaction_decode,
                                               release_transaction};

/* Adds name: value when value is set; false when out of memory. */
static bool add_string(cJSON *body, const char *name, const char *value) {
    return !value || cJSON_AddStringToObject(body, name, value);
}

alsorn_status alsorn_transactions_execute(alsorn_client *client,
                                          const alsorn_transaction_params *params,
                                          alsorn_transaction **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client || !params) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no params");
    cJSON *body = cJSON_CreateObject();
    cJSON *amount = money_to_json(params->amount); /* always sent: 0 gets the server's 422 */
    bool built = body && amount && cJSON_AddItemToObject(body, "amount", amount) &&
                 add_string(body, "agent_id", params->from_agent) &&
                 add_string(body, "counterparty_id", params->to_agent) &&
                 add_string(body, "action_type", params->action) &&
                 add_string(body, "currency", params->currency) &&
                 add_string(body, "notes", params->memo);
    if (!cJSON_GetObjectItemCaseSensitive(body, "amount")) cJSON_Delete(amount);
    alsorn_status status =
        built ? transport_call_object(client, ROUTE_TRANSACTIONS_EXECUTE, NULL, NULL, 0, body,
                                      &transaction_codec, (void **)out, err)
              : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(body);
    return status;
}

/* Query values of the filters both list and export take. */
typedef struct {
    char min[32], max[32], page[24], limit[24];
} filter_text;

/* The amount filters as text; 0 is not sent. */
static alsorn_status amount_filters(double min, double max, filter_text *text, alsorn_error *err) {
    if ((min == 0 || money_to_text(min, text->min, sizeof text->min)) &&
        (max == 0 || money_to_text(max, text->max, sizeof text->max)))
        return ALSORN_OK;
    return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "amount filter out of range");
}

alsorn_status alsorn_transactions_list(alsorn_client *client,
                                       const alsorn_transaction_list_params *params,
                                       alsorn_transaction_list **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client");
    const alsorn_transaction_list_params none = {0};
    if (!params) params = &none;
    filter_text text;
    alsorn_status status = amount_filters(params->min_amount, params->max_amount, &text, err);
    if (status != ALSORN_OK) return status;
    snprintf(text.page, sizeof text.page, "%ld", params->page);
    snprintf(text.limit, sizeof text.limit, "%ld", params->limit);
    const query_param query[] = {
        {"agent_id", params->agent_id},
        {"status", params->status},
        {"action_type", params->action},
        {"min_amount", params->min_amount != 0 ? text.min : NULL},
        {"max_amount", params->max_amount != 0 ? text.max : NULL},
        {"start_date", params->since},
        {"end_date", params->until},
        {"page", params->page ? text.page : NULL},
        {"limit", params->limit ? text.limit : NULL},
    };
    cJSON *json = NULL;
    status = transport_call(client, ROUTE_TRANSACTIONS_LIST, NULL, query,
                            sizeof query / sizeof query[0], NULL, &json, err);
    if (status != ALSORN_OK) return status;

    json_decoder d = {.err = err, .object = "transaction list"};
    alsorn_transaction_list *list = calloc(1, sizeof *list);
    if (!list)
        decode_fail(&d, ALSORN_ERR_NOMEM, "transactions", NULL);
    else if (decode_object(&d, json)) {
        list->total = decode_integer(&d, json, "total");
        list->page = (long)decode_integer(&d, json, "page");
        list->limit = (long)decode_integer(&d, json, "limit");
    }
    if (d.status == ALSORN_OK)
        d.status =
            decode_array(cJSON_GetObjectItemCaseSensitive(json, "transactions"),
                         "transaction list.transactions", sizeof *list->items, transaction_decode,
                         transaction_clear, (void **)&list->items, &list->count, err);
    cJSON_Delete(json);
    if (d.status != ALSORN_OK) {
        alsorn_transaction_list_free(list);
        return d.status;
    }
    if (out)
        *out = list;
    else
        alsorn_transaction_list_free(list);
    return ALSORN_OK;
}

alsorn_status alsorn_transactions_get(alsorn_client *client, const char *transaction_id,
                                      alsorn_transaction **out, alsorn_error *err) {
    alsorn_error_clear(err);
    return transport_call_object(client, ROUTE_TRANSACTIONS_GET, transaction_id, NULL, 0, NULL,
                                 &transaction_codec, (void **)out, err);
}

alsorn_status alsorn_transactions_reverse(alsorn_client *client, const char *transaction_id,
                                          const char *reason, alsorn_transaction **out,
                                          alsorn_error *err) {
    alsorn_error_clear(err);
    cJSON *body = NULL;
    if (reason && (!(body = cJSON_CreateObject()) || !add_string(body, "reason", reason))) {
        cJSON_Delete(body);
        return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    }
    alsorn_status status =
        transport_call_object(client, ROUTE_TRANSACTIONS_REVERSE, transaction_id, NULL, 0, body,
                              &transaction_codec, (void **)out, err);
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_transactions_export(alsorn_client *client,
                                         const alsorn_transaction_export_params *params, FILE *out,
                                         alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client");
    const alsorn_transaction_export_params none = {0};
    if (!params) params = &none;
    filter_text text;
    alsorn_status status = amount_filters(params->min_amount, params->max_amount, &text, err);
    if (status != ALSORN_OK) return status;
    const query_param query[] = {
        {"format", params->format},
        {"since", params->since},
        {"until", params->until},
        {"agent_id", params->agent_id},
        {"status", params->status},
        {"action_type", params->action},
        {"min_amount", params->min_amount != 0 ? text.min : NULL},
        {"max_amount", params->max_amount != 0 ? text.max : NULL},
    };
    return transport_call_to_file(client, ROUTE_TRANSACTIONS_EXPORT, query,
                                  sizeof query / sizeof query[0], out, err);
}
