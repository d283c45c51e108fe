/* Alsorn events (alsorn.md §6): what happened, in the order it happened.
 *
 * A handler that changes state calls events_emit while it still holds the tenant's lock, so
 * the events of one organization are emitted in the order their changes were made.  Emitting
 * builds the envelope and hands it to the sink (the webhook dispatcher); the sink only
 * enqueues, so an API call never waits for a delivery. */
#ifndef ALSORN_EVENTS_H
#define ALSORN_EVENTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/tenant.h"

#define EVENTS_API_VERSION "2026-01"

/* Every event name of §6 (webhook.test included), NULL-terminated. */
extern const char *const event_names[];

/* envelope: {"id": "evt_...", "event", "created", "api_version", "data"}, owned by the caller. */
typedef void (*event_sink_fn)(struct tenant *t, const char *event, cJSON *envelope, void *ctx);

/* One sink for the whole process (NULL: events are dropped). */
void events_set_sink(event_sink_fn sink, void *ctx);
/* Builds the envelope around data (consumed) and passes it to the sink.  t's lock is held. */
void events_emit(struct tenant *t, const char *event, cJSON *data, int64_t now);
/* The envelope alone (consumes data). */
cJSON *events_envelope(const char *event, cJSON *data, int64_t now);

#endif
