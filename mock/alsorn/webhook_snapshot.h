/* Alsorn webhook endpoints in a state snapshot, each followed by its delivery log (oldest
 * first) and the events still waiting to be delivered to it (in order):
 *
 *   {"type":"webhook","org_id","id","url","events":[...],"secret","active",
 *    "consecutive_failures","created_at","updated_at","dropped","head_attempts",
 *    "next_attempt_ms"}
 *   {"type":"webhook_delivery","org_id","webhook_id","delivery_id","event_id","event",
 *    "attempt","status_code","error","duration_ms","delivered_at","next_retry_at"}
 *   {"type":"webhook_pending","org_id","webhook_id","event_id","event","body"}
 *
 * The secret is saved as it is: the mock signs every delivery with it, so a state file is
 * as sensitive as the endpoints' secrets.  body is the envelope's exact text, so a delivery
 * after a restore is byte for byte (and signature for signature) the one that was queued.
 * An attempt in flight when the snapshot was taken is not counted in head_attempts: it is
 * made again.  next_attempt_ms (virtual ms, 0 = at once) is when the next attempt is due;
 * the dispatcher picks restored queues up (delivery_resume). */
#ifndef WEBHOOK_SNAPSHOT_H
#define WEBHOOK_SNAPSHOT_H

#include "store/snapshot_record.h"

int webhook_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
int webhook_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                          size_t err_size);
/* Both refuse a record whose endpoint has not come before it. */
int webhook_delivery_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                   char *err, size_t err_size);
int webhook_pending_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                  char *err, size_t err_size);

#endif
