/* Rendering Alter's objects: AgentInfo (§3) and AgentKey (§4). */
#ifndef ALTER_AGENT_JSON_H
#define ALTER_AGENT_JSON_H

#include <cjson/cJSON.h>

#include "alter/app.h"

cJSON *alter_agent_json(const struct alter_agent *a);
cJSON *alter_key_json(const struct alter_key *k);

#endif
