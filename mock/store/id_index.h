/* Ids to positions in a list that only grows (an organization's agents, its transactions):
 * open addressing over 8-byte slots holding the position and the id's hash.  An object costs
 * about 13 bytes of index where a uthash handle costs 56 bytes plus its bucket, and a probe
 * compares hashes before it reads the object it points at.  Callers hold the owning tenant's
 * lock. */
#ifndef ID_INDEX_H
#define ID_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct id_slot {
    uint32_t hash;
    uint32_t pos_plus_1; /* 0: empty */
};

struct id_index {
    struct id_slot *slots;
    size_t mask; /* capacity - 1, a power of two less one; 0 while empty */
    size_t n;
};

/* The id of the object at pos in the indexed list. */
typedef const char *(*id_index_key_fn)(const void *list, uint32_t pos);

/* Room for one more id: 0, or -1 out of memory (index unchanged).  Lets a set reserve
 * everything before it changes anything. */
int id_index_reserve(struct id_index *ix);
/* Adds id at pos (< UINT32_MAX; the caller knows id is new) into the room reserved. */
void id_index_add(struct id_index *ix, const char *id, uint32_t pos);
/* The position of id in list, or -1. */
long id_index_find(const struct id_index *ix, const char *id, id_index_key_fn key,
                   const void *list);
void id_index_free(struct id_index *ix);

#endif
