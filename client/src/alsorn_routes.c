/* The one place that says which method and path each call uses (contract/alsorn.md §3-§6).
 * If the live service moves an endpoint, correcting its row here corrects the client. */
#include "alsorn_routes.h"

/* clang-format off */
static const alsorn_route routes[ROUTE_COUNT] = {
    /*                            method    path template */
    [ROUTE_AGENTS_REGISTER]     = {"POST",   "/agents"},
    [ROUTE_AGENTS_LIST]         = {"GET",    "/agents"},
    [ROUTE_AGENTS_GET]          = {"GET",    "/agents/{id}"},
    [ROUTE_AGENTS_UPDATE]       = {"PATCH",  "/agents/{id}"},
    [ROUTE_AGENTS_SUSPEND]      = {"POST",   "/agents/{id}/suspend"},
    [ROUTE_AGENTS_REACTIVATE]   = {"POST",   "/agents/{id}/reactivate"},
    [ROUTE_AGENTS_DELETE]       = {"DELETE", "/agents/{id}"},
    [ROUTE_AGENTS_VERIFY]       = {"GET",    "/agents/{id}/verify"},
    [ROUTE_AGENTS_AUDIT]        = {"GET",    "/agents/{id}/audit"},
    [ROUTE_AGENTS_AUDIT_VERIFY] = {"GET",    "/agents/{id}/audit/verify"},
    [ROUTE_WEBHOOKS_REGISTER]   = {"POST",   "/webhooks"},
    [ROUTE_WEBHOOKS_LIST]       = {"GET",    "/webhooks"},
    [ROUTE_WEBHOOKS_GET]        = {"GET",    "/webhooks/{id}"},
    [ROUTE_WEBHOOKS_UPDATE]     = {"PATCH",  "/webhooks/{id}"},
    [ROUTE_WEBHOOKS_DELETE]     = {"DELETE", "/webhooks/{id}"},
    [ROUTE_WEBHOOKS_TEST]       = {"POST",   "/webhooks/{id}/test"},
    [ROUTE_WEBHOOKS_DELIVERIES] = {"GET",    "/webhooks/{id}/deliveries"},
    [ROUTE_TRUST_QUERY]         = {"GET",    "/trust/{id}"},
    [ROUTE_TRUST_BATCH_QUERY]   = {"POST",   "/trust/query"},
    [ROUTE_TRUST_HISTORY]       = {"GET",    "/trust/{id}/history"},
    [ROUTE_TRUST_EVALUATE]      = {"POST",   "/trust/evaluate/{id}"},
    [ROUTE_TRUST_REPORT]        = {"POST",   "/trust/report"},
    [ROUTE_TRUST_DISPUTE_GET]   = {"GET",    "/trust/disputes/{id}"},
    [ROUTE_TRANSACTIONS_EXECUTE] = {"POST",  "/transactions"},
    [ROUTE_TRANSACTIONS_LIST]   = {"GET",    "/transactions"},
    [ROUTE_TRANSACTIONS_GET]    = {"GET",    "/transactions/{id}"},
    [ROUTE_TRANSACTIONS_REVERSE] = {"POST",  "/transactions/{id}/reverse"},
    [ROUTE_TRANSACTIONS_EXPORT] = {"GET",    "/transactions/export"},
};
/* clang-format on */

const alsorn_route *alsorn_route_get(alsorn_route_id id) {
    if ((unsigned)id >= ROUTE_COUNT) return 0;
    return &routes[id];
}
