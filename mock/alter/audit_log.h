/* An Alter app's audit log (alter.md §6): one hash chain over every authenticated call.
 *
 * hash = "sha256:" + hex(SHA-256(canonical JSON of every other field of the row, previous_hash
 * included)), previous_hash being the prior row's hash (null for the first).  Rows are
 * append-only.  Besides the chain, rows are indexed by id (the list's cursor) and by agent_id,
 * run_id, thread_id and action, so a filtered page reads only the rows of its smallest
 * filter.  Callers hold the tenant's lock.
 *
 * The log is capped (alter_audit_log_set_max, --alter-audit-max): when an append takes it past
 * the cap, its oldest rows are dropped, max/16 of them at once (at least one) so that dropping
 * costs O(1) per call on average.  The chain stays verifiable: the hash of the last dropped
 * row is kept as the chain's anchor, the previous_hash of the oldest row kept, and the rows
 * dropped are counted. */
#ifndef ALTER_AUDIT_LOG_H
#define ALTER_AUDIT_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uthash.h>

#include "alter/key_hash.h"
#include "core/canonical_json.h"
#include "core/random.h"

enum alter_outcome { ALTER_OUTCOME_SUCCESS, ALTER_OUTCOME_DENIED, ALTER_OUTCOME_ERROR };
extern const char *const alter_outcome_names[];

struct alter_audit_row {
    char id[ID_LEN]; /* audit_... */
    int64_t created_at;
    char action[40];
    enum alter_outcome outcome;
    int status_code;
    char caller_key_prefix[ALTER_KEY_PREFIX_LEN + 1];
    bool caller_is_agent;                     /* caller_type agent | app */
    char agent_id[ID_LEN];                    /* "" = null */
    char *run_id, *thread_id, *parent_run_id; /* owned; NULL = null */
    cJSON *trace;                             /* owned object {key: value} */
    char grant_id[UUID_LEN];                  /* "" = null */
    char *method, *path;                      /* owned */
    cJSON *details; /* owned object: what the call did beyond its route (the proxied call, the
                     * approval, the policy rule that denied it); NULL = {} */
    char request_id[32];
    char hash[SHA256_TAGGED_LEN]; /* set by alter_audit_log_seal */
    size_t position;              /* in log->rows, set by alter_audit_log_append */
    atomic_int refs; /* in a log: the log's reference and each reader's (alter_audit_log_rows) */
    UT_hash_handle hh;
};

struct posting; /* one index value → the positions of its rows */

struct alter_audit_log {
    struct alter_audit_row **rows; /* owned, oldest first */
    size_t n, cap;
    size_t hashed; /* rows [0, hashed) carry their hash */
    struct alter_audit_row *by_id;
    struct posting *by_agent, *by_run, *by_thread, *by_action;
    uint64_t dropped; /* rows dropped from the front since the chain began */
    char
        anchor[SHA256_TAGGED_LEN]; /* hash of the last row dropped ("" none): rows[0] links to it */
};

#define ALTER_AUDIT_MAX_DEFAULT 10000
/* The cap on each app's rows (1 or more), for logs of every app from now on. */
void alter_audit_log_set_max(size_t max_rows);
size_t alter_audit_log_max(void);

/* Frees a row that is in no log (never appended). */
void alter_audit_row_free(struct alter_audit_row *row);
/* A row for a later step of the request that `origin` is the row of (an approval's decision or
 * execution): origin's caller, agent, trace, grant, method, path and request id, with a new id
 * and these action, outcome, status, time and details (taken; NULL = {}).  NULL when out of
 * memory (details freed). */
struct alter_audit_row *alter_audit_row_step(const struct alter_audit_row *origin,
                                             const char *action, enum alter_outcome outcome,
                                             int status_code, int64_t now, cJSON *details);
