#include "sandbox/idempotency.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <uthash.h>

#include "alsorn/agent_json.h"
#include "core/hex.h"
#include "core/json_read.h"
#include "store/snapshot_record.h"
#include "store/tenant.h"

struct idem_entry {
    char key[IDEM_KEY_MAX + 1];
    unsigned char fingerprint[32]; /* SHA-256 of method, path, query and body */
    int64_t created_at;
    bool done;
    /* the stored response (owned), valid once done */
    int status;
    const char *content_type; /* a string literal, as every reply_raw caller passes */
    char *body;
    size_t body_len;
    char *headers; /* the handler's extra header lines */
    char request_id[32]; /* the first request's: an error body repeats it */
    UT_hash_handle hh;
};

long idempotency_wait_ms = IDEM_WAIT_MS_DEFAULT;

struct idempotency_store {
    pthread_mutex_t lock;
    pthread_cond_t completed; /* broadcast whenever an entry gets its response */
    struct idem_entry *entries; /* uthash by key; insertion order = age */
    size_t n;
};

struct idempotency_store *idempotency_store_new(void) {
    struct idempotency_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->lock, NULL);
    /* the wait's deadline is monotonic: setting the wall clock must not stretch or cut it */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->completed, &attr);
    pthread_condattr_destroy(&attr);
    return s;
}

static void entry_free(struct idem_entry *e) {
    free(e->body);
    free(e->headers);
    free(e);
}

static void drop(struct idempotency_store *s, struct idem_entry *e) {
    HASH_DEL(s->entries, e);
    s->n--;
    entry_free(e);
}

void idempotency_store_clear(struct idempotency_store *s) {
    pthread_mutex_lock(&s->lock);
    struct idem_entry *e, *tmp;
    HASH_ITER(hh, s->entries, e, tmp) {
        if (e->done) drop(s, e);
    }
    pthread_mutex_unlock(&s->lock);
}

