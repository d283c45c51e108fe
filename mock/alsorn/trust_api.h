/* Alsorn trust endpoints (alsorn.md §4).  Disputes are in alsorn/disputes.h. */
#ifndef ALSORN_TRUST_API_H
#define ALSORN_TRUST_API_H

#include "core/http.h"

void alsorn_trust_get(struct req *r);      /* GET /trust/{agent_id} (any organization) */
void alsorn_trust_query(struct req *r);    /* POST /trust/query (any organization) */
void alsorn_trust_history(struct req *r);  /* GET /trust/{agent_id}/history (any organization) */
void alsorn_trust_evaluate(struct req *r); /* POST /trust/evaluate/{agent_id} (own) */

#endif
