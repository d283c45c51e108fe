/* The route table: every endpoint of both contracts and of the sandbox, one row each.
 * The dispatcher (core/router.c) matches a row, authenticates the caller against `needs`,
 * parses the body as `body` says, and calls the handler. */
#include "core/router.h"

#include "alsorn/agents.h"
#include "alsorn/auth.h"
#include "sandbox/admin.h"
#include "store/store.h"

/* How each api checks its callers (NULL: no authentication).  An authenticator also picks
 * the request's rate-limit bucket (struct caller: rate_key, rate_limit, rate_window_seconds);
 * the dispatcher counts it and answers 429 with the api's code below. */
const authenticate_fn authenticators[] = {
    [API_ALSORN] = alsorn_authenticate,
    [API_ALTER] = NULL,
    [API_MOCK] = mock_authenticate,
};
const char *const rate_limit_codes[] = {
    [API_ALSORN] = "rate_limit_exceeded", /* alsorn.md §8 */
    [API_ALTER] = "rate_limited",         /* alter.md §8 */
    [API_MOCK] = "rate_limited",
};

#define ALSORN API_ALSORN
#define MOCK   API_MOCK

const struct route routes[] = {
    /* method   path pattern                 handler                    needs      api     body */
    /* Alsorn agents (alsorn.md §3) */
    { "POST",   "/agents",                   alsorn_agent_register,     KEY_WRITE, ALSORN, BODY_REQUIRED },
    { "GET",    "/agents",                   alsorn_agent_list,         KEY_READ,  ALSORN, BODY_IGNORED },
    { "GET",    "/agents/{id}",              alsorn_agent_get,          KEY_READ,  ALSORN, BODY_IGNORED },
    { "PATCH",  "/agents/{id}",              alsorn_agent_update,       KEY_WRITE, ALSORN, BODY_REQUIRED },
    { "DELETE", "/agents/{id}",              alsorn_agent_delete,       KEY_ADMIN, ALSORN, BODY_IGNORED },
    { "POST",   "/agents/{id}/suspend",      alsorn_agent_suspend,      KEY_WRITE, ALSORN, BODY_IGNORED },
    { "POST",   "/agents/{id}/reactivate",   alsorn_agent_reactivate,   KEY_WRITE, ALSORN, BODY_IGNORED },
    { "GET",    "/agents/{id}/verify",       alsorn_agent_verify,       KEY_NONE,  ALSORN, BODY_IGNORED },
    { "GET",    "/agents/{id}/audit",        alsorn_agent_audit,        KEY_READ,  ALSORN, BODY_IGNORED },
    { "GET",    "/agents/{id}/audit/verify", alsorn_agent_audit_verify, KEY_READ,  ALSORN, BODY_IGNORED },

    /* Sandbox controls (DESIGN.md "Sandbox controls"; --admin-token guards all but health) */
    { "GET",    "/_mock/health",             mock_health,               KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/orgs",               mock_org_create,           KEY_NONE,  MOCK,   BODY_OPTIONAL },
    { "GET",    "/_mock/orgs/{id}",          mock_org_get,              KEY_NONE,  MOCK,   BODY_IGNORED },
    { "PATCH",  "/_mock/orgs/{id}",          mock_org_update,           KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/keys/revoke",        mock_key_revoke,           KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/reset",              mock_reset,                KEY_NONE,  MOCK,   BODY_OPTIONAL },
    { "GET",    "/_mock/clock",              mock_clock_get,            KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/clock",              mock_clock_set,            KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/faults",             mock_fault_create,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "GET",    "/_mock/faults",             mock_fault_list,           KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/faults",             mock_fault_clear,          KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/faults/{id}",        mock_fault_delete,         KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/requests",           mock_requests_list,        KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/requests",           mock_requests_clear,       KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/report",             mock_report,               KEY_NONE,  MOCK,   BODY_IGNORED },
};

const size_t n_routes = sizeof routes / sizeof routes[0];
