#include "sandbox/report.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <uthash.h>

#include "core/clock.h"
#include "core/json_parse.h"
#include "core/router.h"
#include "sandbox/credentials.h"
#include "sandbox/faults.h"
#include "sandbox/fields_probe.h"
#include "sandbox/known_fields.h"
#include "store/tenant.h"

#define STATUSES_PER_ROUTE 16
#define RECENT_VIOLATIONS  100
#define SEEN_MAX           4096 /* per map: recent 429s, recent POSTs without a key */
#define POST_REPEAT_MS     60000
#define REPEAT_MS          60000 /* a repeat later than this is a new request, not a retry */
#define RETRY_TOLERANCE_MS 1000  /* Retry-After is whole seconds: a client may round down */

enum kind {
    UNKNOWN_FIELD, WRONG_TYPE, EARLY_RETRY, POST_WITHOUT_KEY, MISSING_USER_AGENT,
    WHILE_LIMITED, POST_NEW_KEY, RETRY_NON_RETRYABLE, RETRY_OF_SUCCESS, CLIENT_GONE,
    CREDENTIALS_IN_QUERY, PAGE_BEYOND_LAST, PAGINATION_LOOP, FIELDS_NOT_SENT, KINDS
};
static const char *const kind_names[KINDS] = {
    "unknown_field", "wrong_type", "retry_before_retry_after",
    "post_retry_without_idempotency_key", "missing_user_agent",
    "request_while_rate_limited", "post_retry_with_new_idempotency_key",
    "retry_of_non_retryable_status", "retry_of_successful_request", "request_abandoned_by_client",
    "credentials_in_query", "page_beyond_last", "pagination_loop", "fields_not_sent",
};

/* Counted without the report's lock (atomics): a status gets its slot under the lock once,
 * then every request with it only adds 1. */
struct route_coverage {
    _Atomic long calls;
    _Atomic int n_statuses;
    struct {
        _Atomic int status; /* 0: dropped */
        _Atomic long count;
    } statuses[STATUSES_PER_ROUTE];
};

struct violation {
    enum kind kind;
    char method[16];
    char path[160];
    char request_id[32];
    char detail[200];
    int64_t at;
};

/* A request fingerprint (64-bit hash) and a time in virtual milliseconds; in the history map,
 * what that request got and under which Idempotency-Key. */
struct seen {
    uint64_t hash;
    int64_t ms;
    int status;    /* 0: dropped or abandoned */
    uint64_t idem; /* hash of its Idempotency-Key; 0: none */
    long writes;   /* the tenant's successful writes when it was answered */
    bool had_more; /* a list page that said more pages follow */
    int64_t since_ms; /* a 429's send time: requests that arrived before it are not retries */
    UT_hash_handle hh;
};

/* A well-behaved request (a User-Agent, known fields, no 429 pending, an Idempotency-Key on
 * its POST) takes no lock here: only violations and the two maps need it. */
struct report {
    pthread_mutex_t lock; /* guards the maps, the counts and the ring below */
    _Atomic(struct route_coverage *) coverage; /* n_routes, allocated at the first record */
    struct seen *retry_not_before; /* after a 429: bucket+method+path → when Retry-After ends */
    struct seen *posts;            /* POST without a key: bucket+path+query+body → when sent */
    /* after a 429: bucket+connection → when its window ends (one client's own 429: other
     * threads of a correct SDK, on their own connections, never saw it) */
    struct seen *limited;
    /* requests whose repeat would be a wrong retry: bucket+method+path+query+body → answer */
    struct seen *history;
    _Atomic size_t n_retry;        /* read without the lock: 0 means no 429 to check against */
    _Atomic size_t n_posts;
    _Atomic size_t n_limited, n_history;
    _Atomic long writes;           /* successful writes: a change between two equal requests */
    long counts[KINDS];
    struct violation recent[RECENT_VIOLATIONS]; /* ring */
    size_t n_recent, next_recent;
    /* A graded session's fields probe (sandbox/fields_probe.h): set once, before the org's
     * keys are given out, and kept until the report is freed (read without the lock). */
    _Atomic(cJSON *) fields_probe;
    /* What the org's traffic exercised that no violation shows (a graded session's evidence) */
    _Atomic long fields_probes_seen; /* the probe's registration arrived */
    _Atomic long verified_false;     /* a verification answered false (verified / valid) */
    _Atomic long last_pages;         /* a later page of a list that said it was the last */
};

