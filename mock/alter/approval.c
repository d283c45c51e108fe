#include "alter/approval.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alter/app.h"
#include "alter/upstream.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"
#include "core/text_copy.h"

const char *const alter_approval_status_names[] = {"pending", "approved", "executing", "executed",
                                                   "denied",  "expired",  "failed",    NULL};

/* Approved calls still running, so shutdown can wait for them. */
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t running_done = PTHREAD_COND_INITIALIZER;
static int running;

void alter_approval_free(struct alter_approval *a) {
    if (!a) return;
    free(a->decision_reason);
    free(a->approval_url);
    proxy_call_free(&a->call);
    cJSON_Delete(a->result);
    cJSON_Delete(a->error);
    alter_audit_row_free(a->origin);
    free(a);
}

/* Appends the step's row (details taken; approval_id added).  A row that cannot be written is
 * logged: the step has happened and is visible on the approval itself. */
static void record(struct tenant *t, const struct alter_approval *a, const char *action,
                   enum alter_outcome outcome, int status_code, int64_t now, cJSON *details) {
    if (!details) details = cJSON_CreateObject();
    cJSON_AddStringToObject(details, "approval_id", a->id);
    struct alter_audit_row *row =
        alter_audit_row_step(a->origin, action, outcome, status_code, now, details);
    if (!row || alter_audit_log_append(&t->alter->audit, row) != 0)
        log_error("approval %s: the %s audit row could not be written (out of memory)", a->id,
                  action);
}

struct alter_approval *alter_approval_create(struct tenant *t, const char *grant_id,
                                             const char *agent_id, struct proxy_call *call,
                                             struct alter_audit_row *origin, const char *url_base,
                                             int64_t now) {
    struct alter_approval *a = calloc(1, sizeof *a);
    if (!a) goto fail;
    random_uuid(a->id);
    if (asprintf(&a->approval_url, "%s/%s", url_base, a->id) < 0) {
        a->approval_url = NULL;
        goto fail;
    }
    text_copy(a->grant_id, sizeof a->grant_id, grant_id);
    text_copy(a->agent_id, sizeof a->agent_id, agent_id);
    a->status = ALTER_APPROVAL_PENDING;
    a->created_at = now;
    a->expires_at = now + ALTER_APPROVAL_TTL;
    if (store_alter_object_register(a->id, t) != 0) goto fail;
    a->call = *call; /* taken */
    memset(call, 0, sizeof *call);
    a->origin = origin;
    HASH_ADD_STR(t->alter->approvals.by_id, id, a);
    return a;
fail:
    if (a) free(a->approval_url);
    free(a);
    proxy_call_free(call);
    alter_audit_row_free(origin);
    return NULL;
}

struct alter_approval *alter_approval_find(struct tenant *t, const char *id, int64_t now) {
    struct alter_approval *a = NULL;
    HASH_FIND_STR(t->alter->approvals.by_id, id, a);
    if (a && a->status == ALTER_APPROVAL_PENDING && now >= a->expires_at) {
        a->status = ALTER_APPROVAL_EXPIRED;
        record(t, a, "approval.expired", ALTER_OUTCOME_ERROR, 410, a->expires_at, NULL);
    }
    return a;
}

static cJSON *error_json(const char *code, const char *message, cJSON *details) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "message", message);
    cJSON_AddItemToObject(o, "details", details ? details : cJSON_CreateObject());
    return o;
}

/* The end of an execution: the result, or the error it failed with.  Lock held. */
static void finish(struct tenant *t, struct alter_approval *a, const struct upstream_result *res,
                   int64_t now) {
    a->executed_at = now;
    cJSON *audit = cJSON_CreateObject();
    cJSON_AddItemToObject(audit, "upstream", upstream_audit_json(&a->call, res));
    if (res->error) {
        a->status = ALTER_APPROVAL_FAILED;
        a->error =
            error_json("upstream_error", res->message, upstream_error_details(&a->call, res));
        record(t, a, "approval.failed", ALTER_OUTCOME_ERROR, 502, now, audit);
        return;
    }
    a->status = ALTER_APPROVAL_EXECUTED;
    a->result = upstream_result_json(res);
    record(t, a, "approval.executed", ALTER_OUTCOME_SUCCESS, 200, now, audit);
}

struct execution {
    struct tenant *t; /* a reference: the approval lives as long as its tenant */
    struct alter_approval *a;
    char *credential; /* owned header line */
};

static void *execute(void *arg) {
    struct execution *x = arg;
    struct upstream_result res;
    upstream_perform(&x->a->call, x->credential, &res); /* the call is immutable: no lock */
    tenant_lock(x->t);
    finish(x->t, x->a, &res, clock_now());
    tenant_unlock(x->t);
    upstream_result_free(&res);
    tenant_release(x->t);
    free(x->credential);
    free(x);
    pthread_mutex_lock(&running_lock);
    if (--running == 0) pthread_cond_broadcast(&running_done);
    pthread_mutex_unlock(&running_lock);
    return NULL;
}

/* Starts the approved call on its own thread.  false when no thread could be started. */
static bool start_execution(struct tenant *t, struct alter_approval *a, const char *credential) {
    struct execution *x = calloc(1, sizeof *x);
    if (!x || !(x->credential = strdup(credential))) {
        free(x);
        return false;
    }
    x->t = t;
    x->a = a;
    tenant_retain(t);
    pthread_mutex_lock(&running_lock);
    running++;
    pthread_mutex_unlock(&running_lock);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, execute, x);
    pthread_attr_destroy(&attr);
    if (rc == 0) return true;
    pthread_mutex_lock(&running_lock);
    running--;
    pthread_mutex_unlock(&running_lock);
    tenant_release(t);
    free(x->credential);
    free(x);
    return false;
}

