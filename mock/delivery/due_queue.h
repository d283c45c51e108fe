/* The delivery worker's wake-ups: which endpoint to attempt next, and when.  A binary
 * min-heap on the monotonic due time (ties in scheduling order), so the worker finds the
 * next wake-up in O(1) and schedules in O(log n).  Not thread-safe: the dispatcher's mutex
 * guards it. */
#ifndef DUE_QUEUE_H
#define DUE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/random.h"

struct tenant;

struct due_entry {
    int64_t due_mono_ms;    /* CLOCK_MONOTONIC ms: the wait in real time */
    int64_t due_virtual_ms; /* the same moment on the virtual clock (next_retry_at) */
    uint64_t seq;           /* scheduling order, for ties */
    uint64_t gen;           /* the endpoint's schedule_gen when scheduled */
    struct tenant *tenant;  /* one reference, owned by the entry */
    char webhook_id[ID_LEN];
};

struct due_queue {
    struct due_entry *heap;
    size_t n, cap;
};

/* Returns 0, or -1 when out of memory. */
int due_queue_push(struct due_queue *q, const struct due_entry *e);
/* The earliest entry, or NULL when empty. */
const struct due_entry *due_queue_peek(const struct due_queue *q);
void due_queue_pop(struct due_queue *q, struct due_entry *out);
/* After the virtual clock moved: every entry becomes due at the earlier of its real-time due
 * moment and the moment the virtual clock, as it now runs, reaches its due_virtual_ms.  So
 * advancing the clock past a next_retry_at makes that retry due at once, and moving the
 * clock back never holds a retry beyond its real-time delay. */
void due_queue_retime(struct due_queue *q, int64_t now_mono_ms, int64_t now_virtual_ms);

#endif
