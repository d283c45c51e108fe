#include "store/rank_index.h"

#include <stdlib.h>

static size_t lowbit(size_t i) { return i & (~i + 1); }

static uint32_t prefix(const struct rank_index *ix, size_t i) { /* sum of positions [0, i) */
    uint32_t s = 0;
    for (; i > 0; i -= lowbit(i)) s += ix->tree[i];
    return s;
}

int rank_index_append(struct rank_index *ix, int bit) {
    if (ix->n + 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        uint32_t *t = realloc(ix->tree, cap * sizeof *t);
        if (!t) return -1;
        ix->tree = t;
        ix->cap = cap;
    }
    size_t i = ++ix->n; /* 1-based node of the new position */
    /* node i covers (i - lowbit(i), i]: its earlier part is already summed in the tree */
    ix->tree[i] = (uint32_t)bit + prefix(ix, i - 1) - prefix(ix, i - lowbit(i));
    ix->ones += bit;
    return 0;
}

void rank_index_add(struct rank_index *ix, size_t pos, int delta) {
    for (size_t i = pos + 1; i <= ix->n; i += lowbit(i)) ix->tree[i] += (uint32_t)delta;
    ix->ones += delta;
}

size_t rank_index_select(const struct rank_index *ix, size_t k) {
    size_t pos = 0, step = 1;
    while (step * 2 <= ix->n) step *= 2;
    uint32_t remaining = (uint32_t)k + 1;
    for (; step; step /= 2) {
        if (pos + step <= ix->n && ix->tree[pos + step] < remaining) {
            pos += step;
            remaining -= ix->tree[pos];
        }
    }
    return pos; /* 1-based node pos+1 holds it: 0-based position pos */
}

void rank_index_free(struct rank_index *ix) {
    free(ix->tree);
    *ix = (struct rank_index){0};
}