struct report *report_new(void) {
    struct report *rep = calloc(1, sizeof *rep);
    if (rep) pthread_mutex_init(&rep->lock, NULL);
    return rep;
}

static void seen_free_all(struct seen **map) {
    struct seen *s, *tmp;
    HASH_ITER(hh, *map, s, tmp) {
        HASH_DEL(*map, s);
        free(s);
    }
}

/* Lock held.  The coverage array stays (requests count into it without the lock): zeroed. */
static void clear_locked(struct report *rep) {
    struct route_coverage *coverage = atomic_load(&rep->coverage);
    for (size_t i = 0; coverage && i < n_routes; i++) {
        struct route_coverage *c = &coverage[i];
        /* slots past n_statuses were never taken (they are taken under the lock, in order) */
        int n = atomic_load(&c->n_statuses);
        atomic_store(&c->n_statuses, 0);
        atomic_store(&c->calls, 0);
        for (int k = 0; k < n && k < STATUSES_PER_ROUTE; k++) {
            atomic_store(&c->statuses[k].status, 0);
            atomic_store(&c->statuses[k].count, 0);
        }
    }
    seen_free_all(&rep->retry_not_before);
    atomic_store(&rep->n_retry, 0);
    seen_free_all(&rep->posts);
    atomic_store(&rep->n_posts, 0);
    seen_free_all(&rep->limited);
    atomic_store(&rep->n_limited, 0);
    seen_free_all(&rep->history);
    atomic_store(&rep->n_history, 0);
    memset(rep->counts, 0, sizeof rep->counts);
    rep->n_recent = rep->next_recent = 0;
    atomic_store(&rep->fields_probes_seen, 0);
    atomic_store(&rep->verified_false, 0);
    atomic_store(&rep->last_pages, 0);
}

void report_clear(struct report *rep) {
    pthread_mutex_lock(&rep->lock);
    clear_locked(rep);
    pthread_mutex_unlock(&rep->lock);
}

void report_free(struct report *rep) {
    if (!rep) return;
    clear_locked(rep);
    free(atomic_load(&rep->coverage));
    cJSON_Delete(atomic_load(&rep->fields_probe));
    pthread_mutex_destroy(&rep->lock);
    free(rep);
}

static struct report *unauthenticated;
static pthread_once_t unauthenticated_once = PTHREAD_ONCE_INIT;
static void make_unauthenticated(void) { unauthenticated = report_new(); }

struct report *report_unauthenticated(void) {
    pthread_once(&unauthenticated_once, make_unauthenticated);
    return unauthenticated;
}

/* ---- recording ------------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_str(uint64_t h, const char *s) { return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1); }

static struct seen *seen_find(struct seen *map, uint64_t hash) {
    struct seen *s = NULL;
    HASH_FIND(hh, map, &hash, sizeof hash, s);
    return s;
}

/* Sets hash's time (moving it to the back of the age order); drops the oldest past the cap.
 * Returns the entry (NULL when out of memory). */
static struct seen *seen_put(struct seen **map, _Atomic size_t *n, uint64_t hash, int64_t ms) {
    struct seen *s = seen_find(*map, hash);
    if (s) {
        HASH_DEL(*map, s);
    } else {
        if (*n >= SEEN_MAX) {
            struct seen *oldest = *map;
            HASH_DEL(*map, oldest);
            free(oldest);
            --*n;
        }
        if (!(s = calloc(1, sizeof *s))) return NULL;
        s->hash = hash;
        ++*n;
    }
    s->ms = ms;
    HASH_ADD(hh, *map, hash, sizeof s->hash, s);
    return s;
}

static void seen_del(struct seen **map, _Atomic size_t *n, struct seen *s) {
    HASH_DEL(*map, s);
    free(s);
    --*n;
}

