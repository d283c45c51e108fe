/* The route table: every endpoint of both contracts and of the sandbox, one row each.
 * The dispatcher (core/router.c) matches a row, authenticates the caller against `needs`,
 * parses the body as `body` says, and calls the handler. */
#include "core/router.h"

#include "alsorn/agents.h"
#include "alsorn/auth.h"
#include "alsorn/disputes.h"
#include "alsorn/transactions.h"
#include "alsorn/trust_api.h"
#include "sandbox/admin.h"
#include "sandbox/clock.h"
#include "sandbox/generate.h"
#include "store/store.h"

/* How each api checks its callers (NULL: no authentication). */
const authenticate_fn authenticators[] = {
    [API_ALSORN] = alsorn_authenticate,
    [API_ALTER] = NULL,
    [API_MOCK] = NULL,
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

    /* Alsorn trust and disputes (alsorn.md §4) */
    { "GET",    "/trust/{agent_id}",         alsorn_trust_get,          KEY_READ,  ALSORN, BODY_IGNORED },
    { "POST",   "/trust/query",              alsorn_trust_query,        KEY_READ,  ALSORN, BODY_REQUIRED },
    { "GET",    "/trust/{agent_id}/history", alsorn_trust_history,      KEY_READ,  ALSORN, BODY_IGNORED },
    { "POST",   "/trust/evaluate/{agent_id}", alsorn_trust_evaluate,    KEY_READ,  ALSORN, BODY_OPTIONAL },
    { "POST",   "/trust/report",             alsorn_dispute_report,     KEY_WRITE, ALSORN, BODY_REQUIRED },
    { "GET",    "/trust/disputes/{id}",      alsorn_dispute_get,        KEY_READ,  ALSORN, BODY_IGNORED },

    /* Alsorn transactions (alsorn.md §5) */
    { "POST",   "/transactions",             alsorn_transaction_execute, KEY_WRITE, ALSORN, BODY_REQUIRED },
    { "GET",    "/transactions",             alsorn_transaction_list,   KEY_READ,  ALSORN, BODY_IGNORED },
    { "GET",    "/transactions/export",      alsorn_transaction_export, KEY_READ,  ALSORN, BODY_IGNORED },
    { "GET",    "/transactions/{id}",        alsorn_transaction_get,    KEY_READ,  ALSORN, BODY_IGNORED },
    { "POST",   "/transactions/{id}/reverse", alsorn_transaction_reverse, KEY_WRITE, ALSORN, BODY_OPTIONAL },

    /* Sandbox controls (DESIGN.md) */
    { "GET",    "/_mock/health",             mock_health,               KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/orgs",               mock_org_create,           KEY_NONE,  MOCK,   BODY_OPTIONAL },
    { "POST",   "/_mock/keys/revoke",        mock_key_revoke,           KEY_NONE,  MOCK,   BODY_REQUIRED },
    /* issue 3: clock, data generator, dispute resolution */
    { "GET",    "/_mock/clock",              mock_clock_get,            KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/clock",              mock_clock_change,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/orgs/{id}/generate", mock_org_generate,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/orgs/{id}/disputes/{dispute_id}/resolve", mock_dispute_resolve, KEY_NONE, MOCK, BODY_REQUIRED },
};

const size_t n_routes = sizeof routes / sizeof routes[0];
