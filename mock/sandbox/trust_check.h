/* GET /_mock/orgs/{id}/trust-check: recomputes every agent's trust score of one organization
 * from scratch (its counters recounted from its transactions and disputes, then the model)
 * and compares it with the stored score and counters.  Read-only; for soak tests and anyone
 * who suspects the incremental bookkeeping:
 *   {"org_id", "agents": N, "mismatches": M, "details": [{agent_id, stored, recomputed}...]}
 * (at most 20 details). */
#ifndef SANDBOX_TRUST_CHECK_H
#define SANDBOX_TRUST_CHECK_H

#include "core/http.h"

void mock_trust_check(struct req *r);

#endif