static void add_violation(struct report *rep, const struct req *r, enum kind kind, int64_t now,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add_violation(struct report *rep, const struct req *r, enum kind kind, int64_t now,
                          const char *fmt, ...) {
    rep->counts[kind]++;
    struct violation *v = &rep->recent[rep->next_recent];
    rep->next_recent = (rep->next_recent + 1) % RECENT_VIOLATIONS;
    if (rep->n_recent < RECENT_VIOLATIONS) rep->n_recent++;
    v->kind = kind;
    utf8_copy_lossy(v->method, sizeof v->method, r->method, strlen(r->method));
    utf8_copy_lossy(v->path, sizeof v->path, r->path, strlen(r->path));
    utf8_copy_lossy(v->request_id, sizeof v->request_id, r->request_id, strlen(r->request_id));
    v->at = now;
    char detail[sizeof v->detail];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    utf8_copy_lossy(v->detail, sizeof v->detail, detail, strlen(detail)); /* a cut character */
}

/* Adds 1 to the status's slot; a new status takes a slot under the lock. */
static void count_status(struct report *rep, struct route_coverage *c, int status) {
    atomic_fetch_add(&c->calls, 1);
    int n = atomic_load(&c->n_statuses);
    for (int i = 0; i < n; i++) {
        if (atomic_load(&c->statuses[i].status) == status) {
            atomic_fetch_add(&c->statuses[i].count, 1);
            return;
        }
    }
    pthread_mutex_lock(&rep->lock);
    n = atomic_load(&c->n_statuses);
    int i = 0;
    while (i < n && atomic_load(&c->statuses[i].status) != status) i++;
    if (i == n && n < STATUSES_PER_ROUTE) { /* else more distinct statuses than any route has */
        atomic_store(&c->statuses[i].status, status);
        atomic_store(&c->n_statuses, n + 1); /* after the status: readers see it whole */
    }
    if (i < STATUSES_PER_ROUTE) atomic_fetch_add(&c->statuses[i].count, 1);
    pthread_mutex_unlock(&rep->lock);
}

static struct route_coverage *coverage_of(struct report *rep) {
    struct route_coverage *coverage = atomic_load(&rep->coverage);
    if (coverage) return coverage;
    struct route_coverage *fresh = calloc(n_routes, sizeof *fresh), *expected = NULL;
    if (!fresh) return NULL;
    if (atomic_compare_exchange_strong(&rep->coverage, &expected, fresh)) return fresh;
    free(fresh); /* another request got there first */
    return expected;
}

/* The JSON type a field error's message names ("must be a string ...": cJSON_String), or 0
 * when it names none (core/validate.c and the handlers). */
static int named_type(const char *m) {
    static const struct { const char *phrase; int type; } types[] = {
        {"must be a string", cJSON_String}, {"must be a number", cJSON_Number},
        {"must be a boolean", cJSON_True}, {"must be an array", cJSON_Array},
        {"must be an object", cJSON_Object}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strncmp(m, types[i].phrase, strlen(types[i].phrase))) return types[i].type;
    return 0;
}

/* The value at a field error's path in the body ("policy.time_window", "scopes.github[0]");
 * NULL when the path does not lead into it (a query parameter, a header, a missing member). */
static const cJSON *body_value(const cJSON *body, const char *path) {
    const cJSON *v = body;
    for (const char *p = path; v && *p;) {
        if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']' || !cJSON_IsArray(v)) return NULL;
            v = cJSON_GetArrayItem(v, (int)i);
            p = end + 1;
            continue;
        }
        if (*p == '.') p++;
        char name[128];
        size_t n = strcspn(p, ".[");
        if (n >= sizeof name || !cJSON_IsObject(v)) return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        v = cJSON_GetObjectItemCaseSensitive(v, name);
        p += n;
    }
    return v;
}

/* A message naming a type is also the one for a value of that type out of its range ("must be
 * an array of at most 100 CIDRs", "must be a string of 1 to 256 characters"): the body's own
 * value tells.  Its type differs, or an array said to hold strings holds something else. */
static bool wrong_type_sent(const cJSON *body, const char *field, const char *message) {
    int type = named_type(message);
    if (!type) return false;
    const cJSON *v = body_value(body, field);
    if (!v) return true; /* not in the body: the message is all there is to go by */
    if (type == cJSON_True ? !cJSON_IsBool(v) : (v->type & 0xFF) != type) return true;
    if (type != cJSON_Array || !strstr(message, "string")) return false;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        if (!cJSON_IsString(item)) return true;
    }
    return false;
}

