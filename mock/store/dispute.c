#include "store/dispute.h"

#include <stdlib.h>

const char *const dispute_status_names[] = {"pending_review", "upheld", "dismissed", NULL};

void dispute_free(struct dispute *d) {
    if (!d) return;
    free(d->reason);
    free(d->evidence_text);
    free(d);
}

void dispute_set_add(struct dispute_set *s, struct dispute *d) { HASH_ADD_STR(s->by_id, id, d); }

struct dispute *dispute_set_find(const struct dispute_set *s, const char *id) {
    struct dispute *d = NULL;
    HASH_FIND_STR(s->by_id, id, d);
    return d;
}

void dispute_set_free(struct dispute_set *s) {
    struct dispute *d, *tmp;
    HASH_ITER(hh, s->by_id, d, tmp) {
        HASH_DEL(s->by_id, d);
        dispute_free(d);
    }
}
