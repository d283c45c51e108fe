#include "json_alloc.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define STEP    16
#define CLASSES 8 /* blocks of 16, 32, ... 128 bytes */

/* A freed block holds the link to the next one of its class. */
struct block {
    struct block *next;
};

struct cache {
    struct block *head[CLASSES + 1]; /* [c]: blocks with at least c * STEP usable bytes */
    size_t bytes;
};

static pthread_key_t cache_key; /* only to free a thread's cache when the thread ends */
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static _Thread_local struct cache *cache; /* cheaper to read than pthread_getspecific */

static void cache_free(void *p) {
    struct cache *c = p;
    cache = NULL; /* a later cJSON free in this ending thread starts a new cache (freed too) */
    for (int k = 1; k <= CLASSES; k++)
        for (struct block *b = c->head[k], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    free(c);
}

static void cache_key_create(void) { pthread_key_create(&cache_key, cache_free); }

static struct cache *this_thread(void) {
    if (!cache && (cache = calloc(1, sizeof *cache))) pthread_setspecific(cache_key, cache);
    return cache;
}

static void *json_malloc(size_t size) {
    size_t k = (size + STEP - 1) / STEP;
    if (k == 0 || k > CLASSES) return malloc(size);
    struct cache *c = this_thread();
    struct block *b = c ? c->head[k] : NULL;
    if (!b) return malloc(k * STEP); /* the whole class, so any block of it serves any size */
    c->head[k] = b->next;
    c->bytes -= k * STEP;
    return b;
}

static void json_free(void *p) {
    if (!p) return;
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

void json_alloc_install(void) {
    pthread_once(&cache_once, cache_key_create);
    cJSON_Hooks hooks = {.malloc_fn = json_malloc, .free_fn = json_free};
    cJSON_InitHooks(&hooks);
}