/* Field errors of a rendered 422 (Alsorn: error.field_errors, Alter: details.fields). */
static void check_wrong_types(struct report *rep, const struct req *r, int64_t now) {
    cJSON *body = json_parse_guarded(r->reply.body, r->reply.body_len, JSON_REPLY_MAX_DEPTH, NULL);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(err, "field_errors");
    if (!list) list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "details"), "fields");
    const cJSON *fe;
    cJSON_ArrayForEach(fe, list) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(fe, "field");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(fe, "message");
        if (cJSON_IsString(field) && cJSON_IsString(msg) &&
            wrong_type_sent(r->json, field->valuestring, msg->valuestring))
            add_violation(rep, r, WRONG_TYPE, now, "%.80s %.100s", field->valuestring, msg->valuestring);
    }
    cJSON_Delete(body);
}

/* The bucket a request counts against names "the same client" for the retry checks. */
static const char *client_of(const struct req *r) {
    return r->caller.rate_key[0] ? r->caller.rate_key : r->ri->remote_addr;
}

#define FNV_SEED 14695981039346656037ull

/* One client connection on a bucket: the 429 it got is something this client knows about. */
static uint64_t connection_hash(const struct req *r) {
    uint64_t h = hash_str(hash_str(FNV_SEED, client_of(r)), r->ri->remote_addr);
    return fnv(h, &r->ri->remote_port, sizeof r->ri->remote_port);
}

