#include "sandbox/rate_limit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#define STRIPES 64
#define SWEEP_FLOOR 256 /* a stripe sweeps expired buckets once it holds this many, then 2x */

struct bucket {
    int64_t window_start;
    int window_seconds;
    long count;
    UT_hash_handle hh;
    char key[]; /* NUL-terminated */
};

struct stripe {
    pthread_mutex_t lock;
    struct bucket *buckets; /* uthash by key */
    unsigned long n, sweep_at;
};

static struct stripe stripes[STRIPES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_stripes(void) {
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_init(&stripes[i].lock, NULL);
        stripes[i].sweep_at = SWEEP_FLOOR;
    }
}

static struct stripe *stripe_of(const char *key) {
    pthread_once(&once, init_stripes);
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 16777619u;
    return &stripes[h % STRIPES];
}

static bool expired(const struct bucket *b, int64_t now) {
    return now >= b->window_start + b->window_seconds;
}

/* Frees the buckets whose window has ended: they would restart anyway.  Amortised O(1): a
 * stripe sweeps only when it has doubled since the last sweep. */
static void sweep(struct stripe *s, int64_t now) {
    struct bucket *b, *tmp;
    HASH_ITER(hh, s->buckets, b, tmp) {
        if (!expired(b, now)) continue;
        HASH_DEL(s->buckets, b);
        free(b);
        s->n--;
    }
    s->sweep_at = s->n * 2 > SWEEP_FLOOR ? s->n * 2 : SWEEP_FLOOR;
}

void rate_limit_take(const char *key, long limit, int window_seconds, int64_t now,
                     struct rate_verdict *out) {
    if (window_seconds < 1) window_seconds = 1;
    struct stripe *s = stripe_of(key);
    pthread_mutex_lock(&s->lock);
    struct bucket *b = NULL;
    HASH_FIND_STR(s->buckets, key, b);
    if (!b) {
        if (s->n >= s->sweep_at) sweep(s, now);
        size_t len = strlen(key);
        b = calloc(1, sizeof *b + len + 1);
        if (b) {
            memcpy(b->key, key, len + 1);
            b->window_start = now;
            b->window_seconds = window_seconds;
            HASH_ADD(hh, s->buckets, key, len, b);
            s->n++;
        }
    }
    if (!b) { /* out of memory: let the request through rather than fail it */
        pthread_mutex_unlock(&s->lock);
        *out = (struct rate_verdict){.allowed = true, .limit = limit, .remaining = limit,
                                     .reset = now + window_seconds, .retry_after = 1};
        return;
    }
    /* a clock set backwards, a changed window or an ended window all start a new window */
    if (expired(b, now) || now < b->window_start || b->window_seconds != window_seconds) {
        b->window_start = now;
        b->window_seconds = window_seconds;
        b->count = 0;
    }
    out->allowed = b->count < limit;
    if (out->allowed) b->count++;
    out->limit = limit;
    out->remaining = limit - b->count > 0 ? limit - b->count : 0;
    out->reset = b->window_start + b->window_seconds;
    pthread_mutex_unlock(&s->lock);
    out->retry_after = out->reset - now > 0 ? (long)(out->reset - now) : 1;
}

void rate_limit_forget(const char *prefix) {
    size_t plen = prefix ? strlen(prefix) : 0;
    pthread_once(&once, init_stripes);
    for (int i = 0; i < STRIPES; i++) {
        struct stripe *s = &stripes[i];
        pthread_mutex_lock(&s->lock);
        struct bucket *b, *tmp;
        HASH_ITER(hh, s->buckets, b, tmp) {
            if (plen && strncmp(b->key, prefix, plen) != 0) continue;
            HASH_DEL(s->buckets, b);
            free(b);
            s->n--;
        }
        pthread_mutex_unlock(&s->lock);
    }
}

long rate_limit_buckets(void) {
    long n = 0;
    pthread_once(&once, init_stripes);
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_lock(&stripes[i].lock);
        n += (long)stripes[i].n;
        pthread_mutex_unlock(&stripes[i].lock);
    }
    return n;
}
