/* Every request the Alter client makes, by name.  The table itself is in alter_routes.c. */
#ifndef ALTER_ROUTES_H
#define ALTER_ROUTES_H

typedef enum {
    ALTER_ROUTE_AGENTS_CREATE,
    ALTER_ROUTE_AGENTS_LIST,
    ALTER_ROUTE_AGENTS_GET,
    ALTER_ROUTE_AGENTS_GET_BY_NAME,
    ALTER_ROUTE_AGENTS_UPDATE,
    ALTER_ROUTE_AGENTS_DELETE,
    ALTER_ROUTE_KEYS_MINT,
    ALTER_ROUTE_KEYS_LIST,
    ALTER_ROUTE_KEYS_DEPRECATE,
    ALTER_ROUTE_KEYS_UNDEPRECATE,
    ALTER_ROUTE_KEYS_REVOKE,
    ALTER_ROUTE_AGENTS_ME,
    ALTER_ROUTE_AUDIT_LIST,
    ALTER_ROUTE_AUDIT_VERIFY,
    ALTER_ROUTE_GRANTS_LIST,
    ALTER_ROUTE_GRANTS_REVOKE,
    ALTER_ROUTE_TOKEN,
    ALTER_ROUTE_PROXY,
    ALTER_ROUTE_APPROVALS_GET,
    ALTER_ROUTE_APPROVALS_RESULT,
    ALTER_ROUTE_COUNT
} alter_route_id;

typedef struct {
    const char *method;
    const char *path_template; /* "{...}" holes take the call's path parameters in order */
} alter_route;

const alter_route *alter_route_get(alter_route_id id);

#endif
