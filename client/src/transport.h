/* One logical API call over HTTP: build the URL from the route table, send JSON, retry what
 * may succeed later, and hand back either the decoded JSON body or a typed error. */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "alsorn_routes.h"
#include "client_internal.h"

typedef struct {
    const char *name;
    const char *value; /* NULL: the parameter is not sent */
} query_param;

/* Sends the route with "{id}" replaced by the percent-encoded id (id may be NULL for routes
 * without one), the query parameters and body (NULL: no body).  On ALSORN_OK, *response is
 * the parsed JSON answer (NULL when the answer has no body), owned by the caller; response
 * may be NULL to discard it. */
alsorn_status transport_call(alsorn_client *client, alsorn_route_id route, const char *id,
                             const query_param *query, size_t query_count, const cJSON *body,
                             cJSON **response, alsorn_error *err);

/* The same, writing a 2xx body to out as it arrives instead of parsing it (exports). */
alsorn_status transport_call_to_file(alsorn_client *client, alsorn_route_id route,
                                     const query_param *query, size_t query_count, FILE *out,
                                     alsorn_error *err);

/* How transport_call_object turns an answer into a model object. */
typedef struct {
    size_t size; /* of the object */
    /* fills the zeroed object; on failure leaves nothing inside to free */
    alsorn_status (*decode)(const cJSON *json, void *object, alsorn_error *err);
    void (*release)(void *object); /* frees the object and what it holds */
} object_codec;

/* transport_call, then the answer decoded into a new object; *out (out may be NULL to discard)
 * receives it on ALSORN_OK, for the caller to release. */
alsorn_status transport_call_object(alsorn_client *client, alsorn_route_id route, const char *id,
                                    const query_param *query, size_t query_count, const cJSON *body,
                                    const object_codec *codec, void **out, alsorn_error *err);

#endif
