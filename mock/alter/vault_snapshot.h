/* An Alter app's vault in a state snapshot, after its agents: grants in creation order, then
 * approvals in creation order.
 *
 *   {"type":"alter_grant","org_id",...the grant as the API renders it...,"upstream_token"}
 *   {"type":"alter_approval","org_id","id","grant_id","agent_id","status","approval_url",
 *    "created_at","expires_at","decided_at","executed_at","decision_reason",
 *    "call":{"method","url","host","headers":{...},"body_b64","timeout_ms"},
 *    "result","error","origin":{...the asking request's audit row...}}
 *
 * upstream_token is saved as it is: the vault injects it into every provider call, so the
 * state file holds provider credentials.  An approval whose call was running when saved
 * loads as failed ("interrupted", see alter_approval_restore). */
#ifndef ALTER_VAULT_SNAPSHOT_H
#define ALTER_VAULT_SNAPSHOT_H

#include "store/snapshot_record.h"

int alter_vault_snapshot_write(const struct tenant *t, const struct snapshot_out *out);
/* Refused: a duplicate id (grants and approvals share the directory), an owner or delegate
 * naming no agent of the app. */
int alter_grant_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size);
/* Refused: a duplicate id, a grant or agent the app does not have, a malformed call. */
int alter_approval_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                 char *err, size_t err_size);

#endif
