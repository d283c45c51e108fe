/* client.trust.*: one function per row of contract §4's table (and the dispute read). */
#include <stdio.h>
#include <stdlib.h>

#include "alsorn_models.h"
#include "json_decode.h"
#include "money.h"
#include "transport.h"

static void release_profile(void *p) {
    alsorn_trust_profile_free(p);
}
static void release_dispute(void *d) {
    alsorn_dispute_free(d);
}

static const object_codec profile_codec = {sizeof(alsorn_trust_profile), trust_profile_decode,
                                           release_profile};
static const object_codec dispute_codec = {sizeof(alsorn_dispute), dispute_decode, release_dispute};

static cJSON *string_array(const char *const *items, size_t count) {
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < count; i++) {
        cJSON *s = items[i] ? cJSON_CreateString(items[i]) : NULL;
        if (!s || !cJSON_AddItemToArray(array, s)) {
            cJSON_Delete(s);
            cJSON_Delete(array);
            return NULL;
        }
    }
    return array;
}

alsorn_status alsorn_trust_query(alsorn_client *client, const char *agent_id,
                                 alsorn_trust_profile **out, alsorn_error *err) {
    alsorn_error_clear(err);
    return transport_call_object(client, ROUTE_TRUST_QUERY, agent_id, NULL, 0, NULL, &profile_codec,
                                 (void **)out, err);
}

alsorn_status alsorn_trust_batch_query(alsorn_client *client, const char *const *agent_ids,
                                       size_t count, alsorn_trust_batch **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (count && !agent_ids) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no ids");
    cJSON *body = cJSON_CreateObject();
    cJSON *ids = string_array(agent_ids, count);
    if (!body || !ids || !cJSON_AddItemToObject(body, "agent_ids", ids)) {
        cJSON_Delete(body);
        cJSON_Delete(ids);
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "a NULL id, or out of memory");
    }
    cJSON *json = NULL;
    alsorn_status status =
        transport_call(client, ROUTE_TRUST_BATCH_QUERY, NULL, NULL, 0, body, &json, err);
    cJSON_Delete(body);
    if (status != ALSORN_OK) return status;

    json_decoder d = {.err = err, .object = "trust query"};
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(json, "results");
    alsorn_trust_batch *batch = calloc(1, sizeof *batch);
    size_t n = cJSON_IsArray(results) ? (size_t)cJSON_GetArraySize(results) : 0;
    if (!batch || (n && !(batch->items = calloc(n, sizeof *batch->items))))
        decode_fail(&d, ALSORN_ERR_NOMEM, "results", NULL);
    else if (decode_object(&d, json) && !cJSON_IsArray(results))
        decode_fail(&d, ALSORN_ERR_DECODE, "results", "expected an array");
    const cJSON *item;
    cJSON_ArrayForEach(item, (d.status == ALSORN_OK ? results : NULL)) {
        alsorn_trust_profile *p = NULL;
        if (!cJSON_IsNull(item)) { /* null: an unknown id, kept in its place */
            if (!(p = malloc(sizeof *p))) {
                decode_fail(&d, ALSORN_ERR_NOMEM, "results", NULL);
                break;
            }
            if ((d.status = trust_profile_decode(item, p, err)) != ALSORN_OK) {
                free(p);
                break;
            }
        }
        batch->items[batch->count++] = p;
    }
    cJSON_Delete(json);
    if (d.status != ALSORN_OK) {
        alsorn_trust_batch_free(batch);
        return d.status;
    }
    if (out)
        *out = batch;
    else
        alsorn_trust_batch_free(batch);
    return ALSORN_OK;
}

alsorn_status alsorn_trust_get_history(alsorn_client *client, const char *agent_id,
                                       const alsorn_trust_history_params *params,
                                       alsorn_trust_history **out, alsorn_error *err) {
    alsorn_error_clear(err);
    const alsorn_trust_history_params none = {0};
    if (!params) params = &none;
    char days[24];
    snprintf(days, sizeof days, "%ld", params->days);
    const query_param query[] = {{"days", params->days ? days : NULL}, {"since", params->since}};
    cJSON *json = NULL;
    alsorn_status status =
        transport_call(client, ROUTE_TRUST_HISTORY, agent_id, query, 2, NULL, &json, err);
    if (status != ALSORN_OK) return status;

    alsorn_trust_history *history = calloc(1, sizeof *history);
    status =
        history ? decode_array(json, "trust history", sizeof *history->items, trust_snapshot_decode,
                               trust_snapshot_clear, (void **)&history->items, &history->count, err)
                : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALSORN_OK) {
        alsorn_trust_history_free(history);
        return status;
    }
    if (out)
        *out = history;
    else
        alsorn_trust_history_free(history);
    return ALSORN_OK;
}

alsorn_status alsorn_trust_evaluate(alsorn_client *client, const char *agent_id,
                                    const alsorn_trust_evaluation_params *params,
                                    alsorn_trust_profile **out, alsorn_error *err) {
    alsorn_error_clear(err);
    cJSON *body = NULL;
    if (params) {
        cJSON *amount = money_to_json(params->amount);
        body = cJSON_CreateObject();
        bool built =
            body && amount && cJSON_AddItemToObject(body, "amount", amount) &&
            (!params->action || cJSON_AddStringToObject(body, "action", params->action)) &&
            (!params->currency || cJSON_AddStringToObject(body, "currency", params->currency));
        if (!cJSON_GetObjectItemCaseSensitive(body, "amount")) cJSON_Delete(amount);
        if (!built) {
            cJSON_Delete(body);
            return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
        }
    }
    alsorn_status status = transport_call_object(client, ROUTE_TRUST_EVALUATE, agent_id, NULL, 0,
                                                 body, &profile_codec, (void **)out, err);
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_trust_report(alsorn_client *client, const alsorn_dispute_params *params,
                                  alsorn_dispute **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!params) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no params");
    cJSON *body = cJSON_CreateObject();
    bool built =
        body &&
        (!params->agent_id || cJSON_AddStringToObject(body, "agent_id", params->agent_id)) &&
        (!params->reason || cJSON_AddStringToObject(body, "reason", params->reason)) &&
        (!params->evidence || cJSON_AddStringToObject(body, "evidence", params->evidence)) &&
        (!params->transaction_id ||
         cJSON_AddStringToObject(body, "transaction_id", params->transaction_id));
    if (built && params->evidence_ids) {
        cJSON *ids = string_array(params->evidence_ids, params->evidence_id_count);
        built = ids && cJSON_AddItemToObject(body, "evidence_ids", ids);
        if (!built) cJSON_Delete(ids);
    }
    alsorn_status status =
        built ? transport_call_object(client, ROUTE_TRUST_REPORT, NULL, NULL, 0, body,
                                      &dispute_codec, (void **)out, err)
              : client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "a NULL evidence id, or no memory");
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_trust_get_dispute(alsorn_client *client, const char *dispute_id,
                                       alsorn_dispute **out, alsorn_error *err) {
    alsorn_error_clear(err);
    return transport_call_object(client, ROUTE_TRUST_DISPUTE_GET, dispute_id, NULL, 0, NULL,
                                 &dispute_codec, (void **)out, err);
}
