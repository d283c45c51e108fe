/* Approvals (alter.md §7): a proxy call of an agent whose policy has require_approval waits,
 * stored, until the sandbox's admin API approves or denies it.
 *
 *   pending ──approve──▶ approved ─▶ executing ──▶ executed (the result is kept)
 *      │                                      └──▶ failed   (no answer, or the grant went)
 *      ├──deny──▶ denied
 *      └──(expires_at passes on the virtual clock)──▶ expired
 *
 * Expiry is noticed lazily, by whoever reads or decides the approval after expires_at.  The
 * approved call runs once, on a thread of its own, so the admin call that approved it answers
 * at once even when the upstream hangs (it is bounded by the call's timeout).  Every step is
 * a row on the app's audit chain that repeats the proxy request's caller, agent, trace,
 * grant and request id: the audit log tells the whole story under that request's run_id.
 * Callers hold the tenant's lock. */
#ifndef ALTER_APPROVAL_H
#define ALTER_APPROVAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uthash.h>

#include "alter/audit_log.h"
#include "alter/proxy_call.h"
#include "core/random.h"

#define ALTER_APPROVAL_TTL 3600 /* seconds a pending approval waits */

enum alter_approval_status {
    ALTER_APPROVAL_PENDING,
    ALTER_APPROVAL_APPROVED,
    ALTER_APPROVAL_EXECUTING,
    ALTER_APPROVAL_EXECUTED,
    ALTER_APPROVAL_DENIED,
    ALTER_APPROVAL_EXPIRED,
    ALTER_APPROVAL_FAILED,
};
extern const char *const alter_approval_status_names[];

struct alter_approval {
    char id[UUID_LEN];
    char grant_id[UUID_LEN];
    char agent_id[UUID_LEN]; /* who asked; only it (and the app) may read the approval */
    enum alter_approval_status status;
    int64_t created_at, expires_at, decided_at, executed_at; /* 0 = null */
    char *decision_reason;                                   /* owned; NULL = null */
    char *approval_url;                                      /* owned */
    struct proxy_call call;         /* owned, immutable: the execution thread reads it unlocked */
    cJSON *result;                  /* owned: the proxy's answer once executed */
    cJSON *error;                   /* owned {code, message, details} once failed */
    struct alter_audit_row *origin; /* owned: the proxy request's row, copied by every step */
    UT_hash_handle hh;
};

struct alter_approvals {
    struct alter_approval *by_id; /* owned */
};

struct tenant;

/* A pending approval of call (taken) by agent_id on grant_id, registered in the directory;
 * origin (taken) is the asking request's row; its approval_url, where a person decides it, is
 * url_base + "/" + its id.  NULL when out of memory (call and origin freed). */
struct alter_approval *alter_approval_create(struct tenant *t, const char *grant_id,
                                             const char *agent_id, struct proxy_call *call,
                                             struct alter_audit_row *origin, const char *url_base,
                                             int64_t now);
/* Finds an approval and notices its expiry (writing the approval.expired row). */
struct alter_approval *alter_approval_find(struct tenant *t, const char *id, int64_t now);

enum alter_decision_result { ALTER_DECIDED, ALTER_DECISION_NOT_PENDING, ALTER_DECISION_NOMEM };
/* Denies a pending approval, or approves it and starts its execution on a thread of its own
 * (which takes a reference to t). */
enum alter_decision_result alter_approval_decide(struct tenant *t, struct alter_approval *a,
                                                 bool approve, const char *reason, int64_t now);

/* {approval_id, status, grant_id, agent_id, request {method, url}, approval_url, created_at,
 * expires_at, decided_at, decision_reason, executed_at, has_result, error} */
cJSON *alter_approval_json(const struct alter_approval *a);
/* Adds an approval as a snapshot saved it (its directory entry is the caller's), taking it.
 * One that was approved or executing when saved becomes failed with error code
 * "interrupted": its call cannot be finished, and making it again could reach the provider
 * twice. */
void alter_approval_restore(struct alter_approvals *approvals, struct alter_approval *a);
void alter_approval_free(struct alter_approval *a);
void alter_approvals_free(struct alter_approvals *approvals);

/* Waits until no approved call is still running (shutdown, before the store is cleared). */
void alter_approval_executions_wait(void);

#endif
