/* The dispatcher: runs every request through the route table (core/router.h) and the sandbox
 * middleware in one place.  It sits above every layer it composes (core, store, the APIs and
 * the sandbox), beside routes.c and server.c. */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <stddef.h>

#include "core/router.h"

struct mg_connection;

/* Compiles the route table; call once before serving. */
void router_init(void);
/* CivetWeb request handler for every path. */
int router_handle(struct mg_connection *conn, void *cbdata);

/* The route for r->method and r->path, with r->params filled; NULL when none (the sandbox
 * dashboard's calls made on an org's behalf find their route here). */
const struct route *router_match(struct req *r);

/* The path a request names, from the target as sent (CivetWeb runs with decode_url=no):
 * percent-decoded into a copy that *owned receives (free it), or, when there is nothing to
 * decode or the decoding would hold a NUL, `sent` itself with *owned NULL.  A path with an
 * encoded NUL is routed as sent, so "/agents/%00/suspend" names an agent that does not exist
 * instead of being cut short to "/agents". */
const char *request_path(const char *sent, char **owned);

/* Which API a path belongs to (/sdk/: Alter, /_mock/: the sandbox, else Alsorn): whose error
 * envelope an answer uses. */
enum api api_of_path(const char *path);

/* Limits the dispatcher enforces (set from flags). */
extern size_t router_max_body;

#endif
