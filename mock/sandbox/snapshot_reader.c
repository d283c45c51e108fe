#include "sandbox/snapshot_reader.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/json_alloc.h"
#include "core/json_parse.h"
#include "core/validate.h"

#define BATCH 128 /* records per hand-over: one lock round trip per batch, not per record */
#define SLOTS 8   /* batches in flight: how far the reader may run ahead */

/* A batch's records live in its arena.  Parsing a million agents makes a hundred million small
 * allocations, and freeing them again took as long as parsing: in an arena, an allocation is
 * an increment and a whole batch is freed at once when its slot is reused.  The loader only
 * reads the records, so none is ever freed one by one outside its arena. */
struct batch {
    struct json_arena arena;
    cJSON *recs[BATCH];
    const char *problems[BATCH]; /* why recs[i] is NULL */
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
    json_arena_reset(&b->arena, keep_chunk); /* the records die with their arena */
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
        struct json_arena *before = json_arena_enter(&b->arena);
        b->recs[b->n] = snapshot_line_parse(*line, (size_t)len, &b->problems[b->n]);
        b->n++;
        json_arena_enter(before);
    }
    return true;
}

#define STR_(x) #x
#define STR(x)  STR_(x)

cJSON *snapshot_line_parse(const char *line, size_t len, const char **problem) {
    *problem = NULL;
    if (!utf8_valid(line, len)) {
        *problem = "is not valid UTF-8";
        return NULL;
    }
    enum json_parse_error why;
    cJSON *rec = json_parse_guarded(line, len, JSON_MAX_DEPTH, &why);
    if (!rec)
        *problem = why == JSON_PARSE_TOO_DEEP ? "nests deeper than " STR(JSON_MAX_DEPTH) " levels"
                   : why == JSON_PARSE_NUL    ? "holds \\u0000 in a string"
                                              : "is not valid JSON";
    return rec;
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
    json_alloc_install(); /* the batches' arenas work through its hooks */
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

int snapshot_reader_next(struct snapshot_reader *r, const cJSON **rec, const char **problem,
                         size_t *lineno) {
    for (;;) {
        struct batch *b = &r->slots[r->take];
        pthread_mutex_lock(&r->lock);
        while (!b->full)
            pthread_cond_wait(&r->filled, &r->lock);
        pthread_mutex_unlock(&r->lock);
        if (r->pos < b->n) {
            *rec = b->recs[r->pos];
            *problem = b->problems[r->pos];
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
