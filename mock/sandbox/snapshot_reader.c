#include "sandbox/snapshot_reader.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define BATCH 128 /* records per hand-over: one lock round trip per batch, not per record */
#define SLOTS 8   /* batches in flight: how far the reader may run ahead */
#define CHUNK (256 * 1024)

/* Where a batch's records live.  Parsing a million agents makes a hundred million small
 * allocations, and freeing them again took as long as parsing: in an arena, an allocation is
 * an increment and a whole batch is freed at once when its slot is reused. */
struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct arena {
    struct chunk *chunks; /* the newest first */
};

static void *arena_alloc(struct arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    struct chunk *c = a->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK ? n : CHUNK;
        if (!(c = malloc(sizeof *c + size))) return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static bool arena_owns(const struct arena *a, const void *p) {
    for (const struct chunk *c = a->chunks; c; c = c->next)
        if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->size)
            return true;
    return false;
}

/* Keeps one chunk for the next batch, frees the rest. */
static void arena_reset(struct arena *a, bool keep_one) {
    struct chunk *c = a->chunks, *kept = NULL;
    if (keep_one && c && c->size == CHUNK) {
        kept = c;
        c = c->next;
        kept->next = NULL;
        kept->used = 0;
    }
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = kept;
}

/* cJSON allocates through these hooks in every thread: from the arena of the batch the
 * calling thread is parsing, if any (only the reader thread ever is), else as before.  The
 * loader only reads the records, so no record is ever freed one by one outside its arena. */
static _Thread_local struct arena *parsing;

static void *hook_malloc(size_t n) {
    return parsing ? arena_alloc(parsing, n) : malloc(n);
}
static void hook_free(void *p) {
    if (!parsing || !arena_owns(parsing, p)) free(p);
}
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static void install_hooks(void) {
    cJSON_Hooks hooks = {.malloc_fn = hook_malloc, .free_fn = hook_free};
    cJSON_InitHooks(&hooks);
}

struct batch {
    struct arena arena;
    cJSON *recs[BATCH];
    size_t linenos[BATCH];
    size_t n;
    bool full;   /* filled by the reader, not yet given back by the loader */
    bool last;   /* nothing follows this batch */
    bool failed; /* reading the file failed after this batch's records */
};

struct snapshot_reader {
    FILE *f;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t filled, emptied;
    bool stopping;
    struct batch slots[SLOTS]; /* used in turn by both sides */
    size_t take;               /* the loader's slot */
    size_t pos;                /* the loader's record in it */
};

static void clear(struct batch *b, bool keep_chunk) {
    arena_reset(&b->arena, keep_chunk); /* the records die with their arena */
    b->n = 0;
}

/* Fills b from the file; false once the file is done (b->last set). */
static bool fill(struct snapshot_reader *r, struct batch *b, size_t *lineno, char **line,
                 size_t *cap) {
    while (b->n < BATCH) {
        ssize_t len = getline(line, cap, r->f);
        if (len < 0) {
            b->last = true;
            b->failed = ferror(r->f) != 0;
            return false;
        }
        ++*lineno;
        while (len > 0 &&
               ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r' || (*line)[len - 1] == ' '))
            len--;
        if (len == 0) continue;
        b->linenos[b->n] = *lineno;
        parsing = &b->arena;
        b->recs[b->n++] = cJSON_ParseWithLength(*line, (size_t)len);
        parsing = NULL;
    }
    return true;
}

static void *read_ahead(void *arg) {
    struct snapshot_reader *r = arg;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    for (size_t next = 0;; next = (next + 1) % SLOTS) {
        struct batch *b = &r->slots[next];
        pthread_mutex_lock(&r->lock);
        while (b->full && !r->stopping)
            pthread_cond_wait(&r->emptied, &r->lock);
        bool stop = r->stopping;
        pthread_mutex_unlock(&r->lock);
        if (stop) break;
        clear(b, true); /* the loader is done with these */
        bool more = fill(r, b, &lineno, &line, &cap);
        pthread_mutex_lock(&r->lock);
        b->full = true;
        pthread_cond_signal(&r->filled);
        pthread_mutex_unlock(&r->lock);
        if (!more) break;
    }
    free(line);
    return NULL;
}

struct snapshot_reader *snapshot_reader_start(FILE *f) {
    pthread_once(&hooks_once, install_hooks);
    struct snapshot_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->f = f;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->filled, NULL);
    pthread_cond_init(&r->emptied, NULL);
    if (pthread_create(&r->thread, NULL, read_ahead, r) != 0) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->filled);
        pthread_cond_destroy(&r->emptied);
        free(r);
        return NULL;
    }
    return r;
}

int snapshot_reader_next(struct snapshot_reader *r, const cJSON **rec, size_t *lineno) {
    for (;;) {
        struct batch *b = &r->slots[r->take];
        pthread_mutex_lock(&r->lock);
        while (!b->full)
            pthread_cond_wait(&r->filled, &r->lock);
        pthread_mutex_unlock(&r->lock);
        if (r->pos < b->n) {
            *rec = b->recs[r->pos];
            *lineno = b->linenos[r->pos++];
            return 1;
        }
        if (b->last) return b->failed ? -1 : 0;
        /* this batch is done: give it back to be freed and refilled */
        pthread_mutex_lock(&r->lock);
        b->full = false;
        pthread_cond_signal(&r->emptied);
        pthread_mutex_unlock(&r->lock);
        r->take = (r->take + 1) % SLOTS;
        r->pos = 0;
    }
}

void snapshot_reader_stop(struct snapshot_reader *r) {
    if (!r) return;
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    pthread_cond_signal(&r->emptied);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    for (size_t i = 0; i < SLOTS; i++)
        clear(&r->slots[i], false);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->filled);
    pthread_cond_destroy(&r->emptied);
    free(r);
}
