/* Alsorn disputes (alsorn.md §4): filing one (POST /trust/report), reading it back, and
 * resolving it (a sandbox control; the live service resolves disputes by review).  A pending
 * or upheld dispute counts against the reported agent's score. */
#ifndef ALSORN_DISPUTES_H
#define ALSORN_DISPUTES_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/http.h"
#include "store/dispute.h"
#include "store/tenant.h"

void alsorn_dispute_report(struct req *r); /* POST /trust/report */
void alsorn_dispute_get(struct req *r);    /* GET /trust/disputes/{dispute_id} */
/* POST /_mock/orgs/{org_id}/disputes/{dispute_id}/resolve {"outcome": "upheld" | "dismissed"} */
void mock_dispute_resolve(struct req *r);

/* {dispute_id, agent_id, reported_by, reason, evidence, evidence_ids, transaction_id, status,
 * created_at, resolved_at} */
cJSON *dispute_json(const struct dispute *d);

/* Settles a pending dispute (upheld: it keeps counting against the agent; dismissed: it stops)
 * with its audit entry and the agent's re-evaluation.  Returns false when it is not pending.
 * t's lock is held. */
bool dispute_resolve(struct tenant *t, struct dispute *d, bool upheld, const char *actor_id,
                     int64_t now);

#endif
