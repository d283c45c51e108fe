/* One logical API call over HTTP: build the URL from the route table, send JSON, retry what
 * may succeed later, and hand back either the decoded JSON body or a typed error. */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stddef.h>

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

#endif