/* Why an approved call cannot run any more (the grant or the agent went meanwhile), or NULL. */
static cJSON *gone(struct tenant *t, const struct alter_approval *a, const struct alter_grant **g) {
    *g = alter_grant_find(&t->alter->grants, a->grant_id);
    const struct alter_agent *agent = alter_app_find_agent(t->alter, a->agent_id);
    if (!*g || (*g)->revoked)
        return error_json("grant_revoked", "The grant was revoked before the call could run", NULL);
    if (!agent || agent->revoked)
        return error_json("agent_revoked", "The agent was deleted before the call could run", NULL);
    return NULL;
}

enum alter_decision_result alter_approval_decide(struct tenant *t, struct alter_approval *a,
                                                 bool approve, const char *reason, int64_t now) {
    if (a->status != ALTER_APPROVAL_PENDING) return ALTER_DECISION_NOT_PENDING;
    char *reason_copy = reason ? strdup(reason) : NULL;
    if (reason && !reason_copy) return ALTER_DECISION_NOMEM;
    a->decision_reason = reason_copy;
    a->decided_at = now;
    cJSON *details = cJSON_CreateObject();
    if (reason) cJSON_AddStringToObject(details, "reason", reason);
    if (!approve) {
        a->status = ALTER_APPROVAL_DENIED;
        record(t, a, "approval.denied", ALTER_OUTCOME_DENIED, 200, now, details);
        return ALTER_DECIDED;
    }
    a->status = ALTER_APPROVAL_APPROVED;
    record(t, a, "approval.approved", ALTER_OUTCOME_SUCCESS, 200, now, details);
    const struct alter_grant *g;
    cJSON *why = gone(t, a, &g);
    char credential[GRANT_TOKEN_MAX + 64];
    if (!why) {
        snprintf(credential, sizeof credential, "Authorization: %s %s", g->token_type,
                 g->upstream_token);
        a->status = ALTER_APPROVAL_EXECUTING;
        if (start_execution(t, a, credential)) return ALTER_DECIDED;
        why = error_json("internal_error", "No thread could be started to run the call", NULL);
    }
    a->status = ALTER_APPROVAL_FAILED;
    a->executed_at = now;
    a->error = why;
    cJSON *audit = cJSON_CreateObject();
    cJSON_AddItemToObject(audit, "error", cJSON_Duplicate(why, true));
    const char *code = cJSON_GetObjectItem(why, "code")->valuestring;
    int status = !strcmp(code, "grant_revoked") ? 410 : !strcmp(code, "agent_revoked") ? 409 : 500;
    record(t, a, "approval.failed", ALTER_OUTCOME_ERROR, status, now, audit);
    return ALTER_DECIDED;
}

cJSON *alter_approval_json(const struct alter_approval *a) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "approval_id", a->id);
    cJSON_AddStringToObject(o, "status", alter_approval_status_names[a->status]);
    cJSON_AddStringToObject(o, "grant_id", a->grant_id);
    cJSON_AddStringToObject(o, "agent_id", a->agent_id);
    cJSON *request = cJSON_AddObjectToObject(o, "request");
    cJSON_AddStringToObject(request, "method", a->call.method);
    cJSON_AddStringToObject(request, "url", a->call.url);
    cJSON_AddStringToObject(o, "approval_url", a->approval_url);
    json_add_time(o, "created_at", a->created_at);
    json_add_time(o, "expires_at", a->expires_at);
    json_add_time(o, "decided_at", a->decided_at);
    json_add_string_or_null(o, "decision_reason", a->decision_reason);
    json_add_time(o, "executed_at", a->executed_at);
    cJSON_AddBoolToObject(o, "has_result", a->result != NULL);
    cJSON_AddItemToObject(o, "error",
                          a->error ? cJSON_Duplicate(a->error, true) : cJSON_CreateNull());
    return o;
}

void alter_approval_restore(struct alter_approvals *approvals, struct alter_approval *a) {
    if (a->status == ALTER_APPROVAL_APPROVED || a->status == ALTER_APPROVAL_EXECUTING) {
        /* its call was running in the process that saved it: nothing here can finish it, and
         * running it again could reach the provider twice */
        a->status = ALTER_APPROVAL_FAILED;
        if (!a->executed_at) a->executed_at = a->decided_at;
        cJSON_Delete(a->error);
        a->error = error_json("interrupted",
                              "The mock stopped while the approved call ran; it may or may not "
                              "have reached the provider",
                              NULL);
    }
    HASH_ADD_STR(approvals->by_id, id, a);
}

void alter_approvals_free(struct alter_approvals *approvals) {
    struct alter_approval *a, *tmp;
    HASH_ITER(hh, approvals->by_id, a, tmp) {
        HASH_DEL(approvals->by_id, a);
        alter_approval_free(a);
    }
}

void alter_approval_executions_wait(void) {
    pthread_mutex_lock(&running_lock);
    while (running > 0)
        pthread_cond_wait(&running_done, &running_lock);
    pthread_mutex_unlock(&running_lock);
}
