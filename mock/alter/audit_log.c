#include "alter/audit_log.h"
#include "core/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json_read.h"
#include "store/posting.h"
#include "core/text_copy.h"

const char *const alter_outcome_names[] = {"success", "denied", "error", NULL};

static atomic_size_t max_rows = ALTER_AUDIT_MAX_DEFAULT;

void alter_audit_log_set_max(size_t n) {
    atomic_store(&max_rows, n ? n : 1);
}
size_t alter_audit_log_max(void) {
    return atomic_load(&max_rows);
}

void alter_audit_row_free(struct alter_audit_row *row) {
    if (!row) return;
    free(row->run_id);
    free(row->thread_id);
    free(row->parent_run_id);
    cJSON_Delete(row->trace);
    free(row->method);
    free(row->path);
    cJSON_Delete(row->details);
    free(row);
}

static void row_release(struct alter_audit_row *row) {
    if (atomic_fetch_sub(&row->refs, 1) == 1) alter_audit_row_free(row);
}

static bool copy_string(char **slot, const char *value) {
    return !value || (*slot = strdup(value)) != NULL;
}

struct alter_audit_row *alter_audit_row_step(const struct alter_audit_row *origin,
                                             const char *action, enum alter_outcome outcome,
                                             int status_code, int64_t now, cJSON *details) {
    struct alter_audit_row *row = calloc(1, sizeof *row);
    if (!row) {
        cJSON_Delete(details);
        return NULL;
    }
    row->details = details;
    random_object_id(row->id, sizeof row->id, "audit_");
    row->created_at = now;
    text_copy(row->action, sizeof row->action, action);
    row->outcome = outcome;
    row->status_code = status_code;
    memcpy(row->caller_key_prefix, origin->caller_key_prefix, sizeof row->caller_key_prefix);
    row->caller_is_agent = origin->caller_is_agent;
    memcpy(row->agent_id, origin->agent_id, sizeof row->agent_id);
    memcpy(row->grant_id, origin->grant_id, sizeof row->grant_id);
    memcpy(row->request_id, origin->request_id, sizeof row->request_id);
    row->trace = cJSON_Duplicate(origin->trace, true);
    if (!row->trace || !copy_string(&row->run_id, origin->run_id) ||
        !copy_string(&row->thread_id, origin->thread_id) ||
        !copy_string(&row->parent_run_id, origin->parent_run_id) ||
        !copy_string(&row->method, origin->method) || !copy_string(&row->path, origin->path)) {
        alter_audit_row_free(row);
        return NULL;
    }
    return row;
}

/* A string member, null when s is NULL or empty. */
static cJSON string_or_null(const char *name, const char *s) {
    return canonical_member(name, s && *s ? cJSON_String : cJSON_NULL, s);
}

/* An object member borrowing the members of o ({} when NULL). */
static cJSON object_member(const char *name, const cJSON *o) {
    cJSON m = canonical_member(name, cJSON_Object, NULL);
    m.child = o ? o->child : NULL;
    return m;
}

/* Every field but hash, as items on the stack borrowing the row's strings, in key order (the
 * canonical order, and the order the API shows them in).  An Alter call hashes one row, and
 * building, sorting and freeing a cJSON tree for it was a fifth of GET /sdk/agents/me. */
#define ROW_MEMBERS 18
struct row_text {
    char created_at[RFC3339_LEN], status_code[32];
};
static cJSON row_members(const struct alter_audit_row *row, const char *prev,
                         struct row_text *text, cJSON m[ROW_MEMBERS]) {
    clock_format(row->created_at, text->created_at);
    decimal_format(row->status_code, 0, text->status_code);
    size_t n = 0;
    m[n++] = canonical_member("action", cJSON_String, row->action);
    m[n++] = string_or_null("agent_id", row->agent_id);
    m[n++] = canonical_member("caller_key_prefix", cJSON_String, row->caller_key_prefix);
    m[n++] = canonical_member("caller_type", cJSON_String, row->caller_is_agent ? "agent" : "app");
    m[n++] = canonical_member("created_at", cJSON_String, text->created_at);
    m[n++] = object_member("details", row->details);
    m[n++] = string_or_null("grant_id", row->grant_id);
    m[n++] = canonical_member("id", cJSON_String, row->id);
    m[n++] = canonical_member("method", cJSON_String, row->method ? row->method : "");
    m[n++] = canonical_member("outcome", cJSON_String, alter_outcome_names[row->outcome]);
    m[n++] = string_or_null("parent_run_id", row->parent_run_id);
    m[n++] = canonical_member("path", cJSON_String, row->path ? row->path : "");
    m[n++] = string_or_null("previous_hash", prev);
    m[n++] = canonical_member("request_id", cJSON_String, row->request_id);
    m[n++] = string_or_null("run_id", row->run_id);
    m[n++] = canonical_member("status_code", cJSON_Raw, text->status_code);
    m[n++] = string_or_null("thread_id", row->thread_id);
    m[n++] = object_member("trace", row->trace);
    return canonical_object(m, n);
}

