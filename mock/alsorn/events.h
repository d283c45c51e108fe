/* Alsorn events (alsorn.md §6): what happened, in the order it happened.
 *
 * A handler that changes state calls events_emit while it still holds the tenant's lock, so
 * the events of one organization are emitted in the order their changes were made.  Emitting
 * builds the envelope and hands it to the sink (the webhook dispatcher); the sink only
 * enqueues, so an API call never waits for a delivery. */
#ifndef ALSORN_EVENTS_H
#define ALSORN_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/tenant.h"

#define EVENTS_API_VERSION "2026-01"

/* Every event name of §6 (webhook.test included), NULL-terminated. */
extern const char *const event_names[];

/* envelope: {"id": "evt_...", "event", "created", "api_version", "data"}, owned by the caller. */
typedef void (*event_sink_fn)(struct tenant *t, const char *event, cJSON *envelope, void *ctx);

/* Whether the sink would take t's event (t's lock is held). */
typedef bool (*event_wanted_fn)(const struct tenant *t, const char *event, void *ctx);

/* One sink for the whole process (NULL: events are dropped), with the question it answers
 * before an event is built (NULL: it takes every event). */
void events_set_sink(event_sink_fn sink, event_wanted_fn wanted, void *ctx);
/* Whether an event of t would reach the sink: a caller builds no data nobody receives (most
 * organizations have no endpoint, and a write request would build its event for nothing).
 * t's lock is held. */
bool events_wanted(const struct tenant *t, const char *event);
/* Builds the envelope around data (consumed) and passes it to the sink if it wants the event.
 * t's lock is held. */
void events_emit(struct tenant *t, const char *event, cJSON *data, int64_t now);
/* The envelope alone (consumes data). */
cJSON *events_envelope(const char *event, cJSON *data, int64_t now);

#endif
