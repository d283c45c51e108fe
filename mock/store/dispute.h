/* Alsorn disputes as stored (alsorn.md §4 POST /trust/report), by id, per organization.
 * Callers hold the owning tenant's lock. */
#ifndef DISPUTE_H
#define DISPUTE_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "core/random.h"
#include "store/agent.h"
#include "store/transaction.h"

enum dispute_status { DISPUTE_PENDING, DISPUTE_UPHELD, DISPUTE_DISMISSED };
extern const char *const dispute_status_names[]; /* "pending_review", "upheld", "dismissed" */

#define DISPUTE_MAX_EVIDENCE 20

struct dispute {
    char id[ID_LEN]; /* dsp_... */
    /* borrowed, as in struct transaction: agents and transactions live as long as the tenant */
    struct agent *agent;                    /* the reported agent */
    struct agent *reported_by;              /* NULL = null */
    struct transaction *transaction;        /* NULL = null */
    struct transaction *evidence[DISPUTE_MAX_EVIDENCE];
    size_t n_evidence;
    char *reason;   /* owned */
    char *evidence_text; /* owned, NULL = null (the wire's "evidence") */
    enum dispute_status status;
    int64_t created_at, resolved_at;
    UT_hash_handle hh;
};

struct dispute_set {
    struct dispute *by_id; /* uthash */
};

void dispute_free(struct dispute *d);
void dispute_set_add(struct dispute_set *s, struct dispute *d); /* takes ownership */
struct dispute *dispute_set_find(const struct dispute_set *s, const char *id);
void dispute_set_free(struct dispute_set *s);

#endif
