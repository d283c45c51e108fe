/* Alsorn webhook endpoints as stored (alsorn.md §6): the endpoint, the events queued for it
 * in the order they happened, the log of every delivery attempt, and the per-organization
 * set that indexes endpoints by id.  Everything here is guarded by the owning tenant's lock;
 * the delivery worker (delivery/dispatcher.c) takes that lock to pick the next event and to
 * record each attempt's outcome. */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "core/random.h"

#define WEBHOOK_UUID_LEN     37    /* 8-4-4-4-12 hex + NUL */
#define WEBHOOK_EVENT_LEN    32    /* longest event name + NUL, with room */
/* Caps on what an endpoint keeps (--webhook-log-max, --webhook-queue-max): the newest attempts
 * of its delivery log (older ones are forgotten), and the events queued behind a slow or
 * failing receiver (later ones are refused).  Both count what they drop. */
#define WEBHOOK_LOG_MAX_DEFAULT   1000
#define WEBHOOK_QUEUE_MAX_DEFAULT 10000
void webhook_set_caps(size_t log_max, size_t queue_max); /* each 1 or more */
size_t webhook_log_max(void);
size_t webhook_queue_max(void);
#define WEBHOOK_DISABLE_AFTER 10   /* consecutive failed events that disable an endpoint */
#define WEBHOOK_URL_MAX      2048  /* longest endpoint URL (alsorn.md §6) */

/* Per-organization delivery settings (sandbox: PATCH /_mock/orgs/{id}/webhook-settings). */
struct webhook_settings {
    int64_t retry_base_ms; /* 0: the server's --webhook-retry-base-ms */
    int max_attempts;
    int timeout_ms;
    /* sandbox forwarding: every delivery goes here instead ("" = the server's --webhook-forward,
     * if any) */
    char forward_to[WEBHOOK_URL_MAX + 1];
};
#define WEBHOOK_SETTINGS_DEFAULT {.retry_base_ms = 0, .max_attempts = 8, .timeout_ms = 10000}

/* One event as it goes out: the envelope's exact text, shared by every endpoint queue and
 * transfer that carries it; the last webhook_event_release frees it. */
struct webhook_event {
    atomic_int refs;
    char id[ID_LEN]; /* evt_... */
    char name[WEBHOOK_EVENT_LEN];
    char *body; /* owned */
    size_t body_len;
};

/* Takes ownership of body (freed on failure too).  NULL when out of memory. */
struct webhook_event *webhook_event_new(const char *id, const char *name, char *body,
                                        size_t body_len);
void webhook_event_retain(struct webhook_event *e);
void webhook_event_release(struct webhook_event *e);

/* One attempt, as GET /webhooks/{id}/deliveries shows it. */
struct delivery_record {
    char delivery_id[WEBHOOK_UUID_LEN];
    char event_id[ID_LEN];
    char event[WEBHOOK_EVENT_LEN];
    int attempt;           /* 1 for the first */
    int status_code;       /* 0: no HTTP answer (null) */
    char *error;           /* owned; NULL on success */
    int64_t duration_ms;
    int64_t delivered_at;  /* virtual Unix seconds when the attempt started */
    int64_t next_retry_at; /* virtual Unix seconds; 0 when no retry follows (null) */
};

/* The newest webhook_log_max() attempts, in a ring. */
struct delivery_log {
    struct delivery_record *ring;
    size_t cap, start, n;
    uint64_t dropped; /* older attempts forgotten to make room */
};

struct pending_event {
    struct webhook_event *event; /* one reference */
    struct pending_event *next;
};

/* Where an endpoint is in the delivery worker's cycle. */
enum webhook_state {
    WEBHOOK_IDLE,      /* nothing scheduled */
    WEBHOOK_SCHEDULED, /* the worker holds a wake-up for it (tagged with schedule_gen) */
    WEBHOOK_IN_FLIGHT, /* an attempt at the head event is being sent */
};

struct webhook {
    char id[ID_LEN]; /* wh_... */
    char *url;       /* owned */
    char **events;   /* owned; as registered: known names, or the single "*" */
    size_t n_events;
    char secret[ID_LEN]; /* whsec_ + 32 hex: kept to sign, shown only by the create response */
    bool active;
    int consecutive_failures; /* failed events (after their last attempt) since a success */
    int64_t created_at, updated_at;
    size_t position; /* index in webhook_set.list */

    /* delivery, in event order: only the head is ever attempted */
    struct pending_event *head, *tail;
    size_t n_pending;
    int head_attempts; /* attempts made at the head event so far */
    size_t dropped;    /* events refused because the queue was full (webhook_queue_max) */
    enum webhook_state state;
    uint64_t schedule_gen;   /* bumped when a scheduled wake-up is withdrawn */
    int64_t next_attempt_ms; /* virtual ms the scheduled wake-up is due (snapshots keep it) */
    struct delivery_log log;

    UT_hash_handle hh;
};

struct webhook_set {
    struct webhook *by_id; /* uthash */
    struct webhook **list; /* creation order */
    size_t n, cap;
};

void webhook_free(struct webhook *w);
/* Replaces the event list with copies of events[0..n).  Returns 0 or -1. */
int webhook_set_events(struct webhook *w, const char *const *events, size_t n);
bool webhook_subscribed(const struct webhook *w, const char *event);

/* Appends e (retained) to w's queue.  Returns 0, or -1 when the queue is full (counted in
 * w->dropped) or out of memory. */
int webhook_enqueue(struct webhook *w, struct webhook_event *e);
/* Drops the head event (after success or its last attempt). */
void webhook_pop(struct webhook *w);
/* Drops every queued event. */
void webhook_drop_pending(struct webhook *w);
/* active = false: queued events are dropped and a scheduled wake-up is withdrawn (an attempt
 * in flight finishes and is logged, but is not retried). */
void webhook_disable(struct webhook *w);

/* Appends a record (takes ownership of rec->error); the oldest goes when the log is full. */
void delivery_log_append(struct delivery_log *log, struct delivery_record *rec);
/* The k-th newest record, k < log->n. */
const struct delivery_record *delivery_log_nth_newest(const struct delivery_log *log, size_t k);
void delivery_log_free(struct delivery_log *log);

/* Takes ownership of w on success (0); -1 when out of memory. */
int webhook_set_add(struct webhook_set *s, struct webhook *w);
struct webhook *webhook_set_find(const struct webhook_set *s, const char *id);
/* Removes and frees w. */
void webhook_set_remove(struct webhook_set *s, struct webhook *w);
void webhook_set_free(struct webhook_set *s);

#endif
