/* Idempotency-Key for Alsorn POSTs (alsorn.md §7): the first response to a key is stored for
 * 24 h of virtual time per organization; a repeat with the same method, path (with its query)
 * and body bytes gets it again (X-Request-Id included) with `Idempotent-Replayed: true`; a
 * different request with the key is 409 idempotency_key_reused; a repeat that arrives while
 * the first still runs waits for it (a condition variable), so two racing retries never both
 * execute, for at most idempotency_wait_ms: then it is 409 idempotency_key_in_use with
 * Retry-After (the first request is still running; it is not run twice).
 *
 * Each tenant has its own store and lock (struct tenant.idem, made by mock/tenant_parts.c).
 * Memory is bounded: entries past 24 h, and the oldest completed ones beyond
 * IDEM_MAX_ENTRIES, go lazily when a new key arrives. */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http.h"

#define IDEM_TTL_SECONDS (24 * 3600)
#define IDEM_MAX_ENTRIES 10000 /* per tenant */
#define IDEM_KEY_MAX 255
#define IDEM_WAIT_MS_DEFAULT 10000

/* How long a repeat waits for the first request of its key (--idempotency-wait-ms). */
extern long idempotency_wait_ms;

struct idempotency_store;

struct idempotency_store *idempotency_store_new(void); /* NULL when out of memory */
/* Drops every completed entry; running ones stay (their requests will complete them). */
void idempotency_store_clear(struct idempotency_store *s);
void idempotency_store_free(struct idempotency_store *s); /* no request may be using it */

/* Dispatcher steps for an Alsorn POST of an authenticated caller.
 * idempotency_start: without the header, does nothing.  With a valid key it either claims the
 * key (the request goes on to execute) or renders the reply (replay, 409, or a 422 for a
 * malformed key) and returns false. */
bool idempotency_start(struct req *r);
/* Stores r->reply as the key's response when this request claimed one, and wakes waiters. */
void idempotency_finish(struct req *r);

/* Snapshots: one record per completed key, oldest first (a key whose request is still
 * running is not saved: that request dies with the process).
 *   {"type":"idempotency","org_id","key","fingerprint","created_at","status","content_type",
 *    "body","headers","request_id"} */
struct snapshot_out;
struct store_staging;
struct tenant;
int idempotency_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
/* Refused: a malformed key or fingerprint, a duplicate key, an unknown content type. */
int idempotency_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size);

#endif
