/* Alsorn agents in a state snapshot: one self-contained record per agent, in creation order,
 * with its trust record (counters, last evaluation, history) and its audit chain.
 *
 *   {"type":"agent","org_id",...every stored field...,"trust":{...},"audit":[...]}
 *
 * Each audit entry's payload is saved as its canonical JSON text (a string), exactly the text
 * its hash covers.  An agent's positions in the transaction index are not saved: the transaction
 * records that follow rebuild them. */
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
