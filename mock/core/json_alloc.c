#include "json_alloc.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n)   ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

/* ---- arenas ---------------------------------------------------------------------------- */

struct json_chunk {
    struct json_chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

static void *arena_alloc(struct json_arena *a, size_t n) {
    size_t rounded = (n + 15) & ~(size_t)15;
    struct json_chunk *c = a->chunks;
    if (!c || c->size - c->used < rounded) {
        size_t size = rounded > JSON_ARENA_CHUNK ? rounded : JSON_ARENA_CHUNK;
        if (!(c = malloc(sizeof *c + size))) return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += rounded;
    ASAN_UNPOISON_MEMORY_REGION(p, n);
    return p;
}

bool json_arena_owns(const struct json_arena *a, const void *p) {
    for (const struct json_chunk *c = a->chunks; c; c = c->next)
        if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->size)
            return true;
    return false;
}

void json_arena_reset(struct json_arena *a, bool keep_one) {
    struct json_chunk *c = a->chunks, *kept = NULL;
    if (keep_one && c && c->size == JSON_ARENA_CHUNK) {
        kept = c;
        c = c->next;
        kept->next = NULL;
        kept->used = 0;
        /* under AddressSanitizer a block used after its arena was reset is reported */
        ASAN_POISON_MEMORY_REGION(kept->data, kept->size);
    }
    while (c) {
        struct json_chunk *next = c->next;
        ASAN_UNPOISON_MEMORY_REGION(c->data, c->size);
        free(c);
        c = next;
    }
    a->chunks = kept;
}

static _Thread_local struct json_arena *current; /* the arena this thread allocates in */

struct json_arena *json_arena_enter(struct json_arena *a) {
    struct json_arena *previous = current;
    current = a;
    return previous;
}

/* ---- the per-thread cache of freed small blocks ---------------------------------------- */

#define STEP    16
#define CLASSES 8 /* blocks of 16, 32, ... 128 bytes */

/* A freed block holds the link to the next one of its class. */
struct block {
    struct block *next;
};

struct cache {
    struct block *head[CLASSES + 1]; /* [c]: blocks with at least c * STEP usable bytes */
    size_t bytes;
    struct json_arena scratch; /* json_scratch_begin/end */
    int scratch_depth;         /* scopes open on this thread: the outermost end resets */
    struct json_arena *before[JSON_SCRATCH_NEST]; /* [d]: current when scope d began */
};

static pthread_key_t cache_key; /* only to free a thread's cache when the thread ends */
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static _Thread_local struct cache *cache; /* cheaper to read than pthread_getspecific */

static void cache_empty(struct cache *c) {
    for (int k = 1; k <= CLASSES; k++) {
        for (struct block *b = c->head[k], *next; b; b = next) {
            next = b->next;
            free(b);
        }
        c->head[k] = NULL;
    }
    c->bytes = 0;
}

static void cache_free(void *p) {
    struct cache *c = p;
    cache = NULL; /* a later cJSON free in this ending thread starts a new cache (freed too) */
    cache_empty(c);
    json_arena_reset(&c->scratch, false);
    free(c);
}

void json_cache_release(void) {
    if (cache) cache_empty(cache);
}

static struct cache *this_thread(void) {
    if (!cache && (cache = calloc(1, sizeof *cache))) pthread_setspecific(cache_key, cache);
    return cache;
}

static void *json_malloc(size_t size) {
    if (current) return arena_alloc(current, size);
    size_t k = (size + STEP - 1) / STEP;
    if (k == 0 || k > CLASSES) return malloc(size);
    struct cache *c = this_thread();
    struct block *b = c ? c->head[k] : NULL;
    if (!b) return malloc(k * STEP); /* the whole class, so any block of it serves any size */
    c->head[k] = b->next;
    c->bytes -= k * STEP;
    return b;
}

/* Whether p is in this thread's scratch arena while a scope is open but another arena is
 * current (a scratch tree deleted inside json_arena_enter): it must not reach free(). */
static bool in_open_scratch(const void *p) {
    return cache && cache->scratch_depth && current != &cache->scratch &&
           json_arena_owns(&cache->scratch, p);
}

static void json_free(void *p) {
    if (!p || (current && json_arena_owns(current, p)) || in_open_scratch(p)) return;
    size_t k = malloc_usable_size(p) / STEP; /* ≥ the class it was allocated for */
    struct cache *c = k ? this_thread() : NULL;
    if (k > CLASSES || !c || c->bytes + k * STEP > JSON_CACHE_BYTES) {
        free(p);
        return;
    }
    struct block *b = p;
    b->next = c->head[k];
    c->head[k] = b;
    c->bytes += k * STEP;
}

void json_scratch_begin(void) {
    struct cache *c = this_thread();
    if (!c) return; /* out of memory: cJSON allocates as usual */
    if (c->scratch_depth < JSON_SCRATCH_NEST) c->before[c->scratch_depth] = current;
    c->scratch_depth++;
    current = &c->scratch;
}

void json_scratch_end(void) {
    struct cache *c = cache;
    if (!c || !c->scratch_depth) return;
    int d = --c->scratch_depth;
    current = d < JSON_SCRATCH_NEST ? c->before[d] : &c->scratch;
    if (d == 0) json_arena_reset(&c->scratch, true);
}

bool json_scratch_owns(const void *p) {
    return cache && current == &cache->scratch && json_arena_owns(current, p);
}

static void install(void) {
    pthread_key_create(&cache_key, cache_free);
    cJSON_Hooks hooks = {.malloc_fn = json_malloc, .free_fn = json_free};
    cJSON_InitHooks(&hooks);
}

void json_alloc_install(void) { pthread_once(&install_once, install); }