/* Adds row at the end of the chain and takes ownership, then drops the oldest rows if the log
 * is over its cap.  Returns 0, or -1 when out of memory (the row is freed and the chain
 * unchanged).  Its hash is computed by the next seal: a row
 * never changes once appended, so hashing it when the chain is first read gives the same hash
 * as hashing it here, and every Alter call appends a row while few read them (hashing under
 * the organization's lock was a third of GET /sdk/agents/me). */
int alter_audit_log_append(struct alter_audit_log *log, struct alter_audit_row *row);
/* Hashes the rows appended since the last seal, in order.  Whatever reads hashes (the audit
 * list, verify, a snapshot) seals first, under the same lock as the appends.  0, or -1 when
 * out of memory (the rest stay unhashed until a later seal). */
int alter_audit_log_seal(struct alter_audit_log *log);
/* The previous_hash of the row at position pos: the hash of the row before it, or for the
 * first row the anchor (NULL when nothing was dropped).  The log must be sealed. */
const char *alter_audit_log_previous_hash(const struct alter_audit_log *log, size_t pos);
/* A row as the API renders it: every field and its hash, previous_hash being
 * previous_hash (NULL = null).  Rows of a log may be dropped by any later append: render
 * them under the tenant's lock, or from references taken under it (alter_audit_log_rows). */
cJSON *alter_audit_row_json(const struct alter_audit_row *row, const char *previous_hash);
/* A row from its API rendering (alter_audit_row_json: a snapshot's record), hash included
 * ("" for a row never appended, as an approval's origin); NULL when a field is missing,
 * mistyped or too long.  Caller frees. */
struct alter_audit_row *alter_audit_row_from_json(const cJSON *o);
/* Appends a row read back (its hash set) when it links onto the chain: its hash is the one
 * its fields and the last row's hash give (the anchor's for the first row), and its
 * previous_hash (NULL = null) names that row.  The cap applies as on append.  Takes ownership: 0,
 * -1 out of memory, -2 does not link (the row is freed either way). */
int alter_audit_log_restore(struct alter_audit_log *log, struct alter_audit_row *row,
                            const char *previous_hash);
/* Sets the anchor of an empty log: the chain was saved after `dropped` rows were dropped, the
 * last of them hashing to anchor (NULL or "": none).  0, or -1 when the log has rows or the
 * anchor is not a tagged SHA-256 hash. */
int alter_audit_log_set_anchor(struct alter_audit_log *log, const char *anchor, uint64_t dropped);
/* The row pointers of the whole chain, copied, with a reference on each row: taken under the
 * lock, read after it, so a long verify does not stall the app's calls and rows dropped
 * meanwhile stay alive.  NULL when out of memory.  Give back with alter_audit_rows_release. */
struct alter_audit_row **alter_audit_log_rows(const struct alter_audit_log *log, size_t *n);
/* Drops the references alter_audit_log_rows took and frees the array (no lock needed). */
void alter_audit_rows_release(struct alter_audit_row **rows, size_t n);
/* Position of the row with that id, or -1. */
long alter_audit_log_position(const struct alter_audit_log *log, const char *id);

struct alter_audit_filter {
    const char *agent_id, *run_id, *thread_id, *action; /* NULL: not filtered */
};
/* Writes into out the positions of up to `limit` rows after position `after` (-1: from the
 * first) that match f, oldest first; *more says whether another match follows them. */
size_t alter_audit_log_query(const struct alter_audit_log *log, const struct alter_audit_filter *f,
                             long after, size_t limit, size_t *out, bool *more);

struct alter_audit_check {
    bool valid;
    size_t length;
    const char *head_hash; /* into the last row; NULL when empty */
    long broken_at;        /* position of the first row that does not verify, or -1 */
};
/* Checks rows[0..n) (a copy from alter_audit_log_rows) as one chain whose first row links to
 * anchor (NULL: the chain's first row, previous_hash null). */
void alter_audit_rows_verify(struct alter_audit_row *const *rows, size_t n, const char *anchor,
                             struct alter_audit_check *out);
void alter_audit_log_free(struct alter_audit_log *log);

#endif
