/* Alsorn transactions in a state snapshot: one record per transaction, in creation order (so
 * the status indexes and each agent's list of positions rebuild exactly as they were), after
 * the agents they name.
 *
 *   {"type":"transaction","org_id","id","transaction_type":"transfer"|"reversal","status",
 *    "agent_id","counterparty_id","amount_cents","currency","action_type","notes",
 *    "permissions_checked","audit_index","created_at","reversed_at","original_id",
 *    "reversal_reason","error_code","error_message"}
 *
 * A reversal record names the transfer it reverses (original_id), which came before it; the
 * link back from the transfer is rebuilt from that. */
#ifndef TRANSACTION_SNAPSHOT_H
#define TRANSACTION_SNAPSHOT_H

#include "store/snapshot_record.h"

int transaction_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
/* Refused: an unknown agent, a duplicate id, an error code the mock never writes, a reversal
 * of anything but an earlier reversed transfer, and a record whose fields do not give the
 * hashes of its entries in both parties' chains (the initiator's being the one its
 * audit_index points at): the chains vouch for the id, parties, amount, currency, action,
 * status and error code. */
int transaction_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size);
/* After the last record: every reversed transfer has its reversal record, and every chain
 * entry that records a transaction found it.  0, or -1. */
int transaction_snapshot_check(const struct tenant *t, char *err, size_t err_size);

#endif
