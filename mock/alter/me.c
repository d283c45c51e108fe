#include "alter/me.h"

#include "alter/agent_json.h"
#include "alter/agents.h"
#include "core/json_alloc.h"

/* The route needs AGENT_IDENTITY, so the caller is an agent key or an app key with
 * X-Alter-Caller, and r->caller.agent_id names a live agent of the app. */
void alter_agent_me(struct req *r) {
    struct alter_agent *a = alter_lock_agent(r, r->caller.agent_id);
    if (!a) return;
    json_scratch_begin(); /* the reply only */
    cJSON *body = alter_agent_json(a);
    reply_json(r, 200, body);
    tenant_unlock(r->caller.tenant);
    json_scratch_end();
}