static bool is_write(const char *method) {
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* "The same request": same client, method, path, query and body (not the Idempotency-Key:
 * whether a retry kept it is what some checks look at).  A read also on the same connection:
 * two threads of one SDK reading the same thing is normal, and a read carries nothing else
 * that would tell them apart.  A write refused before its body was read (a 429) is named by
 * its Idempotency-Key, so two threads' refused POSTs stay apart (a correct SDK sends one). */
static uint64_t request_hash(const struct req *r) {
    uint64_t h = hash_str(hash_str(hash_str(hash_str(FNV_SEED, client_of(r)), r->method), r->path), r->query);
    bool body_unread = !r->body && (r->ri->content_length > 0 || req_header(r, "Transfer-Encoding"));
    if (body_unread) {
        const char *key = req_header(r, "Idempotency-Key");
        return key ? hash_str(h, key) : h;
    }
    h = fnv(h, r->body ? r->body : "", r->body_len);
    return is_write(r->method) ? h : h ^ connection_hash(r);
}

static bool in_window(const struct seen *s, int64_t arrived_ms) {
    return arrived_ms >= s->since_ms && arrived_ms < s->ms - RETRY_TOLERANCE_MS;
}

/* After a 429 with Retry-After, judged by arrival time (a request already on its way when the
 * 429 was sent is not a retry):
 *   retry_before_retry_after    the same request again before the window ends
 *   request_while_rate_limited  any other request on the connection that got the 429
 * Other connections are other threads of the SDK, which never saw that 429. */
static void check_rate_limited(struct report *rep, const struct req *r, uint64_t req_hash,
                               int64_t now_ms) {
    int64_t arrived = r->sandbox.arrived_ms;
    uint64_t conn = connection_hash(r);
    struct seen *same = seen_find(rep->retry_not_before, req_hash);
    struct seen *limited = seen_find(rep->limited, conn);
    if (same && in_window(same, arrived))
        add_violation(rep, r, EARLY_RETRY, now_ms / 1000,
                      "retried %lld ms before the Retry-After of the previous 429 had elapsed",
                      (long long)(same->ms - arrived));
    else if (limited && in_window(limited, arrived))
        add_violation(rep, r, WHILE_LIMITED, now_ms / 1000,
                      "sent %lld ms before the Retry-After of a 429 this client got had elapsed",
                      (long long)(limited->ms - arrived));
    if (same && arrived >= same->ms) seen_del(&rep->retry_not_before, &rep->n_retry, same);
    if (limited && arrived >= limited->ms) seen_del(&rep->limited, &rep->n_limited, limited);
    if (r->reply.status == 429 && r->sandbox.retry_after > 0) {
        int64_t until = now_ms + r->sandbox.retry_after * 1000;
        struct seen *s = seen_put(&rep->retry_not_before, &rep->n_retry, req_hash, until);
        if (s) s->since_ms = now_ms;
        if ((s = seen_put(&rep->limited, &rep->n_limited, conn, until))) s->since_ms = now_ms;
    }
}

static bool non_retryable(const struct req *r, int status) {
    /* a 409 that says when to come back (idempotency_key_in_use) is meant to be retried */
    if (status == 409 && memmem(r->reply.headers, r->reply.headers_len, "Retry-After:", 12)) return false;
    return status == 400 || status == 401 || status == 403 || status == 404 || status == 409 ||
           status == 422;
}

static bool failed(int status) { return status == 0 || status == 408 || status == 429 || status >= 500; }

static uint64_t idem_hash(const struct req *r) {
    const char *k = req_header(r, "Idempotency-Key");
    return k && *k ? hash_str(FNV_SEED, k) | 1 : 0; /* never 0: 0 means none */
}

/* The number after the last "name": in body (pagination is rendered after the items);
 * -1 when absent. */
static long last_number(const char *body, size_t len, const char *name) {
    char needle[40]; /* "\"name\":" (snprintf cost more than the search) */
    size_t name_len = strlen(name), n = name_len + 3;
    needle[0] = '"';
    memcpy(needle + 1, name, name_len);
    memcpy(needle + 1 + name_len, "\":", 2);
    const char *found = NULL;
    for (const char *p = body; (p = memmem(p, len - (size_t)(p - body), needle, (size_t)n)); p += n)
        found = p;
    if (!found) return -1;
    const char *v = found + n;
    while (*v == ' ') v++;
    if (!strncmp(v, "true", 4)) return 1;
    if (!strncmp(v, "false", 5) || !strncmp(v, "null", 4)) return 0;
    if (*v == '"') return 1; /* a cursor */
    return strtol(v, NULL, 10);
}

/* Where a list page stands: more pages follow (*more), the page asked is past the last
 * (*beyond), or it is a later page than the first (*later: a walk went on to it).  Only the
 * reply's tail is read: the pagination members come after the items, and a reply that is
 * no list (GET /sdk/agents/me also ends without a parameter) costs a short search, not
 * seven passes over its whole body. */
#define PAGINATION_TAIL 512
static void page_position(const struct req *r, bool *more, bool *beyond, bool *later) {
    size_t len = r->reply.body_len;
    *more = *beyond = *later = false;
    if (!r->reply.body || !len) return;
    const char *b = len > PAGINATION_TAIL ? r->reply.body + len - PAGINATION_TAIL : r->reply.body;
    if (len > PAGINATION_TAIL) len = PAGINATION_TAIL;
    long page = last_number(b, len, "page"), pages = last_number(b, len, "total_pages");
    long total = last_number(b, len, "total"), limit = last_number(b, len, "limit");
    long offset = last_number(b, len, "offset"), has_more = last_number(b, len, "has_more");
    long cursor = last_number(b, len, "next_cursor");
    if (page > 0 && pages >= 0) { /* Alsorn {"pagination": {page, limit, total, total_pages}} */
        *more = page < pages;
        *beyond = page > 1 && page > pages;
        *later = page > 1;
    } else if (page > 0 && total >= 0 && limit > 0) { /* Alsorn transactions */
        *more = page * limit < total;
        *beyond = page > 1 && (page - 1) * limit >= total;
        *later = page > 1;
    } else if (has_more >= 0) { /* Alter {total, limit, offset, has_more} */
        *more = has_more == 1;
        *beyond = offset > 0 && total >= 0 && offset >= total;
        *later = offset > 0;
    } else if (cursor >= 0) { /* Alter audit {"next_cursor"} */
        *more = cursor == 1;
        *later = r->query && strstr(r->query, "cursor=");
    }
}

/* A verification that answered false: GET /agents/{id}/verify ("verified") or an audit
 * chain's verify ("valid"). */
static bool verified_false(const struct req *r) {
    size_t plen = strlen(r->route->pattern);
    if (r->reply.status != 200 || plen < 7 || strcmp(r->route->pattern + plen - 7, "/verify") != 0 ||
        !r->reply.body)
        return false;
    static const char verified[] = "\"verified\":false", valid[] = "\"valid\":false";
    return memmem(r->reply.body, r->reply.body_len, verified, sizeof verified - 1) ||
           memmem(r->reply.body, r->reply.body_len, valid, sizeof valid - 1);
}

void report_expect_fields(struct report *rep, cJSON *expected) {
    cJSON *none = NULL;
    if (!atomic_compare_exchange_strong(&rep->fields_probe, &none, expected)) cJSON_Delete(expected);
}

/* The probe's registration: each field it lacks or changed is fields_not_sent. */
static void check_fields_probe(struct report *rep, const struct req *r, const cJSON *probe, int64_t now) {
    char detail[160];
    if (fields_probe_compare(probe, r->json, detail, sizeof detail))
        add_violation(rep, r, FIELDS_NOT_SENT, now, "the fields probe arrived without what it was given: %s",
                      detail);
}

/* Repeats that a correct SDK does not make (within REPEAT_MS, and with no successful write by
 * the tenant in between, which could have changed the answer):
 *   retry_of_non_retryable_status        400/401/403/404/409/422 sent again unchanged
 *   retry_of_successful_request          a write that succeeded, sent again (same key, or
 *                                        none: another key may be a deliberate second call)
 *   post_retry_with_new_idempotency_key  a failed POST sent again under another key
 *   pagination_loop                      a page that said more follow, asked again */
static void check_history(struct report *rep, const struct req *r, uint64_t req_hash, int status,
                          bool more, int64_t now_ms) {
    int64_t arrived = r->sandbox.arrived_ms;
    long writes = atomic_load(&rep->writes);
    struct seen *s = seen_find(rep->history, req_hash);
    if (s && arrived >= s->ms && arrived - s->ms < REPEAT_MS) {
        bool post = !strcmp(r->method, "POST");
        uint64_t idem = idem_hash(r);
        /* a write's own success counted: nothing else changed when writes is one more */
        bool unchanged = s->writes == writes - (is_write(r->method) && status / 100 == 2 && !r->sandbox.replayed);
        if (non_retryable(r, s->status) && unchanged)
            add_violation(rep, r, RETRY_NON_RETRYABLE, now_ms / 1000,
                          "sent again after a %d, which retrying cannot change", s->status);
        else if (is_write(r->method) && s->status / 100 == 2 && unchanged && idem == s->idem)
            add_violation(rep, r, RETRY_OF_SUCCESS, now_ms / 1000,
                          "the same %s succeeded (%d) %lld ms earlier", r->method, s->status,
                          (long long)(arrived - s->ms));
        else if (post && failed(s->status) && idem && s->idem && idem != s->idem)
            add_violation(rep, r, POST_NEW_KEY, now_ms / 1000,
                          "retried after a %d with a new Idempotency-Key: if the first attempt "
                          "ran, this one runs it again", s->status);
        else if (!is_write(r->method) && s->had_more && unchanged)
            add_violation(rep, r, PAGINATION_LOOP, now_ms / 1000,
                          "the same page was asked again although the previous answer said more "
                          "pages follow");
    }
    bool keep = non_retryable(r, status) || (is_write(r->method) && status / 100 == 2) ||
                (!strcmp(r->method, "POST") && failed(status)) || more;
    if (!keep) {
        if (s) seen_del(&rep->history, &rep->n_history, s);
        return;
    }
    if (!(s = seen_put(&rep->history, &rep->n_history, req_hash, now_ms))) return;
    s->status = status;
    s->idem = idem_hash(r);
    s->writes = writes;
    s->had_more = more;
}

/* Alsorn takes an Idempotency-Key on every POST, Alter on agent creation only (alter.md §3):
 * elsewhere a POST sent again has no key it could carry. */
static bool post_without_key(const struct req *r) {
    bool takes_key = r->api != API_ALTER || !strcmp(r->route->pattern, "/sdk/agents");
    return takes_key && strcmp(r->method, "POST") == 0 && !req_header(r, "Idempotency-Key");
}

static void check_post_without_key(struct report *rep, const struct req *r, int64_t now_ms) {
    uint64_t h = hash_str(hash_str(hash_str(14695981039346656037ull, client_of(r)), r->path), r->query);
    h = fnv(h, r->body ? r->body : "", r->body_len);
    struct seen *s = seen_find(rep->posts, h);
    if (s && now_ms - s->ms < POST_REPEAT_MS)
        add_violation(rep, r, POST_WITHOUT_KEY, now_ms / 1000,
                      "the same POST was sent %lld ms earlier without an Idempotency-Key; a "
                      "retried POST needs one so it cannot execute twice",
                      (long long)(now_ms - s->ms));
    seen_put(&rep->posts, &rep->n_posts, h, now_ms);
}

void report_record(const struct req *r) {
    if (!r->route || r->api == API_MOCK) return;
    struct report *rep = r->caller.tenant ? r->caller.tenant->report : report_unauthenticated();
    if (!rep) return;
    int status = r->sandbox.dropped ? 0 : r->reply.status;
    struct route_coverage *coverage = coverage_of(rep);
    if (coverage) count_status(rep, &coverage[r->route - routes], status);

    const char *ua = req_header(r, "User-Agent");
    bool no_ua = !ua || !*ua;
    bool unknown = false;
    const cJSON *member, *body = cJSON_IsObject(r->json) ? r->json : NULL;
    cJSON_ArrayForEach(member, body) unknown |= known_fields_unknown(r->route, member->string);
    bool retry_check = status == 429 || atomic_load(&rep->n_retry) > 0 || atomic_load(&rep->n_limited) > 0;
    bool post_check = post_without_key(r);
    bool gone = r->sandbox.client_gone, creds = r->query && query_has_credentials(r->query);
    bool write = is_write(r->method);
    bool more = false, beyond = false, later = false;
    size_t plen = strlen(r->route->pattern);
    if (!write && status == 200 && plen && r->route->pattern[plen - 1] != '}') {
        page_position(r, &more, &beyond, &later); /* a list route's page */
        if (later && !more && !beyond) atomic_fetch_add(&rep->last_pages, 1);
    }
    if (!write && verified_false(r)) atomic_fetch_add(&rep->verified_false, 1);
    const cJSON *probe = atomic_load(&rep->fields_probe);
    bool probed = probe && write && !strcmp(r->method, FIELDS_PROBE_METHOD) &&
                  !strcmp(r->route->pattern, FIELDS_PROBE_ROUTE) && fields_probe_is(probe, r->json);
    if (probed) atomic_fetch_add(&rep->fields_probes_seen, 1);
    if (write && status / 100 == 2 && !r->sandbox.replayed && !gone) atomic_fetch_add(&rep->writes, 1);
    bool history_check = atomic_load(&rep->n_history) > 0 || more || non_retryable(r, status) ||
                         (write && (status / 100 == 2 || failed(status)));
    if (!no_ua && !unknown && status != 422 && !retry_check && !post_check && !gone && !creds &&
        !beyond && !history_check && !probed)
        return;

    int64_t now_ms = clock_now_ms(), now = now_ms / 1000;
    pthread_mutex_lock(&rep->lock);
    if (no_ua) add_violation(rep, r, MISSING_USER_AGENT, now, "no User-Agent header");
    const cJSON *unknown_in = unknown ? body : NULL;
    cJSON_ArrayForEach(member, unknown_in) {
        if (known_fields_unknown(r->route, member->string))
            add_violation(rep, r, UNKNOWN_FIELD, now, "unknown body field \"%.100s\"", member->string);
    }
    if (status == 422 && r->reply.body) check_wrong_types(rep, r, now);
    uint64_t req_hash = request_hash(r);
    if (retry_check) check_rate_limited(rep, r, req_hash, now_ms);
    if (post_check) check_post_without_key(rep, r, now_ms);
    if (gone)
        add_violation(rep, r, CLIENT_GONE, now,
                      "the client closed the connection before the answer (%d): its timeout is "
                      "shorter than this request can take", status);
    if (creds)
        add_violation(rep, r, CREDENTIALS_IN_QUERY, now,
                      "a credential in the query string, where proxies and access logs keep it; "
                      "send it in a header");
    if (beyond) add_violation(rep, r, PAGE_BEYOND_LAST, now, "a page past the last one was asked");
    if (probed) check_fields_probe(rep, r, probe, now);
    if (history_check) check_history(rep, r, req_hash, gone ? 0 : status, more, now_ms);
    pthread_mutex_unlock(&rep->lock);
}

/* ---- rendering ------------------------------------------------------------------------- */

static const char *api_name(enum api api) { return api == API_ALTER ? "alter" : "alsorn"; }

static cJSON *coverage_json(const struct report *rep) {
    cJSON *cov = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    int total = 0, exercised = 0;
    for (size_t i = 0; i < n_routes; i++) {
        if (routes[i].api == API_MOCK) continue;
        const struct route_coverage *coverage = atomic_load(&rep->coverage);
        const struct route_coverage *c = coverage ? &coverage[i] : NULL;
        long calls = c ? atomic_load(&c->calls) : 0;
        total++;
        if (calls) exercised++;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "api", api_name(routes[i].api));
        cJSON_AddStringToObject(row, "method", routes[i].method);
        cJSON_AddStringToObject(row, "path", routes[i].pattern);
        cJSON_AddNumberToObject(row, "calls", (double)calls);
        cJSON *st = cJSON_AddObjectToObject(row, "statuses");
        int n = c ? atomic_load(&c->n_statuses) : 0;
        for (int k = 0; k < n; k++) {
            char name[16];
            int status = atomic_load(&c->statuses[k].status);
            if (status) snprintf(name, sizeof name, "%d", status);
            else snprintf(name, sizeof name, "dropped");
            cJSON_AddNumberToObject(st, name, (double)atomic_load(&c->statuses[k].count));
        }
        cJSON_AddItemToArray(list, row);
    }
    cJSON_AddNumberToObject(cov, "routes_total", total);
    cJSON_AddNumberToObject(cov, "routes_exercised", exercised);
    cJSON_AddItemToObject(cov, "routes", list);
    return cov;
}

