#include "alter/idempotency.h"
#include "core/text_copy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool expired(const struct idempotency_record *rec, int64_t now) {
    return now - rec->created_at >= IDEMPOTENCY_TTL_SECONDS;
}

static void unlink_record(struct alter_idempotency *s, struct idempotency_record *rec) {
    HASH_DEL(s->by_key, rec);
    struct idempotency_record **p = &s->oldest, *prev = NULL;
    while (*p && *p != rec) { /* O(1) in practice: only the oldest are unlinked */
        prev = *p;
        p = &(*p)->next;
    }
    if (*p) *p = rec->next;
    if (s->newest == rec) s->newest = prev;
    free(rec->key);
    free(rec);
}

const struct idempotency_record *idempotency_find(struct alter_idempotency *s, const char *key,
                                                  int64_t now) {
    while (s->oldest && expired(s->oldest, now))
        unlink_record(s, s->oldest);
    struct idempotency_record *rec = NULL;
    HASH_FIND_STR(s->by_key, key, rec);
    /* a record can outlive its day behind a younger one when the clock was set back */
    return rec && !expired(rec, now) ? rec : NULL;
}

int idempotency_put(struct alter_idempotency *s, const char *key, const char *body_hash,
                    const char *agent_id, int64_t now) {
    struct idempotency_record *old = NULL;
    HASH_FIND_STR(s->by_key, key, old);
    if (old) unlink_record(s, old);
    struct idempotency_record *rec = calloc(1, sizeof *rec);
    if (!rec || !(rec->key = strdup(key))) {
        free(rec);
        return -1;
    }
    text_copy(rec->body_hash, sizeof rec->body_hash, body_hash);
    text_copy(rec->agent_id, sizeof rec->agent_id, agent_id);
    rec->created_at = now;
    HASH_ADD_KEYPTR(hh, s->by_key, rec->key, strlen(rec->key), rec);
    if (s->newest)
        s->newest->next = rec;
    else
        s->oldest = rec;
    s->newest = rec;
    return 0;
}

void idempotency_free(struct alter_idempotency *s) {
    struct idempotency_record *rec = s->oldest;
    HASH_CLEAR(hh, s->by_key);
    while (rec) {
        struct idempotency_record *next = rec->next;
        free(rec->key);
        free(rec);
        rec = next;
    }
    *s = (struct alter_idempotency){0};
}
