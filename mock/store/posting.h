/* Posting lists: a string key → the ascending positions of the objects that carry it (the
 * rows of an audit log with that run_id, the grants an agent may use).  A filtered page walks
 * the posting of its rarest key instead of every object. */
#ifndef POSTING_H
#define POSTING_H

#include <stddef.h>

#include <uthash.h>

struct posting {
    char *key;   /* owned */
    size_t *pos; /* ascending positions */
    size_t n, cap;
    UT_hash_handle hh;
};

struct posting *posting_find(struct posting *table, const char *key);
/* Appends pos (larger than any before it under key).  Returns 0, or -1 when out of memory. */
int posting_add(struct posting **table, const char *key, size_t pos);
/* Drops the last position added under key (undoing a posting_add). */
void posting_undo(struct posting *table, const char *key);
void posting_free_all(struct posting **table);
/* Forgets the objects at positions below k and renumbers the rest down by k (a log dropped
 * its k oldest rows); a key left with no position is removed. */
void posting_shift_all(struct posting **table, size_t k);
/* First index of p->pos whose value is > after (after = -1: 0). */
size_t posting_first_after(const struct posting *p, long after);

#endif
