/* The webhook dispatcher (alsorn.md §6).
 *
 * delivery_sink is the event bus's sink (alsorn/events.h; the layer above installs it, since
 * delivery sits below the APIs that emit).  It runs in the API call that
 * caused the event, under that organization's lock, so it only copies: it prints the
 * envelope once, appends a reference to it to the queue of every active endpoint subscribed
 * to the event, and, for an endpoint that was idle, hands the worker a wake-up.  It never
 * waits for the network.
 *
 * One worker thread delivers with libcurl's multi interface: many endpoints at once, each
 * endpoint's events one at a time and in order (a later event waits behind an earlier one
 * that is being retried).  A failed attempt is retried on the schedule of retry_schedule.h;
 * after the last attempt the event counts as one failure of the endpoint, and
 * WEBHOOK_DISABLE_AFTER failures in a row disable it.  Every attempt is logged on the
 * endpoint (GET /webhooks/{id}/deliveries).  An attempt goes to the organization's forward
 * target when it has one (forward.h); an event for a URL outside the allow-list is not sent:
 * one attempt is logged with error "blocked_by_sandbox", without retries, and it does not
 * count toward disabling the endpoint.
 *
 * Time: delivered_at and next_retry_at are on the virtual clock.  The worker waits in real
 * time for each retry's delay, and if the virtual clock is moved forward past a
 * next_retry_at (sandbox clock controls) that retry becomes due at once.
 *
 * Lock order: a tenant's lock, then the dispatcher's own mutex (never the reverse). */
#ifndef DISPATCHER_H
#define DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/tenant.h"

struct delivery_config {
    int64_t retry_base_ms; /* back-off base when an organization sets none (--webhook-retry-base-ms) */
};

/* Starts the worker (the caller installs delivery_sink and delivery_wanted once it runs).  Returns 0, or -1 (reason logged). */
int delivery_start(const struct delivery_config *cfg);
/* Stops and joins the worker (the caller removes the sink first).  Deliveries not yet made stay queued on their
 * endpoints (the --state save at shutdown keeps them); attempts in flight are abandoned
 * unlogged, and made again after a restore. */
void delivery_stop(void);

/* Picks up the events waiting in every organization's endpoints that the worker has no
 * wake-up for: queues restored from a snapshot (called after a load, and by delivery_start).
 * Organizations replaced by the load are not in the store, so nothing more is delivered for
 * them.  Does nothing while the worker is not running. */
void delivery_resume(void);

/* The event sink (see above) and its question: whether an active endpoint of t subscribes to
 * the event.  t's lock is held. */
void delivery_sink(struct tenant *t, const char *event, cJSON *envelope, void *ctx);
bool delivery_wanted(const struct tenant *t, const char *event, void *ctx);

/* The back-off base in force for t (its setting, else the server's). */
int64_t delivery_retry_base_ms(const struct tenant *t);

#endif