static const char *previous_hash(struct alter_audit_row *const *rows, size_t i,
                                 const char *anchor) {
    return i ? rows[i - 1]->hash : anchor && *anchor ? anchor : NULL;
}

const char *alter_audit_log_previous_hash(const struct alter_audit_log *log, size_t pos) {
    return previous_hash(log->rows, pos, log->anchor);
}

/* hash = SHA-256 over the canonical text of every other field */
static int hash_row(const struct alter_audit_row *row, const char *prev,
                    char out[SHA256_TAGGED_LEN]) {
    struct row_text text;
    cJSON m[ROW_MEMBERS], fields = row_members(row, prev, &text, m);
    return canonical_sha256(&fields, out);
}

/* Adds a hashed row at the end of the chain and to the indexes; 0, or -1 (row freed). */
static int append_hashed(struct alter_audit_log *log, struct alter_audit_row *row) {
    size_t pos = log->n;
    struct {
        struct posting **table;
        const char *key;
    } indexes[] = {
        {&log->by_agent, row->agent_id[0] ? row->agent_id : NULL},
        {&log->by_run, row->run_id},
        {&log->by_thread, row->thread_id},
        {&log->by_action, row->action},
    };
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
        if (!indexes[i].key || posting_add(indexes[i].table, indexes[i].key, pos) == 0) continue;
        while (i-- > 0) /* undo the earlier ones: each added pos last */
            if (indexes[i].key) posting_undo(*indexes[i].table, indexes[i].key);
        alter_audit_row_free(row);
        return -1;
    }
    row->position = pos;
    atomic_init(&row->refs, 1);
    log->rows[log->n++] = row;
    HASH_ADD_STR(log->by_id, id, row);
    return 0;
}

static int reserve(struct alter_audit_log *log) {
    if (log->n < log->cap) return 0;
    size_t cap = log->cap ? log->cap * 2 : 64;
    struct alter_audit_row **grown = realloc(log->rows, cap * sizeof *grown);
    if (!grown) return -1;
    log->rows = grown;
    log->cap = cap;
    return 0;
}

int alter_audit_log_seal(struct alter_audit_log *log) {
    for (; log->hashed < log->n; log->hashed++) {
        struct alter_audit_row *row = log->rows[log->hashed];
        if (hash_row(row, alter_audit_log_previous_hash(log, log->hashed), row->hash) != 0)
            return -1;
    }
    return 0;
}

/* Over the cap: drops the oldest rows, keeping the last one's hash as the anchor.  Dropping
 * max/16 at once makes the renumbering of the rest (their positions, the indexes) cost O(1)
 * per append on average.  When the rows to drop cannot be hashed (out of memory) the log
 * stays over its cap until a later append. */
static void trim(struct alter_audit_log *log) {
    size_t max = alter_audit_log_max();
    if (log->n <= max) return;
    size_t k = log->n - max + max / 16;
    if (alter_audit_log_seal(log) != 0) return; /* the anchor is a hash */
    memcpy(log->anchor, log->rows[k - 1]->hash, sizeof log->anchor);
    for (size_t i = 0; i < k; i++) {
        HASH_DEL(log->by_id, log->rows[i]);
        row_release(log->rows[i]);
    }
    log->n -= k;
    log->hashed -= k;
    memmove(log->rows, log->rows + k, log->n * sizeof *log->rows);
    for (size_t i = 0; i < log->n; i++)
        log->rows[i]->position = i;
    posting_shift_all(&log->by_agent, k);
    posting_shift_all(&log->by_run, k);
    posting_shift_all(&log->by_thread, k);
    posting_shift_all(&log->by_action, k);
    log->dropped += k;
}

