/* An order-statistics index over a list kept in insertion order: which positions hold a
 * property (an agent's status, say), how many do, and where the k-th one is, each in
 * O(log n).  It is what lets "page 3 of the suspended agents, newest first" find its rows
 * without scanning the list.  A Fenwick tree of 0/1 values. */
#ifndef RANK_INDEX_H
#define RANK_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct rank_index {
    uint32_t *tree; /* 1-based Fenwick tree */
    size_t n, cap;
    size_t ones;
};

/* Appends position n with value bit (0 or 1).  Returns 0, or -1 when out of memory. */
int rank_index_append(struct rank_index *ix, int bit);
/* Flips position pos from 0 to 1 (delta +1) or 1 to 0 (delta -1). */
void rank_index_add(struct rank_index *ix, size_t pos, int delta);
static inline size_t rank_index_count(const struct rank_index *ix) { return ix->ones; }
/* Position of the k-th (0-based, oldest first) position whose value is 1; k < count. */
size_t rank_index_select(const struct rank_index *ix, size_t k);
void rank_index_free(struct rank_index *ix);

#endif
