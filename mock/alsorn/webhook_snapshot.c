#include "alsorn/webhook_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "core/json_read.h"

static cJSON *webhook_record(const struct webhook *w, const struct tenant *t) {
    cJSON *o = snapshot_record("webhook", t);
    cJSON_AddStringToObject(o, "id", w->id);
    cJSON_AddStringToObject(o, "url", w->url);
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    for (size_t i = 0; i < w->n_events; i++)
        cJSON_AddItemToArray(events, cJSON_CreateString(w->events[i]));
    cJSON_AddStringToObject(o, "secret", w->secret);
    cJSON_AddBoolToObject(o, "active", w->active);
    snapshot_add_int(o, "consecutive_failures", w->consecutive_failures);
    snapshot_add_int(o, "created_at", w->created_at);
    snapshot_add_int(o, "updated_at", w->updated_at);
    snapshot_add_int(o, "dropped", (int64_t)w->dropped);
    snapshot_add_int(o, "deliveries_dropped", (int64_t)w->log.dropped);
    bool in_flight = w->state == WEBHOOK_IN_FLIGHT;
    snapshot_add_int(o, "head_attempts", w->head_attempts - (in_flight ? 1 : 0));
    snapshot_add_int(o, "next_attempt_ms", w->state == WEBHOOK_SCHEDULED ? w->next_attempt_ms : 0);
    return o;
}

static cJSON *delivery_record(const struct webhook *w, const struct delivery_record *d,
                              const struct tenant *t) {
    cJSON *o = snapshot_record("webhook_delivery", t);
    cJSON_AddStringToObject(o, "webhook_id", w->id);
    cJSON_AddStringToObject(o, "delivery_id", d->delivery_id);
    cJSON_AddStringToObject(o, "event_id", d->event_id);
    cJSON_AddStringToObject(o, "event", d->event);
    snapshot_add_int(o, "attempt", d->attempt);
    snapshot_add_int(o, "status_code", d->status_code);
    json_add_string_or_null(o, "error", d->error);
    snapshot_add_int(o, "duration_ms", d->duration_ms);
    snapshot_add_int(o, "delivered_at", d->delivered_at);
    snapshot_add_int(o, "next_retry_at", d->next_retry_at);
    return o;
}

static cJSON *pending_record(const struct webhook *w, const struct webhook_event *e,
                             const struct tenant *t) {
    cJSON *o = snapshot_record("webhook_pending", t);
    cJSON_AddStringToObject(o, "webhook_id", w->id);
    cJSON_AddStringToObject(o, "event_id", e->id);
    cJSON_AddStringToObject(o, "event", e->name);
    cJSON_AddStringToObject(o, "body", e->body);
    return o;
}

int webhook_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    for (size_t i = 0; i < t->webhooks.n; i++) {
        const struct webhook *w = t->webhooks.list[i];
        if (out->put(out->ctx, webhook_record(w, t)) != 0) return -1;
        for (size_t k = w->log.n; k-- > 0;)
            if (out->put(out->ctx, delivery_record(w, delivery_log_nth_newest(&w->log, k), t)))
                return -1;
        for (const struct pending_event *p = w->head; p; p = p->next)
            if (out->put(out->ctx, pending_record(w, p->event, t)) != 0) return -1;
    }
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

