#include "store/id_index.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a, folded to 32 bits: ids are random characters, so a simple hash spreads them. */
static uint32_t hash_of(const char *id) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

static void place(struct id_slot *slots, size_t mask, struct id_slot s) {
    size_t i = s.hash & mask;
    while (slots[i].pos_plus_1) i = (i + 1) & mask;
    slots[i] = s;
}

/* Keeps the load at most 0.7: linear probing stays short. */
int id_index_reserve(struct id_index *ix) {
    size_t cap = ix->mask + 1;
    if (ix->slots && (ix->n + 1) * 10 <= cap * 7) return 0;
    size_t new_cap = ix->slots ? cap * 2 : 16;
    struct id_slot *slots = calloc(new_cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; ix->slots && i < cap; i++)
        if (ix->slots[i].pos_plus_1) place(slots, new_cap - 1, ix->slots[i]);
    free(ix->slots);
    ix->slots = slots;
    ix->mask = new_cap - 1;
    return 0;
}

void id_index_add(struct id_index *ix, const char *id, uint32_t pos) {
    place(ix->slots, ix->mask, (struct id_slot){hash_of(id), pos + 1});
    ix->n++;
}

long id_index_find(const struct id_index *ix, const char *id, id_index_key_fn key,
                   const void *list) {
    if (!ix->slots) return -1;
    uint32_t h = hash_of(id);
    for (size_t i = h & ix->mask; ix->slots[i].pos_plus_1; i = (i + 1) & ix->mask) {
        uint32_t pos = ix->slots[i].pos_plus_1 - 1;
        if (ix->slots[i].hash == h && strcmp(key(list, pos), id) == 0) return pos;
    }
    return -1;
}

void id_index_free(struct id_index *ix) {
    free(ix->slots);
    *ix = (struct id_index){0};
}
