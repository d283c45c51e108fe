/* The snapshot loader (PUT /_mock/state, --state): any NDJSON is refused or loaded, never
 * crashes; and what it loads is a state the mock can live with: it exports, and the export
 * loads again (a state file the mock accepted must survive the next save and start). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/random.h"
#include "sandbox/snapshot.h"
#include "store/store.h"
#include "tenant_parts.h"

struct buffer {
    char *p;
    size_t n, cap;
};

static int collect(void *ctx, const char *data, size_t len) {
    struct buffer *b = ctx;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return 0;
}

/* Loads text line by line; 0 when every line loaded and the commit succeeded. */
static int load(const char *text, size_t size, char *err, size_t err_size) {
    struct snapshot_loader *l = snapshot_loader_new();
    int rc = 0;
    for (const char *p = text, *end = text + size; rc == 0 && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        rc = snapshot_loader_line(l, p, (size_t)(stop - p), err, err_size);
        p = nl ? nl + 1 : end;
    }
    if (rc == 0) rc = snapshot_loader_commit(l, err, err_size);
    snapshot_loader_free(l);
    return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    json_alloc_install();
    log_set_level(LOG_ERROR);
    store_init(&tenant_parts);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    store_clear();
    random_seed(1);
    char err[512];
    if (load((const char *)data, size, err, sizeof err) == 0) {
        struct buffer out = {0};
        if (snapshot_export(collect, &out) != 0) {
            fprintf(stderr, "a loaded state does not export\n");
            abort();
        }
        if (load(out.p, out.n, err, sizeof err) != 0) {
            fprintf(stderr, "the export of a loaded state does not load: %s\n%.*s\n", err,
                    (int)(out.n > 4000 ? 4000 : out.n), out.p);
            abort();
        }
        free(out.p);
    }
    store_clear();
    clock_reset();
    json_cache_release(); /* balanced mallocs and frees: no leak check unless one leaked */
    return 0;
}