int alter_audit_log_append(struct alter_audit_log *log, struct alter_audit_row *row) {
    if (reserve(log) != 0) {
        alter_audit_row_free(row);
        return -1;
    }
    row->hash[0] = '\0';
    if (append_hashed(log, row) != 0) return -1;
    trim(log);
    return 0;
}

int alter_audit_log_set_anchor(struct alter_audit_log *log, const char *anchor, uint64_t dropped) {
    if (log->n) return -1;
    if (!anchor || !*anchor) {
        log->anchor[0] = '\0';
    } else {
        size_t len = strlen(anchor);
        if (len != SHA256_TAGGED_LEN - 1 || strncmp(anchor, "sha256:", 7) != 0 ||
            strspn(anchor + 7, "0123456789abcdef") != len - 7)
            return -1;
        memcpy(log->anchor, anchor, len + 1);
    }
    log->dropped = dropped;
    return 0;
}

int alter_audit_log_restore(struct alter_audit_log *log, struct alter_audit_row *row,
                            const char *previous) {
    char hash[SHA256_TAGGED_LEN];
    if (alter_audit_log_seal(log) != 0) { /* the row before needs its hash */
        alter_audit_row_free(row);
        return -1;
    }
    const char *expected_previous = alter_audit_log_previous_hash(log, log->n);
    if (reserve(log) != 0 || hash_row(row, expected_previous, hash) != 0) {
        alter_audit_row_free(row);
        return -1;
    }
    bool links = (previous ? expected_previous && strcmp(previous, expected_previous) == 0
                           : !expected_previous) &&
                 strcmp(hash, row->hash) == 0;
    if (!links) {
        alter_audit_row_free(row);
        return -2;
    }
    if (append_hashed(log, row) != 0) return -1;
    log->hashed = log->n; /* checked against the hash it was saved with */
    trim(log);
    return 0;
}

/* Copies a string-or-null member: "" for null into a fixed field.  false when mistyped or
 * too long. */
static bool copy_or_empty(const cJSON *o, const char *name, char *out, size_t size) {
    const cJSON *it = jr_member(o, name);
    out[0] = '\0';
    if (cJSON_IsNull(it)) return true;
    if (!cJSON_IsString(it) || strlen(it->valuestring) >= size) return false;
    memcpy(out, it->valuestring, strlen(it->valuestring) + 1);
    return true;
}

struct alter_audit_row *alter_audit_row_from_json(const cJSON *o) {
    struct alter_audit_row *row = calloc(1, sizeof *row);
    if (!row) return NULL;
    bool ok = true;
    jr_copy(o, "id", row->id, sizeof row->id, &ok);
    ok = clock_parse(jr_string(o, "created_at", &ok), &row->created_at) == 0 && ok;
    jr_copy(o, "action", row->action, sizeof row->action, &ok);
    row->outcome = (enum alter_outcome)jr_enum(o, "outcome", alter_outcome_names, &ok);
    row->status_code = (int)jr_int(o, "status_code", &ok);
    const char *prefix = jr_string(o, "caller_key_prefix", &ok);
    ok = ok && strlen(prefix) < sizeof row->caller_key_prefix;
    if (ok) memcpy(row->caller_key_prefix, prefix, strlen(prefix) + 1);
    static const char *const caller_types[] = {"app", "agent", NULL};
    row->caller_is_agent = jr_enum(o, "caller_type", caller_types, &ok) == 1;
    ok = copy_or_empty(o, "agent_id", row->agent_id, sizeof row->agent_id) && ok;
    row->run_id = jr_strdup_or_null(o, "run_id", &ok);
    row->thread_id = jr_strdup_or_null(o, "thread_id", &ok);
    row->parent_run_id = jr_strdup_or_null(o, "parent_run_id", &ok);
    const cJSON *trace = jr_member(o, "trace");
    ok = cJSON_IsObject(trace) && (row->trace = cJSON_Duplicate(trace, true)) && ok;
    ok = copy_or_empty(o, "grant_id", row->grant_id, sizeof row->grant_id) && ok;
    row->method = strdup(jr_string(o, "method", &ok));
    row->path = strdup(jr_string(o, "path", &ok));
    ok = copy_or_empty(o, "request_id", row->request_id, sizeof row->request_id) && ok;
    const cJSON *details = jr_member(o, "details");
    ok = cJSON_IsObject(details) && (row->details = cJSON_Duplicate(details, true)) && ok;
    ok = copy_or_empty(o, "hash", row->hash, sizeof row->hash) && ok; /* "": never appended */
    if (ok && row->method && row->path) return row;
    alter_audit_row_free(row);
    return NULL;
}

