/* Reading the contract's objects out of cJSON trees.
 *
 * Absent and null members read as NULL / 0 / false, so a newer server's extra or omitted
 * optional fields do not break old clients.  A member of the wrong type is a decode error:
 * it means the server and the contract disagree, and a silent 0 would hide that.  The first
 * failure is kept in the decoder; later reads return empty values, so a decoding function
 * reads every member and checks the decoder once at the end. */
#ifndef JSON_DECODE_H
#define JSON_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alsorn.h"

typedef struct {
    alsorn_error *err;
    const char *object; /* names the object in messages: "agent", "audit entry" */
    alsorn_status status;
} json_decoder;

/* Checks that json is an object; fails the decoder otherwise. */
bool decode_object(json_decoder *d, const cJSON *json);

char *decode_string(json_decoder *d, const cJSON *obj, const char *key);
double decode_number(json_decoder *d, const cJSON *obj, const char *key);
/* A number that must be a whole value in range (ids, counts, pages). */
long long decode_integer(json_decoder *d, const cJSON *obj, const char *key);
bool decode_bool(json_decoder *d, const cJSON *obj, const char *key);
/* Money: *as_double gets the number; the return value is the exact amount in cents. */
long long decode_money(json_decoder *d, const cJSON *obj, const char *key, double *as_double);
/* An array of strings; *count gets its length. NULL when absent or empty. */
char **decode_string_array(json_decoder *d, const cJSON *obj, const char *key, size_t *count);
/* Any member re-printed as compact JSON text ("null" for a null member, NULL when absent). */
char *decode_json_text(json_decoder *d, const cJSON *obj, const char *key);

/* Marks the decoder failed (first failure wins). */
void decode_fail(json_decoder *d, alsorn_status status, const char *key, const char *what);

void free_string_array(char **items, size_t count);

/* Decodes each element of a JSON array into a new array of item_size-byte structs, with decode
 * (which fills a zeroed struct, leaving nothing to free when it fails).  On success *items
 * (NULL when empty) and *count are the caller's, released with clear on each item and free;
 * on failure nothing is left to free.  `object` names the array in messages. */
alsorn_status
decode_array(const cJSON *array, const char *object, size_t item_size,
             alsorn_status (*decode)(const cJSON *json, void *item, alsorn_error *err),
             void (*clear)(void *item), void **items, size_t *count, alsorn_error *err);

#endif
