/* The route table: every endpoint of both contracts and of the sandbox, one row each.
 * The dispatcher (dispatch.c) matches a row, authenticates the caller against `needs`,
 * parses the body as `body` says, and calls the handler. */
#include "core/router.h"

#include "alsorn/agents.h"
#include "alsorn/auth.h"
#include "alsorn/disputes.h"
#include "alsorn/transactions.h"
#include "alsorn/trust_api.h"
#include "alsorn/webhooks.h"
#include "alter/agents.h"
#include "alter/approvals.h"
#include "alter/audit.h"
#include "alter/auth.h"
#include "alter/grants.h"
#include "alter/keys.h"
#include "alter/me.h"
#include "alter/proxy.h"
#include "alter/token.h"
#include "sandbox/admin.h"
#include "sandbox/alter_vault.h"
#include "sandbox/clock.h"
#include "sandbox/generate.h"
#include "sandbox/openapi.h"
#include "sandbox/state.h"
#include "on_behalf.h"
#include "sandbox/ui.h"
#include "sandbox/trust_check.h"
#include "sandbox/webhook_settings.h"
#include "store/store.h"

/* How each api checks its callers (NULL: no authentication).  An authenticator also picks
 * the request's rate-limit bucket (struct caller: rate_key, rate_limit, rate_window_seconds);
 * the dispatcher counts it and answers 429 with the api's code below. */
const authenticate_fn authenticators[] = {
    [API_ALSORN] = alsorn_authenticate,
    [API_ALTER] = alter_authenticate,
    [API_MOCK] = mock_authenticate,
};
const char *const rate_limit_codes[] = {
    [API_ALSORN] = "rate_limit_exceeded", /* alsorn.md §8 */
    [API_ALTER] = "rate_limited",         /* alter.md §8 */
    [API_MOCK] = "rate_limited",
};

