/* Calls whose 2xx answer is one object, and lists of objects: transport_call, then decode into
 * heap objects the caller owns.  The decoders are passed as void-typed functions so that one
 * copy of the allocate / decode / release steps serves every model (each model file adapts
 * its typed decoder in one line). */
#ifndef OBJECT_CALL_H
#define OBJECT_CALL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "alsorn_models.h"
#include "transport.h"

typedef alsorn_status (*object_decode_fn)(const cJSON *json, void *object, alsorn_error *err);
typedef void (*object_clear_fn)(void *object);

/* Sends the route and decodes its answer into a new object of `size` bytes.  On ALSORN_OK
 * *object is that object (malloc'd; the caller hands it out or frees it with the model's
 * *_free); otherwise *object is NULL and err says why. */
alsorn_status call_for_object(alsorn_client *client, alsorn_route_id route, const char *id,
                              const query_param *query, size_t query_count, const cJSON *body,
                              size_t size, object_decode_fn decode, void **object,
                              alsorn_error *err);

/* Decodes every element of array into *items: a calloc'd array of *count elements of `size`
 * bytes (NULL when empty).  On failure nothing is left allocated. */
alsorn_status decode_items(const cJSON *array, size_t size, object_decode_fn decode,
                           object_clear_fn clear, void **items, size_t *count, alsorn_error *err);

/* A page ({"data": [...], "pagination"}): the page's numbers into *info and its items, as
 * decode_items does. */
alsorn_status decode_page_items(const cJSON *json, const char *object, size_t size,
                                object_decode_fn decode, object_clear_fn clear, void **items,
                                size_t *count, page_info *info, alsorn_error *err);

#endif
