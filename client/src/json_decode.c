#include "json_decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* Larger amounts cannot be held in cents in a long long (and the contract caps money at
 * 1e12 anyway). */
#define MAX_MONEY 1e15

void decode_fail(json_decoder *d, alsorn_status status, const char *key, const char *what) {
    if (d->status != ALSORN_OK) return;
    d->status = status;
    if (status == ALSORN_ERR_NOMEM)
        client_error(d->err, status, "out of memory");
    else
        client_error(d->err, status, "%s.%s: %s", d->object, key, what);
}

bool decode_object(json_decoder *d, const cJSON *json) {
    if (cJSON_IsObject(json)) return true;
    decode_fail(d, ALSORN_ERR_DECODE, "(body)", "expected a JSON object");
    return false;
}

/* The member, or NULL when absent, null, or the decoder has already failed. */
static const cJSON *member(json_decoder *d, const cJSON *obj, const char *key) {
    if (d->status != ALSORN_OK) return NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNull(item) ? NULL : item;
}

char *decode_string(json_decoder *d, const cJSON *obj, const char *key) {
    const cJSON *item = member(d, obj, key);
    if (!item) return NULL;
    if (!cJSON_IsString(item)) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected a string");
        return NULL;
    }
    char *copy = strdup(item->valuestring);
    if (!copy) decode_fail(d, ALSORN_ERR_NOMEM, key, NULL);
    return copy;
}

double decode_number(json_decoder *d, const cJSON *obj, const char *key) {
    const cJSON *item = member(d, obj, key);
    if (!item) return 0;
    if (!cJSON_IsNumber(item)) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected a number");
        return 0;
    }
    return item->valuedouble;
}

long long decode_integer(json_decoder *d, const cJSON *obj, const char *key) {
    const cJSON *item = member(d, obj, key);
    if (!item) return 0;
    double v = item->valuedouble;
    if (!cJSON_IsNumber(item) || v != floor(v) || fabs(v) > 9e15) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected an integer");
        return 0;
    }
    return (long long)v;
}

bool decode_bool(json_decoder *d, const cJSON *obj, const char *key) {
    const cJSON *item = member(d, obj, key);
    if (!item) return false;
    if (!cJSON_IsBool(item)) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected true or false");
        return false;
    }
    return cJSON_IsTrue(item);
}

long long decode_money(json_decoder *d, const cJSON *obj, const char *key, double *as_double) {
    double v = decode_number(d, obj, key);
    *as_double = v;
    if (!isfinite(v) || fabs(v) > MAX_MONEY) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "amount out of range");
        return 0;
    }
    /* The wire value has at most 2 decimals, so v * 100 is within rounding of an integer. */
    return llround(v * 100.0);
}

void free_string_array(char **items, size_t count) {
    if (!items) return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

char **decode_string_array(json_decoder *d, const cJSON *obj, const char *key, size_t *count) {
    *count = 0;
    const cJSON *item = member(d, obj, key);
    if (!item) return NULL;
    if (!cJSON_IsArray(item)) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected an array of strings");
        return NULL;
    }
    int n = cJSON_GetArraySize(item);
    if (n == 0) return NULL;
    char **items = calloc((size_t)n, sizeof *items);
    if (!items) {
        decode_fail(d, ALSORN_ERR_NOMEM, key, NULL);
        return NULL;
    }
    size_t got = 0;
    const cJSON *element;
    cJSON_ArrayForEach(element, item) {
        if (!cJSON_IsString(element)) {
            decode_fail(d, ALSORN_ERR_DECODE, key, "expected an array of strings");
            break;
        }
        items[got] = strdup(element->valuestring);
        if (!items[got]) {
            decode_fail(d, ALSORN_ERR_NOMEM, key, NULL);
            break;
        }
        got++;
    }
    if (d->status != ALSORN_OK) {
        free_string_array(items, got);
        return NULL;
    }
    *count = got;
    return items;
}

char *decode_json_text(json_decoder *d, const cJSON *obj, const char *key) {
    if (d->status != ALSORN_OK) return NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item) return NULL;
    char *text = cJSON_PrintUnformatted(item);
    if (!text) decode_fail(d, ALSORN_ERR_NOMEM, key, NULL);
    return text;
}

alsorn_status
decode_array(const cJSON *array, const char *object, size_t item_size,
             alsorn_status (*decode)(const cJSON *json, void *item, alsorn_error *err),
             void (*clear)(void *item), void **items, size_t *count, alsorn_error *err) {
    *items = NULL;
    *count = 0;
    if (!cJSON_IsArray(array))
        return client_error(err, ALSORN_ERR_DECODE, "%s: expected an array", object);
    size_t n = (size_t)cJSON_GetArraySize(array), done = 0;
    char *out = n ? calloc(n, item_size) : NULL;
    if (n && !out) return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    alsorn_status status = ALSORN_OK;
    const cJSON *element;
    cJSON_ArrayForEach(element, array) {
        status = decode(element, out + done * item_size, err);
        if (status != ALSORN_OK) break;
        done++;
    }
    if (status != ALSORN_OK) {
        for (size_t i = 0; i < done; i++)
            clear(out + i * item_size);
        free(out);
        return status;
    }
    *items = out;
    *count = done;
    return ALSORN_OK;
}
