/* GET|POST /_mock/orgs/{id}/api?path=/agents%3Flimit%3D50 runs one route of the Alsorn or
 * Alter API as the org's administrator and answers what that route answers.
 *
 * Why: the dashboard shows an org's agents, transactions and webhooks, but the sandbox keeps
 * keys hashed, so it cannot hand the page a key, and minting one for the page would put the
 * dashboard's own traffic into the org's journal, report, rate counters and Alter audit log.
 * A call made here is a sandbox call (guarded by --admin-token like every /_mock/ route): the
 * API's handler runs with the org as its caller, skipping authentication, rate limits, faults,
 * idempotency, the journal, the report and Alter's audit row.  Alter is read-only here (an
 * Alter write would escape its audit log); Alsorn writes (reverse a transaction, send a test
 * event) write their own audit entries as they do for any caller. */
#include "on_behalf.h"

#include <stdlib.h>
#include <string.h>

#include "alter/app.h"
#include "dispatch.h"
#include "store/store.h"

#define INNER_PATH_MAX 2048

void mock_org_on_behalf(struct req *r) {
    char target[INNER_PATH_MAX];
    int has = req_query(r, "path", target, sizeof target);
    if (has <= 0 || target[0] != '/') {
        struct field_errors fe = {0};
        if (has < 0)
            field_error_add(&fe, "path", "must be at most %d characters", INNER_PATH_MAX - 1);
        else
            field_error_add(&fe, "path", "is required: an API path starting with /");
        return reply_validation(r, &fe);
    }
    char *query = strchr(target, '?');
    if (query) *query++ = '\0';

    struct req in = {.conn = r->conn,
                     .ri = r->ri,
                     .method = r->method,
                     .path = target,
                     .query = query,
                     .now = r->now,
                     .sandbox.started_us = r->sandbox.started_us};
    memcpy(in.request_id, r->request_id, sizeof in.request_id);
    in.route = router_match(&in);
    if (!in.route || in.route->api == API_MOCK)
        return reply_error(r, 404, "not_found", "No API route for %s %s", r->method, target);
    if (in.route->api == API_ALTER && strcmp(r->method, "GET") != 0)
        return reply_error(r, 405, "method_not_allowed",
                           "Alter is read-only here: its writes belong in its audit log");
    if (in.route->body == BODY_STREAM || (in.route->body == BODY_REQUIRED && !r->json))
        return reply_error(r, 400, "invalid_json", "%s %s needs a JSON object body", r->method,
                           target);

    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", r->params[0]);
    in.api = in.route->api;
    in.caller.tenant = t; /* the reference is released below */
    in.caller.level = in.api == API_ALSORN ? KEY_ADMIN : (int)ALTER_SCOPES_ALL;
    memcpy(in.caller.owner_id, t->user_id, sizeof in.caller.owner_id);
    memcpy(in.caller.key_prefix, "sandbox", sizeof "sandbox");
    if (in.route->body != BODY_IGNORED) { /* the body moves to the inner request */
        in.json = r->json;
        r->json = NULL;
    }
    in.route->handler(&in);

    reply_body_free(&r->reply);
    r->reply = in.reply; /* the status, headers and body (owned or the thread's buffer) */
    cJSON_Delete(in.json);
    cJSON_Delete(in.audit_details);
    tenant_release(t);
}
