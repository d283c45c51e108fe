/* Agents in a state snapshot: one self-contained record per agent, audit chain included. */
#ifndef AGENT_SNAPSHOT_H
#define AGENT_SNAPSHOT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "store/tenant.h"

/* {"type": "agent", "org_id", ...every stored field..., "audit": [...]} */
cJSON *agent_snapshot_json(const struct agent *a, const struct tenant *t);
/* Adds the agent of record rec to t (not yet in the directory).  Returns 0, or -1 with the
 * reason in err.  A chain whose hashes do not link is rejected. */
int agent_snapshot_load(struct tenant *t, const cJSON *rec, char *err, size_t err_size);

#endif
