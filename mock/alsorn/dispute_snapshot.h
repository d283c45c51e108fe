/* Alsorn disputes in a state snapshot: one record per dispute, in filing order, after the
 * agents and transactions they name.
 *
 *   {"type":"dispute","org_id","id","agent_id","reported_by","transaction_id",
 *    "evidence_ids":[...],"reason","evidence","status","created_at","resolved_at"} */
#ifndef DISPUTE_SNAPSHOT_H
#define DISPUTE_SNAPSHOT_H

#include "store/snapshot_record.h"

int dispute_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
/* Refused: an unknown agent or transaction, a duplicate id, too much evidence. */
int dispute_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                          size_t err_size);

#endif
