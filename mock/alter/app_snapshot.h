/* An organization's Alter app in a state snapshot, after its Alsorn records: the app, its
 * agents (creation order), every key it issued (issue order, so each agent's key list comes
 * back oldest first), the live idempotency records (insertion order) and the audit log, one
 * row per record, oldest first.
 *
 *   {"type":"alter_app","org_id","id"}
 *   {"type":"alter_agent","org_id","id","name","display_name","agent_type","revoked",
 *    "scopes","metadata","policy","created_at","updated_at","revoked_at"}
 *   {"type":"alter_key","org_id","id","agent_id"|null,"prefix","name","status","scopes":[...],
 *    "lookup","salt","salted_hash","created_at","deprecated_at","revoked_at","last_used_at"}
 *   {"type":"alter_idempotency","org_id","key","body_hash","agent_id","created_at"}
 *   {"type":"alter_audit","org_id",...the row as GET /sdk/audit-logs renders it, hash...}
 *
 * A key is saved as its lookup index (HMAC under the process pepper, which the meta record
 * carries) and its salted hash, never in plaintext.  Audit rows are checked as they load:
 * each must hash to its saved hash on top of the row before it, so a broken chain is refused,
 * and the filter indexes are rebuilt from the rows. */
#ifndef ALTER_APP_SNAPSHOT_H
#define ALTER_APP_SNAPSHOT_H

#include "store/snapshot_record.h"

int alter_app_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
int alter_app_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                            size_t err_size);
/* Refused: a duplicate id, or a live agent whose name a live agent already has. */
int alter_agent_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size);
/* Refused: a duplicate id or lookup, an agent_id naming no agent before it. */
int alter_key_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                            size_t err_size);
/* Refused: a duplicate key, an agent_id naming no agent of the app. */
int alter_idempotency_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                    char *err, size_t err_size);
/* Refused: a row that does not link onto the chain, a duplicate id. */
int alter_audit_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size);

#endif
