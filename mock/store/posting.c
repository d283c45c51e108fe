#include "store/posting.h"

#include <stdlib.h>
#include <string.h>

struct posting *posting_find(struct posting *table, const char *key) {
    struct posting *p = NULL;
    HASH_FIND_STR(table, key, p);
    return p;
}

int posting_add(struct posting **table, const char *key, size_t pos) {
    struct posting *p = posting_find(*table, key);
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p || !(p->key = strdup(key))) {
            free(p);
            return -1;
        }
        HASH_ADD_KEYPTR(hh, *table, p->key, strlen(p->key), p);
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        size_t *grown = realloc(p->pos, cap * sizeof *grown);
        if (!grown) return -1;
        p->pos = grown;
        p->cap = cap;
    }
    p->pos[p->n++] = pos;
    return 0;
}

void posting_undo(struct posting *table, const char *key) {
    struct posting *p = posting_find(table, key);
    if (p && p->n) p->n--;
}

static void posting_delete(struct posting **table, struct posting *p) {
    HASH_DEL(*table, p);
    free(p->key);
    free(p->pos);
    free(p);
}

void posting_free_all(struct posting **table) {
    struct posting *p, *tmp;
    HASH_ITER(hh, *table, p, tmp) {
        posting_delete(table, p);
    }
}

void posting_shift_all(struct posting **table, size_t k) {
    struct posting *p, *tmp;
    HASH_ITER(hh, *table, p, tmp) {
        size_t from = posting_first_after(p, (long)k - 1), kept = p->n - from;
        for (size_t i = 0; i < kept; i++) p->pos[i] = p->pos[from + i] - k;
        p->n = kept;
        if (kept) continue;
        posting_delete(table, p);
    }
}

size_t posting_first_after(const struct posting *p, long after) {
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((long)p->pos[mid] <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
