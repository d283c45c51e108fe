#include "object_call.h"

#include <stdlib.h>

alsorn_status call_for_object(alsorn_client *client, alsorn_route_id route, const char *id,
                              const query_param *query, size_t query_count, const cJSON *body,
                              size_t size, object_decode_fn decode, void **object,
                              alsorn_error *err) {
    *object = NULL;
    cJSON *json = NULL;
    alsorn_status status = transport_call(client, route, id, query, query_count, body, &json, err);
    if (status != ALSORN_OK) return status;
    void *result = calloc(1, size); /* decoders fill a zeroed object */
    if (!result)
        status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    else
        status = decode(json, result, err);
    cJSON_Delete(json);
    if (status != ALSORN_OK) {
        free(result); /* a failed decode leaves nothing inside to free */
        return status;
    }
    *object = result;
    return ALSORN_OK;
}

alsorn_status decode_items(const cJSON *array, size_t size, object_decode_fn decode,
                           object_clear_fn clear, void **items, size_t *count, alsorn_error *err) {
    *items = NULL;
    *count = 0;
    size_t n = (size_t)cJSON_GetArraySize(array);
    if (!n) return ALSORN_OK;
    char *all = calloc(n, size);
    if (!all) return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    size_t done = 0;
    alsorn_status status = ALSORN_OK;
    const cJSON *item;
    cJSON_ArrayForEach(item, array) {
        status = decode(item, all + done * size, err);
        if (status != ALSORN_OK) break;
        done++;
    }
    if (status != ALSORN_OK) {
        for (size_t i = 0; i < done; i++)
            clear(all + i * size);
        free(all);
        return status;
    }
    *items = all;
    *count = done;
    return ALSORN_OK;
}

alsorn_status decode_page_items(const cJSON *json, const char *object, size_t size,
                                object_decode_fn decode, object_clear_fn clear, void **items,
                                size_t *count, page_info *info, alsorn_error *err) {
    *items = NULL;
    *count = 0;
    const cJSON *data = NULL;
    alsorn_status status = page_decode(json, object, &data, info, err);
    if (status != ALSORN_OK) return status;
    return decode_items(data, size, decode, clear, items, count, err);
}

alsorn_status transport_call_object(alsorn_client *client, alsorn_route_id route, const char *id,
                                    const query_param *query, size_t query_count, const cJSON *body,
                                    const object_codec *codec, void **out, alsorn_error *err) {
    void *object = NULL;
    alsorn_status status = call_for_object(client, route, id, query, query_count, body,
                                           codec->size, codec->decode, &object, err);
    if (status != ALSORN_OK) return status;
    if (out) *out = object;
    else codec->release(object);
    return ALSORN_OK;
}
