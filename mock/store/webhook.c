#include "store/webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/string_array.h"
#include "core/text_copy.h"

struct webhook_event *webhook_event_new(const char *id, const char *name, char *body,
                                        size_t body_len) {
    struct webhook_event *e = calloc(1, sizeof *e);
    if (!e || !body) {
        free(e);
        free(body);
        return NULL;
    }
    atomic_init(&e->refs, 1);
    text_copy(e->id, sizeof e->id, id);
    text_copy(e->name, sizeof e->name, name);
    e->body = body;
    e->body_len = body_len;
    return e;
}

void webhook_event_retain(struct webhook_event *e) { atomic_fetch_add(&e->refs, 1); }

void webhook_event_release(struct webhook_event *e) {
    if (!e || atomic_fetch_sub(&e->refs, 1) != 1) return;
    free(e->body);
    free(e);
}

void webhook_free(struct webhook *w) {
    if (!w) return;
    webhook_drop_pending(w);
    delivery_log_free(&w->log);
    string_array_free(w->events, w->n_events);
    free(w->url);
    free(w);
}

int webhook_set_events(struct webhook *w, const char *const *events, size_t n) {
    return string_array_replace(&w->events, &w->n_events, events, n);
}

bool webhook_subscribed(const struct webhook *w, const char *event) {
    for (size_t i = 0; i < w->n_events; i++)
        if (strcmp(w->events[i], "*") == 0 || strcmp(w->events[i], event) == 0) return true;
    return false;
}

static atomic_size_t log_max = WEBHOOK_LOG_MAX_DEFAULT, queue_max = WEBHOOK_QUEUE_MAX_DEFAULT;

void webhook_set_caps(size_t log, size_t queue) {
    atomic_store(&log_max, log ? log : 1);
    atomic_store(&queue_max, queue ? queue : 1);
}
size_t webhook_log_max(void) { return atomic_load(&log_max); }
size_t webhook_queue_max(void) { return atomic_load(&queue_max); }

int webhook_enqueue(struct webhook *w, struct webhook_event *e) {
    if (w->n_pending >= webhook_queue_max()) {
        w->dropped++;
        return -1;
    }
    struct pending_event *p = malloc(sizeof *p);
    if (!p) return -1;
    webhook_event_retain(e);
    p->event = e;
    p->next = NULL;
    if (w->tail) w->tail->next = p;
    else w->head = p;
    w->tail = p;
    w->n_pending++;
    return 0;
}

void webhook_pop(struct webhook *w) {
    struct pending_event *p = w->head;
    if (!p) return;
    w->head = p->next;
    if (!w->head) w->tail = NULL;
    w->n_pending--;
    w->head_attempts = 0;
    webhook_event_release(p->event);
    free(p);
}

void webhook_drop_pending(struct webhook *w) {
    while (w->head) webhook_pop(w);
}

void webhook_disable(struct webhook *w) {
    w->active = false;
    webhook_drop_pending(w);
    if (w->state == WEBHOOK_SCHEDULED) {
        w->state = WEBHOOK_IDLE;
        w->schedule_gen++; /* the worker ignores the wake-up it holds */
    }
}

void delivery_log_append(struct delivery_log *log, struct delivery_record *rec) {
    size_t max = webhook_log_max();
    if (log->n == log->cap && log->cap < max) {
        size_t cap = log->cap ? log->cap * 2 : 16;
        if (cap > max) cap = max;
        struct delivery_record *ring = malloc(cap * sizeof *ring);
        if (!ring) {
            free(rec->error);
            return;
        }
        /* unroll the ring into the new array, oldest first */
        for (size_t i = 0; i < log->n; i++) ring[i] = log->ring[(log->start + i) % log->cap];
        free(log->ring);
        log->ring = ring;
        log->cap = cap;
        log->start = 0;
    }
    if (log->n == log->cap) { /* full at its cap: the oldest makes room */
        free(log->ring[log->start].error);
        log->dropped++;
        log->ring[log->start] = *rec;
        log->start = (log->start + 1) % log->cap;
        return;
    }
    log->ring[(log->start + log->n) % log->cap] = *rec;
    log->n++;
}

const struct delivery_record *delivery_log_nth_newest(const struct delivery_log *log, size_t k) {
    return &log->ring[(log->start + log->n - 1 - k) % log->cap];
}

void delivery_log_free(struct delivery_log *log) {
    for (size_t i = 0; i < log->n; i++) free(log->ring[(log->start + i) % log->cap].error);
    free(log->ring);
    memset(log, 0, sizeof *log);
}

int webhook_set_add(struct webhook_set *s, struct webhook *w) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct webhook **l = realloc(s->list, cap * sizeof *l);
        if (!l) return -1;
        s->list = l;
        s->cap = cap;
    }
    w->position = s->n;
    s->list[s->n++] = w;
    HASH_ADD_STR(s->by_id, id, w);
    return 0;
}

struct webhook *webhook_set_find(const struct webhook_set *s, const char *id) {
    struct webhook *w = NULL;
    HASH_FIND_STR(s->by_id, id, w);
    return w;
}

void webhook_set_remove(struct webhook_set *s, struct webhook *w) {
    HASH_DEL(s->by_id, w);
    /* keep creation order: endpoints are few, and deleting one is rare */
    for (size_t i = w->position + 1; i < s->n; i++) {
        s->list[i - 1] = s->list[i];
        s->list[i - 1]->position = i - 1;
    }
    s->n--;
    webhook_free(w);
}

void webhook_set_free(struct webhook_set *s) {
    HASH_CLEAR(hh, s->by_id);
    for (size_t i = 0; i < s->n; i++) webhook_free(s->list[i]);
    free(s->list);
    memset(s, 0, sizeof *s);
}
