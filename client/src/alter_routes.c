/* The one place that says which method and path each Alter call uses (contract/alter.md
 * §3–§7).  Alter publishes SDK signatures, not its wire format: these paths are the
 * contract's reconstruction, so if the live service differs, correcting a row here corrects
 * the client. */
#include "alter_routes.h"

/* clang-format off */
static const alter_route routes[ALTER_ROUTE_COUNT] = {
    /*                                  method    path template */
    [ALTER_ROUTE_AGENTS_CREATE]      = {"POST",   "/sdk/agents"},
    [ALTER_ROUTE_AGENTS_LIST]        = {"GET",    "/sdk/agents"},
    [ALTER_ROUTE_AGENTS_GET]         = {"GET",    "/sdk/agents/{id}"},
    [ALTER_ROUTE_AGENTS_GET_BY_NAME] = {"GET",    "/sdk/agents/by-name/{name}"},
    [ALTER_ROUTE_AGENTS_UPDATE]      = {"PATCH",  "/sdk/agents/{id}"},
    [ALTER_ROUTE_AGENTS_DELETE]      = {"DELETE", "/sdk/agents/{id}"},
    [ALTER_ROUTE_KEYS_MINT]          = {"POST",   "/sdk/agents/{id}/keys"},
    [ALTER_ROUTE_KEYS_LIST]          = {"GET",    "/sdk/agents/{id}/keys"},
    [ALTER_ROUTE_KEYS_DEPRECATE]     = {"POST",   "/sdk/agents/{id}/keys/{key_id}/deprecate"},
    [ALTER_ROUTE_KEYS_UNDEPRECATE]   = {"POST",   "/sdk/agents/{id}/keys/{key_id}/undeprecate"},
    [ALTER_ROUTE_KEYS_REVOKE]        = {"POST",   "/sdk/agents/{id}/keys/{key_id}/revoke"},
    [ALTER_ROUTE_AGENTS_ME]          = {"GET",    "/sdk/agents/me"},
    [ALTER_ROUTE_AUDIT_LIST]         = {"GET",    "/sdk/audit"},
    [ALTER_ROUTE_AUDIT_VERIFY]       = {"GET",    "/sdk/audit/verify"},
    [ALTER_ROUTE_GRANTS_LIST]        = {"GET",    "/sdk/grants"},
    [ALTER_ROUTE_GRANTS_REVOKE]      = {"POST",   "/sdk/grants/{id}/revoke"},
    [ALTER_ROUTE_TOKEN]              = {"POST",   "/sdk/token"},
    [ALTER_ROUTE_PROXY]              = {"POST",   "/sdk/proxy"},
    [ALTER_ROUTE_APPROVALS_GET]      = {"GET",    "/sdk/approvals/{id}"},
    [ALTER_ROUTE_APPROVALS_RESULT]   = {"GET",    "/sdk/approvals/{id}/result"},
};
/* clang-format on */

const alter_route *alter_route_get(alter_route_id id) {
    if ((unsigned)id >= ALTER_ROUTE_COUNT) return 0;
    return &routes[id];
}
