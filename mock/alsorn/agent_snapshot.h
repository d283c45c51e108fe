/* Alsorn agents in a state snapshot: one self-contained record per agent, in creation order,
 * with its trust record (counters, last evaluation, history) and its audit chain.
 *
 *   {"type":"agent","org_id",...every stored field...,"trust":{...},"audit":[...]}
 *
 * Each audit entry of the agent's own (registration, changes, disputes) is saved whole, its
 * payload as its canonical JSON text (a string), exactly the text its hash covers.  An entry
 * that records a transaction is saved as {"id","payload_hash"}: the transaction record gives
 * its action, actor, time and payload again, and the load checks its hash then (version 2
 * files save it whole, and still load).  An agent's positions in the transaction index are not
 * saved: the transaction records that follow rebuild them. */
#ifndef AGENT_SNAPSHOT_H
#define AGENT_SNAPSHOT_H

#include "store/snapshot_record.h"

int agent_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
/* A chain that does not verify, an id any staged org already has, an unknown history reason:
 * refused.  The fingerprint is kept as saved: GET /agents/{id}/verify recomputes it, so an
 * agent whose registration fields were edited reads "verified": false, as on the service. */
int agent_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                        size_t err_size);

#endif
