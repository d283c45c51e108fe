/* GET /sdk/agents/me (alter.md §5): the calling agent's AgentInfo. */
#ifndef ALTER_ME_H
#define ALTER_ME_H

#include "core/http.h"

void alter_agent_me(struct req *r);

#endif