int webhook_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                          size_t err_size) {
    (void)st;
    struct webhook *w = calloc(1, sizeof *w);
    if (!w) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    jr_copy(rec, "id", w->id, sizeof w->id, &ok);
    w->url = strdup(jr_string(rec, "url", &ok));
    size_t n = 0;
    const char **events = jr_strings(rec, "events", &n, &ok);
    if (ok && (n == 0 || webhook_set_events(w, events, n) != 0)) ok = false;
    free(events);
    jr_copy(rec, "secret", w->secret, sizeof w->secret, &ok);
    w->active = jr_bool(rec, "active", &ok);
    w->consecutive_failures = (int)jr_int(rec, "consecutive_failures", &ok);
    w->created_at = jr_int(rec, "created_at", &ok);
    w->updated_at = jr_int(rec, "updated_at", &ok);
    w->dropped = (size_t)jr_int(rec, "dropped", &ok);
    /* absent from files saved before the delivery log counted what it forgot */
    if (jr_member(rec, "deliveries_dropped")) {
        int64_t forgotten = jr_int(rec, "deliveries_dropped", &ok);
        ok = ok && forgotten >= 0;
        w->log.dropped = ok ? (uint64_t)forgotten : 0;
    }
    w->head_attempts = (int)jr_int(rec, "head_attempts", &ok);
    w->next_attempt_ms = jr_int(rec, "next_attempt_ms", &ok);
    w->state = WEBHOOK_IDLE; /* until the dispatcher schedules it */
    const char *why = !ok || !w->url                          ? "missing or mistyped fields"
                      : webhook_set_find(&t->webhooks, w->id) ? "duplicate id"
                      : webhook_set_add(&t->webhooks, w) != 0 ? "out of memory"
                                                              : NULL;
    if (!why) return 0;
    snapshot_fail(err, err_size, "webhook %s: %s", w->id[0] ? w->id : "?", why);
    webhook_free(w);
    return -1;
}

/* The endpoint a delivery or pending record belongs to, or NULL after filling err. */
static struct webhook *owner(struct tenant *t, const cJSON *rec, const char *kind, char *err,
                             size_t err_size) {
    bool ok = true;
    const char *id = jr_string(rec, "webhook_id", &ok);
    struct webhook *w = webhook_set_find(&t->webhooks, id);
    if (!w)
        snapshot_fail(err, err_size, "%s of webhook '%s': no such endpoint before it", kind, id);
    return w;
}

int webhook_delivery_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                   char *err, size_t err_size) {
    (void)st;
    struct webhook *w = owner(t, rec, "delivery", err, err_size);
    if (!w) return -1;
    bool ok = true;
    struct delivery_record d = {0};
    jr_copy(rec, "delivery_id", d.delivery_id, sizeof d.delivery_id, &ok);
    jr_copy(rec, "event_id", d.event_id, sizeof d.event_id, &ok);
    jr_copy(rec, "event", d.event, sizeof d.event, &ok);
    d.attempt = (int)jr_int(rec, "attempt", &ok);
    d.status_code = (int)jr_int(rec, "status_code", &ok);
    d.error = jr_strdup_or_null(rec, "error", &ok);
    d.duration_ms = jr_int(rec, "duration_ms", &ok);
    d.delivered_at = jr_int(rec, "delivered_at", &ok);
    d.next_retry_at = jr_int(rec, "next_retry_at", &ok);
    if (!ok) {
        free(d.error);
        return snapshot_fail(err, err_size, "delivery of webhook %s: missing or mistyped fields",
                             w->id);
    }
    delivery_log_append(&w->log, &d); /* takes d.error */
    return 0;
}

int webhook_pending_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                  char *err, size_t err_size) {
    (void)st;
    struct webhook *w = owner(t, rec, "pending event", err, err_size);
    if (!w) return -1;
    bool ok = true;
    char id[ID_LEN], name[WEBHOOK_EVENT_LEN];
    jr_copy(rec, "event_id", id, sizeof id, &ok);
    jr_copy(rec, "event", name, sizeof name, &ok);
    const char *body = jr_string(rec, "body", &ok);
    if (!ok)
        return snapshot_fail(err, err_size,
                             "pending event of webhook %s: missing or mistyped fields", w->id);
    struct webhook_event *e = webhook_event_new(id, name, strdup(body), strlen(body));
    /* over the queue's cap (a file saved with a larger one) the event is dropped and counted */
    bool full = w->n_pending >= webhook_queue_max();
    int rc = e ? webhook_enqueue(w, e) : -1;
    webhook_event_release(e); /* the queue holds its own reference */
    return rc == 0 || full ? 0 : snapshot_fail(err, err_size, "out of memory");
}
