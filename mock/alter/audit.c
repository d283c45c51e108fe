#include "alter/audit.h"
#include "alter/limits.h"
#include "core/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alter/agents.h"
#include "alter/app.h"
#include "alter/approvals.h"
#include "alter/grants.h"
#include "alter/keys.h"
#include "alter/me.h"
#include "alter/proxy.h"
#include "alter/token.h"
#include "alter/trace.h"
#include "core/router.h"
#include "store/tenant.h"
#include "core/text_copy.h"


/* The action each route records.  A route missing here records "request". */
static const struct {
    handler_fn handler;
    const char *action;
} actions[] = {
    {alter_agent_create, "agent.created"},   {alter_agent_list, "agent.listed"},
    {alter_agent_get, "agent.read"},         {alter_agent_get_by_name, "agent.read"},
    {alter_agent_update, "agent.updated"},   {alter_agent_delete, "agent.deleted"},
    {alter_key_mint, "key.minted"},          {alter_key_list, "key.listed"},
    {alter_key_deprecate, "key.deprecated"}, {alter_key_undeprecate, "key.undeprecated"},
    {alter_key_revoke, "key.revoked"},       {alter_agent_me, "agent.me"},
    {alter_audit_list, "audit.listed"},      {alter_audit_verify, "audit.verified"},
    {alter_grant_list, "grant.listed"},      {alter_grant_revoke, "grant.revoked"},
    {alter_token_issue, "token.retrieved"},  {alter_proxy_call, "proxy.executed"},
    {alter_approval_get, "approval.read"},   {alter_approval_result, "approval.result_read"},
};

static const char *action_of(const struct route *route) {
    for (size_t i = 0; route && i < sizeof actions / sizeof actions[0]; i++)
        if (actions[i].handler == route->handler) return actions[i].action;
    return "request";
}

static enum alter_outcome outcome_of(int status) {
    if (status < 400) return ALTER_OUTCOME_SUCCESS;
    return status == 401 || status == 403 ? ALTER_OUTCOME_DENIED : ALTER_OUTCOME_ERROR;
}

/* The path as printable ASCII: other bytes are percent-encoded.  Caller frees. */
static char *printable_path(const char *path) {
    size_t n = strlen(path);
    char *out = malloc(3 * n + 1), *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p > 0x20 && *p < 0x7f)
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

static bool dup_field(char **slot, const char *value) {
    if (!value) return true;
    *slot = strdup(value);
    return *slot != NULL;
}

struct alter_audit_row *alter_audit_row_of_request(const struct req *r) {
    struct alter_audit_row *row = calloc(1, sizeof *row);
    if (!row) return NULL;
    random_object_id(row->id, sizeof row->id, "audit_");
    row->created_at = r->now;
    text_copy(row->action, sizeof row->action, r->audit_action ? r->audit_action : action_of(r->route));
    row->outcome = outcome_of(r->reply.status);
    row->status_code = r->reply.status;
    text_copy(row->caller_key_prefix, sizeof row->caller_key_prefix, r->caller.key_prefix);
    row->caller_is_agent = r->caller.is_agent;
    text_copy(row->agent_id, sizeof row->agent_id, r->caller.is_agent ? r->caller.agent_id : r->subject_id);
    text_copy(row->request_id, sizeof row->request_id, r->request_id);
    memcpy(row->grant_id, r->grant_id, sizeof row->grant_id);
    /* a header that failed its check was refused with 422 and is left out here */
    struct field_errors ignored = {0};
    struct alter_trace trace;
    alter_trace_parse(r, &trace, &ignored);
    field_errors_free(&ignored);
    row->trace = trace.metadata;
    bool ok = trace.metadata && dup_field(&row->run_id, trace.run_id) &&
              dup_field(&row->thread_id, trace.thread_id) &&
              dup_field(&row->parent_run_id, trace.parent_run_id) &&
              dup_field(&row->method, r->method) && (row->path = printable_path(r->path));
    if (!ok) {
        alter_audit_row_free(row);
        return NULL;
    }
    return row;
}

void alter_audit_record(struct req *r) {
    struct tenant *t = r->caller.tenant;
    if (r->api != API_ALTER || !t) return;
    struct alter_audit_row *row = alter_audit_row_of_request(r);
    int rc = -1;
    if (row) {
        row->details = r->audit_details;
        r->audit_details = NULL;
        tenant_lock(t);
        /* an app call on /sdk/agents/{id}/... that failed before its handler found the agent
         * (a 422, say) is still about that agent when the agent exists */
        const struct alter_agent *a =
            !row->agent_id[0] && r->route && r->n_params > 0 &&
                    strncmp(r->route->pattern, "/sdk/agents/{id}", 16) == 0
                ? alter_app_find_agent(t->alter, r->params[0])
                : NULL;
        if (a) memcpy(row->agent_id, a->id, sizeof a->id);
        rc = alter_audit_log_append(&t->alter->audit, row);
        tenant_unlock(t);
    }
    if (rc != 0) reply_error(r, 500, "internal_error", "The call's audit row could not be written");
}

