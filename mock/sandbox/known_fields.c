#include "sandbox/known_fields.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/router.h"

#define MAX_FIELDS 16

/* Top-level body fields of each route with a JSON body (contract sections in comments).
 * Fields a route rejects on purpose (PATCH /agents/{id} environment, ...) are known: sending
 * them is a 422 the client sees, not a silently ignored field. */
static const struct {
    const char *method, *pattern;
    const char *fields[MAX_FIELDS];
} table[] = {
    /* alsorn.md §3 */
    {"POST", "/agents", {"name", "description", "authorized_actions", "spending_limit", "currency",
                         "environment"}},
    {"PATCH", "/agents/{id}", {"name", "description", "authorized_actions", "spending_limit",
                               "currency", "environment", "id", "fingerprint", "status"}},
    /* §4 */
    {"POST", "/trust/query", {"agent_ids"}},
    {"POST", "/trust/evaluate/{agent_id}", {"action", "amount", "currency"}},
    {"POST", "/trust/report", {"agent_id", "reason", "evidence", "transaction_id", "evidence_ids"}},
    /* §5 */
    {"POST", "/transactions", {"agent_id", "counterparty_id", "amount", "currency", "action_type",
                               "notes"}},
    {"POST", "/transactions/{id}/reverse", {"reason"}},
    /* §6 */
    {"POST", "/webhooks", {"url", "events"}},
    {"PATCH", "/webhooks/{id}", {"url", "events", "active"}},
    /* alter.md §3–§4 */
    {"POST", "/sdk/agents", {"name", "display_name", "type", "scopes", "metadata", "policy"}},
    {"PATCH", "/sdk/agents/{id}", {"display_name", "metadata", "scopes", "policy", "name"}},
    {"POST", "/sdk/agents/{id}/keys", {"name"}},
    {"POST", "/sdk/agents/{id}/keys/{key_id}/revoke", {"force"}},
    /* §7 (timeout_ms: the mock's own bound on the proxied call) */
    {"POST", "/sdk/token", {"grant_id", "method", "url", "reason", "context"}},
    {"POST", "/sdk/proxy", {"grant_id", "method", "url", "headers", "body_b64", "reason", "context",
                            "timeout_ms"}},
    {"POST", "/sdk/grants/{id}/revoke", {"reason"}},
};

static const char *const *by_route[512]; /* indexed like routes[]; NULL: no list */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void) {
    for (size_t i = 0; i < n_routes && i < sizeof by_route / sizeof by_route[0]; i++)
        for (size_t t = 0; t < sizeof table / sizeof table[0]; t++)
            if (!strcmp(routes[i].method, table[t].method) && !strcmp(routes[i].pattern, table[t].pattern))
                by_route[i] = table[t].fields;
}

bool known_fields_unknown(const struct route *route, const char *name) {
    pthread_once(&once, build);
    size_t i = (size_t)(route - routes);
    const char *const *fields = i < sizeof by_route / sizeof by_route[0] ? by_route[i] : NULL;
    if (!fields) return false;
    for (size_t f = 0; f < MAX_FIELDS && fields[f]; f++)
        if (!strcmp(fields[f], name)) return false;
    return true;
}

size_t known_fields_unmatched_rows(void) {
    size_t unmatched = 0;
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        bool found = false;
        for (size_t i = 0; i < n_routes && !found; i++)
            found = !strcmp(routes[i].method, table[t].method) && !strcmp(routes[i].pattern, table[t].pattern);
        unmatched += !found;
    }
    return unmatched;
}