cJSON *alter_audit_row_json(const struct alter_audit_row *row, const char *previous_hash) {
    struct row_text text;
    cJSON m[ROW_MEMBERS], fields = row_members(row, previous_hash, &text, m);
    cJSON *o = cJSON_Duplicate(&fields, true); /* the stack items, copied to the heap */
    if (o) json_add_string(o, "hash", row->hash);
    return o;
}

struct alter_audit_row **alter_audit_log_rows(const struct alter_audit_log *log, size_t *n) {
    struct alter_audit_row **copy = malloc((log->n ? log->n : 1) * sizeof *copy);
    *n = copy ? log->n : 0;
    if (copy && log->n) memcpy(copy, log->rows, log->n * sizeof *copy);
    for (size_t i = 0; copy && i < log->n; i++)
        atomic_fetch_add(&copy[i]->refs, 1);
    return copy;
}

void alter_audit_rows_release(struct alter_audit_row **rows, size_t n) {
    for (size_t i = 0; rows && i < n; i++)
        row_release(rows[i]);
    free(rows);
}

long alter_audit_log_position(const struct alter_audit_log *log, const char *id) {
    struct alter_audit_row *row = NULL;
    HASH_FIND_STR(log->by_id, id, row);
    return row ? (long)row->position : -1;
}

static bool matches(const struct alter_audit_row *row, const struct alter_audit_filter *f) {
    return (!f->agent_id || strcmp(row->agent_id, f->agent_id) == 0) &&
           (!f->run_id || (row->run_id && strcmp(row->run_id, f->run_id) == 0)) &&
           (!f->thread_id || (row->thread_id && strcmp(row->thread_id, f->thread_id) == 0)) &&
           (!f->action || strcmp(row->action, f->action) == 0);
}

size_t alter_audit_log_query(const struct alter_audit_log *log, const struct alter_audit_filter *f,
                             long after, size_t limit, size_t *out, bool *more) {
    /* Walk the shortest list of candidates: the posting of the rarest filter value, or every
     * row when there is no filter.  A value with no posting matches nothing. */
    const struct {
        struct posting *table;
        const char *key;
    } filters[] = {{log->by_agent, f->agent_id},
                   {log->by_run, f->run_id},
                   {log->by_thread, f->thread_id},
                   {log->by_action, f->action}};
    const struct posting *best = NULL;
    *more = false;
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        if (!filters[i].key) continue;
        const struct posting *p = posting_find(filters[i].table, filters[i].key);
        if (!p) return 0;
        if (!best || p->n < best->n) best = p;
    }
    size_t n = best ? best->n : log->n;
    size_t k = best ? posting_first_after(best, after) : (size_t)(after + 1);
    size_t got = 0;
    for (; k < n; k++) {
        size_t pos = best ? best->pos[k] : k;
        if (!matches(log->rows[pos], f)) continue;
        if (got == limit) {
            *more = true;
            break;
        }
        out[got++] = pos;
    }
    return got;
}

void alter_audit_rows_verify(struct alter_audit_row *const *rows, size_t n, const char *anchor,
                             struct alter_audit_check *out) {
    out->valid = true;
    out->length = n;
    out->head_hash = n ? rows[n - 1]->hash : NULL;
    out->broken_at = -1;
    for (size_t i = 0; i < n; i++) {
        char hash[SHA256_TAGGED_LEN];
        if (hash_row(rows[i], previous_hash(rows, i, anchor), hash) != 0 ||
            strcmp(hash, rows[i]->hash) != 0) {
            out->valid = false;
            out->broken_at = (long)i;
            return;
        }
    }
}

void alter_audit_log_free(struct alter_audit_log *log) {
    HASH_CLEAR(hh, log->by_id);
    for (size_t i = 0; i < log->n; i++)
        row_release(log->rows[i]);
    free(log->rows);
    posting_free_all(&log->by_agent);
    posting_free_all(&log->by_run);
    posting_free_all(&log->by_thread);
    posting_free_all(&log->by_action);
    *log = (struct alter_audit_log){0};
}