void idempotency_store_free(struct idempotency_store *s) {
    if (!s) return;
    struct idem_entry *e, *tmp;
    HASH_ITER(hh, s->entries, e, tmp) drop(s, e);
    pthread_cond_destroy(&s->completed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static bool key_valid(const char *k) {
    size_t n = strlen(k);
    if (n < 1 || n > IDEM_KEY_MAX) return false;
    for (const char *p = k; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return false;
    return true;
}

static void fingerprint(const struct req *r, unsigned char out[32]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *query = r->query ? r->query : "";
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, r->method, strlen(r->method) + 1); /* the NULs separate the parts */
    EVP_DigestUpdate(ctx, r->path, strlen(r->path) + 1);
    EVP_DigestUpdate(ctx, query, strlen(query) + 1);
    if (r->body) EVP_DigestUpdate(ctx, r->body, r->body_len);
    EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
}

/* Drops expired entries and, past the cap, the oldest completed ones.  Entries sit in
 * insertion order, so the candidates are at the front; a running one there stops the sweep
 * (it completes soon and the next arrival sweeps on). */
static void expire(struct idempotency_store *s, int64_t now) {
    while (s->entries && s->entries->done &&
           (s->entries->created_at + IDEM_TTL_SECONDS <= now || s->n >= IDEM_MAX_ENTRIES))
        drop(s, s->entries);
}

static char *dup_bytes(const char *p, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

static void replay(struct req *r, const struct idem_entry *e) {
    reply_raw(r, e->status, e->content_type, e->body_len ? dup_bytes(e->body, e->body_len) : NULL,
              e->body_len);
    if (e->body_len && !r->reply.body) return reply_error(r, 500, "internal_error", "Out of memory");
    size_t n = strlen(e->headers);
    if (n < sizeof r->reply.headers) {
        memcpy(r->reply.headers, e->headers, n + 1);
        r->reply.headers_len = n;
    }
    reply_header(r, "Idempotent-Replayed", "true");
    /* the same answer, X-Request-Id included, so it agrees with the request_id in the body */
    memcpy(r->request_id, e->request_id, sizeof r->request_id);
    r->sandbox.replayed = true;
}

bool idempotency_start(struct req *r) {
    const char *key = req_header(r, "Idempotency-Key");
    if (!key) return true;
    if (!key_valid(key)) {
        struct field_errors fe = {0};
        field_error_add(&fe, "Idempotency-Key", "must be 1 to %d printable ASCII characters",
                        IDEM_KEY_MAX);
        reply_validation(r, &fe);
        return false;
    }
    struct idempotency_store *s = r->caller.tenant->idem;
    unsigned char fp[32];
    fingerprint(r, fp);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += idempotency_wait_ms / 1000;
    deadline.tv_nsec += (idempotency_wait_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&s->lock);
    struct idem_entry *e;
    for (;;) {
        e = NULL;
        HASH_FIND_STR(s->entries, key, e);
        if (e && e->done && e->created_at + IDEM_TTL_SECONDS <= r->now) {
            drop(s, e); /* expired: the key is free again */
            e = NULL;
        }
        if (!e || e->done || memcmp(e->fingerprint, fp, sizeof fp) != 0) break;
        /* The same request is running: wait for its response (look the key up again after
         * waking, since the entry may have been swept meanwhile), but not for ever: each
         * waiter holds a worker thread, and retries of one slow request must not hold them
         * all. */
        if (pthread_cond_timedwait(&s->completed, &s->lock, &deadline) == ETIMEDOUT) {
            pthread_mutex_unlock(&s->lock);
            reply_header(r, "Retry-After", "1");
            reply_error(r, 409, "idempotency_key_in_use",
                        "A request with this Idempotency-Key is still running after %ld ms; "
                        "retry once it has completed",
                        idempotency_wait_ms);
            return false;
        }
    }
    if (e && memcmp(e->fingerprint, fp, sizeof fp) != 0) {
        pthread_mutex_unlock(&s->lock);
        reply_error(r, 409, "idempotency_key_reused",
                    "This Idempotency-Key was used for a different request; use a new key");
        return false;
    }
    if (e) { /* done, same request */
        replay(r, e);
        pthread_mutex_unlock(&s->lock);
        return false;
    }
    expire(s, r->now);
    e = calloc(1, sizeof *e);
    if (e) {
        memcpy(e->key, key, strlen(key) + 1);
        memcpy(e->fingerprint, fp, sizeof fp);
        e->created_at = r->now;
        HASH_ADD_STR(s->entries, key, e);
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
    r->sandbox.idem = e; /* NULL when out of memory: the request runs unprotected */
    return true;
}

void idempotency_finish(struct req *r) {
    struct idem_entry *e = r->sandbox.idem;
    if (!e) return;
    struct idempotency_store *s = r->caller.tenant->idem;
    const struct reply *rep = &r->reply;
    pthread_mutex_lock(&s->lock);
    e->status = rep->status;
    e->content_type = rep->content_type;
    e->body = rep->body_len ? dup_bytes(rep->body, rep->body_len) : NULL;
    e->body_len = e->body ? rep->body_len : 0;
    e->headers = dup_bytes(rep->headers, rep->headers_len);
    memcpy(e->request_id, r->request_id, sizeof e->request_id);
    e->done = true;
    if ((rep->body_len && !e->body) || !e->headers) drop(s, e); /* out of memory: forget the key */
    pthread_cond_broadcast(&s->completed);
    pthread_mutex_unlock(&s->lock);
    r->sandbox.idem = NULL;
}

/* ---- snapshots -------------------------------------------------------------------------- */

static cJSON *entry_record(const struct idem_entry *e, const struct tenant *t) {
    char fp[2 * sizeof e->fingerprint + 1];
    hex_encode(e->fingerprint, sizeof e->fingerprint, fp);
    cJSON *o = snapshot_record("idempotency", t);
    cJSON_AddStringToObject(o, "key", e->key);
    cJSON_AddStringToObject(o, "fingerprint", fp);
    snapshot_add_int(o, "created_at", e->created_at);
    snapshot_add_int(o, "status", e->status);
    json_add_string_or_null(o, "content_type", e->content_type);
    /* a reply body is JSON text the mock wrote; kept as a string, byte for byte */
    cJSON_AddItemToObject(o, "body", e->body ? cJSON_CreateString(e->body) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "headers", e->headers);
    cJSON_AddStringToObject(o, "request_id", e->request_id);
    return o;
}

int idempotency_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    struct idempotency_store *s = t->idem; /* its own lock */
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    for (const struct idem_entry *e = s->entries; e && rc == 0; e = e->hh.next)
        if (e->done) rc = out->put(out->ctx, entry_record(e, t)); /* a running one dies here */
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int idempotency_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size) {
    (void)st;
    struct idempotency_store *s = t->idem;
    struct idem_entry *e = calloc(1, sizeof *e), *old = NULL;
    if (!e) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    const char *key = jr_string(rec, "key", &ok), *type = jr_string_or_null(rec, "content_type", &ok);
    ok = ok && key_valid(key) &&
         hex_decode(jr_string(rec, "fingerprint", &ok), e->fingerprint, sizeof e->fingerprint) == 0;
    if (ok) memcpy(e->key, key, strlen(key) + 1);
    e->created_at = jr_int(rec, "created_at", &ok);
    e->status = (int)jr_int(rec, "status", &ok);
    /* content_type points at a literal: the only one replies stored here carry */
    if (type && strcmp(type, "application/json") != 0) ok = false;
    e->content_type = type ? "application/json" : NULL;
    const char *body = jr_string_or_null(rec, "body", &ok);
    e->body = body ? strdup(body) : NULL;
    e->body_len = body ? strlen(body) : 0;
    e->headers = strdup(jr_string(rec, "headers", &ok));
    jr_copy(rec, "request_id", e->request_id, sizeof e->request_id, &ok);
    e->done = true;
    if (ok) HASH_FIND_STR(s->entries, e->key, old);
    const char *why = !ok || (body && !e->body) || !e->headers ? "missing or mistyped fields"
                      : old                                    ? "duplicate key"
                                                               : NULL;
    if (why) {
        entry_free(e);
        return snapshot_fail(err, err_size, "idempotency record: %s", why);
    }
    HASH_ADD_STR(s->entries, key, e); /* staged: no lock needed yet */
    s->n++;
    return 0;
}
