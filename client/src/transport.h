/* One logical API call over HTTP: build the URL from the route table, send JSON, retry what
 * may succeed later, and hand back either the decoded JSON body or a typed error. */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stdbool.h>
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

/* ---- the layer under transport_call, for an API whose errors have another shape ---- */

typedef struct {
    const char *method;
    const char *path_template;      /* each "{name}" is filled, in order, from path_params */
    const char *const *path_params; /* percent-encoded here; an empty or missing one is refused */
    size_t path_param_count;
    const query_param *query;
    size_t query_count;
    const cJSON *body;              /* NULL: no body */
    const char *const *headers;     /* extra "Name: value" lines, NULL-terminated; may be NULL */
    const char *idempotency_key;    /* POST: NULL makes one, reused by the call's retries */
    FILE *sink; /* non-NULL: a 2xx body is written here as it arrives, not kept (exports) */
    bool send_once;                 /* no retries: the call is not safe to repeat */
} transport_request;

typedef struct {
    long http_status;
    char *body; /* owned, NUL-terminated; "" when the answer had none */
    size_t body_len;
    long retry_after; /* seconds, from Retry-After; 0 when absent */
    bool streamed;    /* the body went to the request's sink */
} transport_response;

/* Sends req with the client's retries.  On ALSORN_OK, *out holds the final HTTP answer,
 * whatever its status; the caller reads it and frees it with transport_response_free.  A
 * failure without an HTTP answer (connection, memory, bad URL) is returned in err. */
alsorn_status transport_send(alsorn_client *client, const transport_request *req,
                             transport_response *out, alsorn_error *err);
void transport_response_free(transport_response *resp);

/* transport_call, writing a 2xx body to out as it arrives instead of parsing it (exports). */
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

/* call_for_object (object_call.h) with a codec: *out (out may be NULL to discard) receives
 * the object on ALSORN_OK, for the caller to release. */
alsorn_status transport_call_object(alsorn_client *client, alsorn_route_id route, const char *id,
                                    const query_param *query, size_t query_count, const cJSON *body,
                                    const object_codec *codec, void **out, alsorn_error *err);
/* A header of the client's last answer (name case-insensitive), NULL when absent.  Valid
 * until the client's next request. */
const char *transport_last_header(alsorn_client *client, const char *name);

#endif