#define ALSORN API_ALSORN
#define MOCK   API_MOCK
#define ALTER  API_ALTER

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

    /* Alter: agents (alter.md §3), keys (§4), the agent itself (§5), audit (§6) */
    { "POST",   "/sdk/agents",                                 alter_agent_create,      SCOPE_AGENTS_WRITE, ALTER, BODY_REQUIRED },
    { "GET",    "/sdk/agents",                                 alter_agent_list,        SCOPE_AGENTS_READ,  ALTER, BODY_IGNORED },
    { "GET",    "/sdk/agents/me",                              alter_agent_me,          AGENT_IDENTITY,     ALTER, BODY_IGNORED },
    { "GET",    "/sdk/agents/by-name/{name}",                  alter_agent_get_by_name, SCOPE_AGENTS_READ,  ALTER, BODY_IGNORED },
    { "GET",    "/sdk/agents/{id}",                            alter_agent_get,         SCOPE_AGENTS_READ,  ALTER, BODY_IGNORED },
    { "PATCH",  "/sdk/agents/{id}",                            alter_agent_update,      SCOPE_AGENTS_WRITE, ALTER, BODY_REQUIRED },
    { "DELETE", "/sdk/agents/{id}",                            alter_agent_delete,      SCOPE_AGENTS_ADMIN, ALTER, BODY_IGNORED },
    { "POST",   "/sdk/agents/{id}/keys",                       alter_key_mint,          SCOPE_AGENTS_ADMIN, ALTER, BODY_OPTIONAL },
    { "GET",    "/sdk/agents/{id}/keys",                       alter_key_list,          SCOPE_AGENTS_ADMIN, ALTER, BODY_IGNORED },
    { "POST",   "/sdk/agents/{id}/keys/{key_id}/deprecate",    alter_key_deprecate,     SCOPE_AGENTS_ADMIN, ALTER, BODY_IGNORED },
    { "POST",   "/sdk/agents/{id}/keys/{key_id}/undeprecate",  alter_key_undeprecate,   SCOPE_AGENTS_ADMIN, ALTER, BODY_IGNORED },
    { "POST",   "/sdk/agents/{id}/keys/{key_id}/revoke",       alter_key_revoke,        SCOPE_AGENTS_ADMIN, ALTER, BODY_OPTIONAL },
    { "GET",    "/sdk/audit",                                  alter_audit_list,        SCOPE_AUDIT_READ,   ALTER, BODY_IGNORED },
    { "GET",    "/sdk/audit/verify",                           alter_audit_verify,      SCOPE_AUDIT_READ,   ALTER, BODY_IGNORED },
    /* Alsorn webhooks (alsorn.md §6): admin keys only */
    { "POST",   "/webhooks",                 alsorn_webhook_create,     KEY_ADMIN, ALSORN, BODY_REQUIRED },
    { "GET",    "/webhooks",                 alsorn_webhook_list,       KEY_ADMIN, ALSORN, BODY_IGNORED },
    { "GET",    "/webhooks/{id}",            alsorn_webhook_get,        KEY_ADMIN, ALSORN, BODY_IGNORED },
    { "PATCH",  "/webhooks/{id}",            alsorn_webhook_update,     KEY_ADMIN, ALSORN, BODY_REQUIRED },
    { "DELETE", "/webhooks/{id}",            alsorn_webhook_delete,     KEY_ADMIN, ALSORN, BODY_IGNORED },
    { "POST",   "/webhooks/{id}/test",       alsorn_webhook_test,       KEY_ADMIN, ALSORN, BODY_IGNORED },
    { "GET",    "/webhooks/{id}/deliveries", alsorn_webhook_deliveries, KEY_ADMIN, ALSORN, BODY_IGNORED },

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

    /* Alter: vaulted access (alter.md §7): grants, retrieve and proxy modes, approvals */
    { "GET",    "/sdk/grants",                 alter_grant_list,      SCOPE_AGENTS_READ | OR_AGENT,  ALTER, BODY_IGNORED },
    { "POST",   "/sdk/grants/{id}/revoke",     alter_grant_revoke,    SCOPE_AGENTS_ADMIN,            ALTER, BODY_OPTIONAL },
    { "POST",   "/sdk/token",                  alter_token_issue,     APP_OR_AGENT,                  ALTER, BODY_REQUIRED },
    { "POST",   "/sdk/proxy",                  alter_proxy_call,      APP_OR_AGENT,                  ALTER, BODY_REQUIRED },
    { "GET",    "/sdk/approvals/{id}",         alter_approval_get,    SCOPE_AGENTS_READ | OR_AGENT,  ALTER, BODY_IGNORED },
    { "GET",    "/sdk/approvals/{id}/result",  alter_approval_result, SCOPE_AGENTS_READ | OR_AGENT,  ALTER, BODY_IGNORED },
    /* Sandbox controls (DESIGN.md "Sandbox controls"; --admin-token guards all but health and the dashboard page) */
    { "GET",    "/_mock/health",             mock_health,               KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/openapi/{file}",     mock_openapi_get,          KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/orgs",               mock_org_create,           KEY_NONE,  MOCK,   BODY_OPTIONAL },
    { "POST",   "/_mock/keys/revoke",        mock_key_revoke,           KEY_NONE,  MOCK,   BODY_REQUIRED },
    /* Sandbox: one org's settings and removal, resets, injected faults, the request journal,
     * the coverage report, whole-state export/import and snapshots, Alter app keys */
    { "GET",    "/_mock/orgs/{id}",          mock_org_get,              KEY_NONE,  MOCK,   BODY_IGNORED },
    { "PATCH",  "/_mock/orgs/{id}",          mock_org_update,           KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "DELETE", "/_mock/orgs/{id}",          mock_org_delete,           KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/reset",              mock_reset,                KEY_NONE,  MOCK,   BODY_OPTIONAL },
    { "POST",   "/_mock/faults",             mock_fault_create,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "GET",    "/_mock/faults",             mock_fault_list,           KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/faults",             mock_fault_clear,          KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/faults/{id}",        mock_fault_delete,         KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/requests",           mock_requests_list,        KEY_NONE,  MOCK,   BODY_IGNORED },
    { "DELETE", "/_mock/requests",           mock_requests_clear,       KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/report",             mock_report,               KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/state",              mock_state_export,         KEY_NONE,  MOCK,   BODY_IGNORED },
    { "PUT",    "/_mock/state",              mock_state_import,         KEY_NONE,  MOCK,   BODY_STREAM },
    { "POST",   "/_mock/snapshot",           mock_snapshot_save,        KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/alter/app-keys",     mock_alter_app_key_create, KEY_NONE,  MOCK,   BODY_REQUIRED },

    /* Sandbox: webhook delivery settings of one org (retry schedule, attempts, timeout) */
    { "GET",    "/_mock/orgs/{id}/webhook-settings", mock_webhook_settings_get,    KEY_NONE, MOCK, BODY_IGNORED },
    { "PATCH",  "/_mock/orgs/{id}/webhook-settings", mock_webhook_settings_update, KEY_NONE, MOCK, BODY_REQUIRED },
    /* Sandbox: every stored trust score of one org against a recomputation from scratch */
    { "GET",    "/_mock/orgs/{id}/trust-check",      mock_trust_check,             KEY_NONE, MOCK, BODY_IGNORED },

    /* Sandbox: the mock clock, the data generator, and resolving a dispute (the step a real
     * dispute waits on a human for) */
    { "GET",    "/_mock/clock",              mock_clock_get,            KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/clock",              mock_clock_change,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/orgs/{id}/generate", mock_org_generate,         KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "POST",   "/_mock/orgs/{id}/disputes/{dispute_id}/resolve", mock_dispute_resolve, KEY_NONE, MOCK, BODY_REQUIRED },
    /* the Alter vault's sandbox side: grants are made and approvals decided here */
    { "POST",   "/_mock/alter/grants",                 mock_alter_grant_create,     KEY_NONE, MOCK, BODY_REQUIRED },
    { "GET",    "/_mock/alter/grants/{id}",            mock_alter_grant_get,        KEY_NONE, MOCK, BODY_IGNORED },
    { "GET",    "/_mock/alter/approvals/{id}",         mock_alter_approval_get,     KEY_NONE, MOCK, BODY_IGNORED },
    { "POST",   "/_mock/alter/approvals/{id}/approve", mock_alter_approval_approve, KEY_NONE, MOCK, BODY_OPTIONAL },
    { "POST",   "/_mock/alter/approvals/{id}/deny",    mock_alter_approval_deny,    KEY_NONE, MOCK, BODY_OPTIONAL },

    /* Sandbox dashboard: the page and its files (open even with --admin-token: they carry no
     * data), and the read-only views it needs beside the APIs (mock/README.md "Dashboard") */
    { "GET",    "/_mock/ui",                           mock_ui_page,                KEY_NONE, MOCK, BODY_IGNORED },
    { "GET",    "/_mock/ui/{asset}",                   mock_ui_asset,               KEY_NONE, MOCK, BODY_IGNORED },
    { "GET",    "/_mock/orgs",                         mock_org_list,               KEY_NONE, MOCK, BODY_IGNORED },
    { "GET",    "/_mock/orgs/{id}/alter/approvals",    mock_alter_approval_list,    KEY_NONE, MOCK, BODY_IGNORED },
    { "GET",    "/_mock/orgs/{id}/api",                mock_org_on_behalf,          KEY_NONE, MOCK, BODY_IGNORED },
    { "POST",   "/_mock/orgs/{id}/api",                mock_org_on_behalf,          KEY_NONE, MOCK, BODY_OPTIONAL },
    /* Validating SDKs: scripted sequences of answers (fault rules with steps; mock/README.md) */
    { "POST",   "/_mock/sequences",          mock_sequence_create,      KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "GET",    "/_mock/sequences",          mock_sequence_list,        KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/sequences/{id}",     mock_sequence_get,         KEY_NONE,  MOCK,   BODY_IGNORED },
    /* ... and graded sessions: an org + checklist per SDK, graded when closed */
    { "POST",   "/_mock/sessions",           mock_session_create,       KEY_NONE,  MOCK,   BODY_REQUIRED },
    { "GET",    "/_mock/sessions",           mock_session_list,         KEY_NONE,  MOCK,   BODY_IGNORED },
    { "GET",    "/_mock/sessions/{id}",      mock_session_get,          KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/sessions/{id}/close", mock_session_close,       KEY_NONE,  MOCK,   BODY_IGNORED },
    { "POST",   "/_mock/sessions/{id}/results", mock_session_result,    KEY_NONE,  MOCK,   BODY_REQUIRED },
    /* ... and a probe of the SDK's webhook receiver (allow-listed URL) */
    { "POST",   "/_mock/webhook-probe",      mock_webhook_probe,        KEY_NONE,  MOCK,   BODY_REQUIRED },
};

const size_t n_routes = sizeof routes / sizeof routes[0];
