/* Every request the client makes, by name.  The table itself is in alsorn_routes.c. */
#ifndef ALSORN_ROUTES_H
#define ALSORN_ROUTES_H

typedef enum {
    ROUTE_AGENTS_REGISTER,
    ROUTE_AGENTS_LIST,
    ROUTE_AGENTS_GET,
    ROUTE_AGENTS_UPDATE,
    ROUTE_AGENTS_SUSPEND,
    ROUTE_AGENTS_REACTIVATE,
    ROUTE_AGENTS_DELETE,
    ROUTE_AGENTS_VERIFY,
    ROUTE_AGENTS_AUDIT,
    ROUTE_AGENTS_AUDIT_VERIFY,
    ROUTE_WEBHOOKS_REGISTER,
    ROUTE_WEBHOOKS_LIST,
    ROUTE_WEBHOOKS_GET,
    ROUTE_WEBHOOKS_UPDATE,
    ROUTE_WEBHOOKS_DELETE,
    ROUTE_WEBHOOKS_TEST,
    ROUTE_WEBHOOKS_DELIVERIES,
    ROUTE_TRUST_QUERY,
    ROUTE_TRUST_BATCH_QUERY,
    ROUTE_TRUST_HISTORY,
    ROUTE_TRUST_EVALUATE,
    ROUTE_TRUST_REPORT,
    ROUTE_TRUST_DISPUTE_GET,
    ROUTE_TRANSACTIONS_EXECUTE,
    ROUTE_TRANSACTIONS_LIST,
    ROUTE_TRANSACTIONS_GET,
    ROUTE_TRANSACTIONS_REVERSE,
    ROUTE_TRANSACTIONS_EXPORT,
    ROUTE_COUNT
} alsorn_route_id;

typedef struct {
    const char *method;
    const char *path_template; /* "{id}" stands for the percent-encoded object id */
} alsorn_route;

const alsorn_route *alsorn_route_get(alsorn_route_id id);

#endif