/* Reads an optional non-empty filter; NULL when absent or invalid (with a field error). */
static const char *filter(const struct req *r, struct field_errors *fe, const char *name, char *buf,
                          size_t size) {
    int got = req_query(r, name, buf, size);
    if (got == 0) return NULL;
    if (got < 0 || !buf[0]) {
        field_error_add(fe, name, "must be 1 to %zu characters", size - 1);
        return NULL;
    }
    return buf;
}

/* Where the kept chain starts: the hash its first row links to (null when no row was ever
 * dropped) and how many rows were dropped before it. */
static void add_anchor(cJSON *body, const struct alter_audit_log *log) {
    json_add_string_or_null(body, "anchor_hash", log->anchor[0] ? log->anchor : NULL);
    json_add_number(body, "dropped", (double)log->dropped);
}

void alter_audit_list(struct req *r) {
    struct field_errors fe = {0};
    long limit;
    req_query_int(r, &fe, "limit", 1, ALTER_AUDIT_LIMIT_MAX, ALTER_AUDIT_LIMIT_DEFAULT, &limit);
    char after[ID_LEN], agent_id[UUID_LEN], action[48];
    char run_id[TRACE_VALUE_MAX * 4 + 1], thread_id[TRACE_VALUE_MAX * 4 + 1];
    const char *after_v = filter(r, &fe, "after", after, sizeof after);
    struct alter_audit_filter f = {
        .agent_id = filter(r, &fe, "agent_id", agent_id, sizeof agent_id),
        .run_id = filter(r, &fe, "run_id", run_id, sizeof run_id),
        .thread_id = filter(r, &fe, "thread_id", thread_id, sizeof thread_id),
        .action = filter(r, &fe, "action", action, sizeof action),
    };
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    size_t *positions = malloc((size_t)limit * sizeof *positions);
    if (!positions) return reply_error(r, 500, "internal_error", "Out of memory");
    struct tenant *t = r->caller.tenant;
    struct alter_audit_log *log = &t->alter->audit;
    tenant_lock(t);
    long start = after_v ? alter_audit_log_position(log, after_v) : -1;
    if (alter_audit_log_seal(log) != 0 || (after_v && start < 0)) {
        if (after_v && start < 0) {
            /* also a row dropped since the cursor was handed out */
            field_error_add(&fe, "after", "is not the id of a row of this app's audit log");
            reply_validation(r, &fe);
        } else {
            reply_error(r, 500, "internal_error", "Out of memory");
        }
        tenant_unlock(t);
        free(positions);
        return;
    }
    bool more = false;
    size_t n = alter_audit_log_query(log, &f, start, (size_t)limit, positions, &more);
    /* rendered under the lock: a later call of the app may drop these rows */
    cJSON *rows = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(
            rows, alter_audit_row_json(log->rows[positions[i]],
                                       alter_audit_log_previous_hash(log, positions[i])));
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "rows", rows);
    json_add_string_or_null(body, "next_cursor", more ? log->rows[positions[n - 1]]->id : NULL);
    add_anchor(body, log);
    tenant_unlock(t);
    free(positions);
    reply_json(r, 200, body);
}

void alter_audit_verify(struct req *r) {
    struct tenant *t = r->caller.tenant;
    struct alter_audit_log *log = &t->alter->audit;
    size_t n = 0;
    char anchor[SHA256_TAGGED_LEN];
    uint64_t dropped;
    tenant_lock(t);
    /* references on the rows: hashing a long chain takes a while, so not under the lock */
    struct alter_audit_row **rows =
        alter_audit_log_seal(log) == 0 ? alter_audit_log_rows(log, &n) : NULL;
    memcpy(anchor, log->anchor, sizeof anchor);
    dropped = log->dropped;
    tenant_unlock(t);
    if (!rows) return reply_error(r, 500, "internal_error", "Out of memory");
    struct alter_audit_check check;
    alter_audit_rows_verify(rows, n, anchor, &check);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddBoolToObject(body, "valid", check.valid);
    json_add_number(body, "length", (double)check.length);
    json_add_string_or_null(body, "head_hash", check.head_hash);
    json_add_string_or_null(body, "broken_at",
                            check.broken_at >= 0 ? rows[check.broken_at]->id : NULL);
    json_add_string_or_null(body, "anchor_hash", anchor[0] ? anchor : NULL);
    json_add_number(body, "dropped", (double)dropped);
    alter_audit_rows_release(rows, n);
    reply_json(r, 200, body);
}
