#include "delivery/due_queue.h"

#include <stdbool.h>
#include <stdlib.h>

static bool before(const struct due_entry *a, const struct due_entry *b) {
    return a->due_mono_ms != b->due_mono_ms ? a->due_mono_ms < b->due_mono_ms : a->seq < b->seq;
}

static void swap(struct due_entry *a, struct due_entry *b) {
    struct due_entry t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct due_queue *q, size_t i) {
    while (i > 0 && before(&q->heap[i], &q->heap[(i - 1) / 2])) {
        swap(&q->heap[i], &q->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct due_queue *q, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->n && before(&q->heap[l], &q->heap[m])) m = l;
        if (r < q->n && before(&q->heap[r], &q->heap[m])) m = r;
        if (m == i) return;
        swap(&q->heap[i], &q->heap[m]);
        i = m;
    }
}

int due_queue_push(struct due_queue *q, const struct due_entry *e) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct due_entry *h = realloc(q->heap, cap * sizeof *h);
        if (!h) return -1;
        q->heap = h;
        q->cap = cap;
    }
    q->heap[q->n] = *e;
    sift_up(q, q->n++);
    return 0;
}

const struct due_entry *due_queue_peek(const struct due_queue *q) {
    return q->n ? &q->heap[0] : NULL;
}

void due_queue_pop(struct due_queue *q, struct due_entry *out) {
    *out = q->heap[0];
    q->heap[0] = q->heap[--q->n];
    sift_down(q, 0);
}

void due_queue_retime(struct due_queue *q, int64_t now_mono_ms, int64_t now_virtual_ms) {
    for (size_t i = 0; i < q->n; i++) {
        int64_t by_virtual = now_mono_ms + (q->heap[i].due_virtual_ms - now_virtual_ms);
        if (by_virtual < q->heap[i].due_mono_ms) q->heap[i].due_mono_ms = by_virtual;
    }
    for (size_t i = q->n / 2; i-- > 0;) sift_down(q, i);
}