static cJSON *violations_json(const struct report *rep) {
    cJSON *v = cJSON_CreateObject();
    long total = 0;
    cJSON *by_kind = cJSON_CreateObject();
    for (int k = 0; k < KINDS; k++) {
        total += rep->counts[k];
        cJSON_AddNumberToObject(by_kind, kind_names[k], (double)rep->counts[k]);
    }
    cJSON_AddNumberToObject(v, "total", (double)total);
    cJSON_AddItemToObject(v, "by_kind", by_kind);
    cJSON *recent = cJSON_AddArrayToObject(v, "recent"); /* newest first */
    for (size_t i = 0; i < rep->n_recent; i++) {
        const struct violation *x =
            &rep->recent[(rep->next_recent + RECENT_VIOLATIONS - 1 - i) % RECENT_VIOLATIONS];
        cJSON *o = cJSON_CreateObject();
        char at[RFC3339_LEN];
        clock_format(x->at, at);
        cJSON_AddStringToObject(o, "kind", kind_names[x->kind]);
        cJSON_AddStringToObject(o, "method", x->method);
        cJSON_AddStringToObject(o, "path", x->path);
        cJSON_AddStringToObject(o, "request_id", x->request_id);
        cJSON_AddStringToObject(o, "detail", x->detail);
        cJSON_AddStringToObject(o, "at", at);
        cJSON_AddItemToArray(recent, o);
    }
    return v;
}

cJSON *report_json(struct report *rep) {
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&rep->lock);
    cJSON_AddItemToObject(o, "coverage", coverage_json(rep));
    cJSON_AddItemToObject(o, "violations", violations_json(rep));
    pthread_mutex_unlock(&rep->lock);
    cJSON *ev = cJSON_AddObjectToObject(o, "evidence");
    cJSON_AddNumberToObject(ev, "last_pages", (double)atomic_load(&rep->last_pages));
    cJSON_AddNumberToObject(ev, "verified_false", (double)atomic_load(&rep->verified_false));
    if (atomic_load(&rep->fields_probe))
        cJSON_AddNumberToObject(ev, "fields_probes", (double)atomic_load(&rep->fields_probes_seen));
    return o;
}

cJSON *report_org_json(struct tenant *t, int64_t now_ms) {
    cJSON *o = report_json(t->report);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "violations");
    long n = faults_not_retried(t->id, now_ms);
    cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(v, "by_kind"), "transient_error_not_retried", n);
    cJSON *total = cJSON_GetObjectItemCaseSensitive(v, "total");
    cJSON_SetNumberValue(total, total->valuedouble + n);
    return o;
}
