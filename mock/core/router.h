/* Routing: the route table's row type, and the dispatcher that runs every request through
 * the same steps: match → authenticate → read and parse the body → handler → send. */
#ifndef ROUTER_H
#define ROUTER_H

#include "core/http.h"

struct mg_connection;

typedef void (*handler_fn)(struct req *r);

/* What a route does with a request body. */
enum body_rule {
    BODY_IGNORED,  /* none expected; anything sent is not read as JSON */
    BODY_OPTIONAL, /* a JSON object if present */
    BODY_REQUIRED, /* a JSON object, required */
    BODY_STREAM,   /* not read by the dispatcher: the handler reads it (no size limit) */
};

struct route {
    const char *method;
    const char *pattern; /* "/agents/{id}/verify": literal segments and {param} segments */
    handler_fn handler;
    int needs;           /* the api's required level (Alsorn: enum key_level) */
    enum api api;
    enum body_rule body;
};

/* Authenticates r for r->route; on failure it renders the error and returns false. */
typedef bool (*authenticate_fn)(struct req *r);

extern const struct route routes[];
extern const size_t n_routes;

/* Compiles the route table; call once before serving. */
void router_init(void);
/* CivetWeb request handler for every path. */
int router_handle(struct mg_connection *conn, void *cbdata);

/* The route for r->method and r->path, with r->params filled; NULL when none (the sandbox
 * dashboard's calls made on an org's behalf find their route here). */
const struct route *router_match(struct req *r);

/* Limits the dispatcher enforces (set from flags). */
extern size_t router_max_body;

#endif
