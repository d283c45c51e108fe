#include "alter/agent_json.h"
#include "core/json_build.h"

#include "alsorn/agent_json.h"

cJSON *alter_agent_json(const struct alter_agent *a) {
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "id", a->id);
    json_add_string(o, "name", a->name);
    json_add_string_or_null(o, "display_name", a->display_name);
    json_add_static(o, "type", alter_agent_type_names[a->type]);
    json_add_string(o, "status", a->revoked ? "revoked" : "active");
    json_add_item(o, "scopes", cJSON_Duplicate(a->scopes, true));
    json_add_item(o, "metadata", cJSON_Duplicate(a->metadata, true));
    json_add_item(o, "policy", cJSON_Duplicate(a->policy, true));
    json_add_time(o, "created_at", a->created_at);
    json_add_time(o, "updated_at", a->updated_at);
    json_add_time(o, "revoked_at", a->revoked_at);
    return o;
}

cJSON *alter_key_json(const struct alter_key *k) {
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "key_id", k->id);
    json_add_string(o, "agent_id", k->agent ? k->agent->id : "");
    json_add_string(o, "key_prefix", k->prefix);
    json_add_string_or_null(o, "name", k->name);
    json_add_static(o, "status", alter_key_status_names[k->status]);
    json_add_time(o, "created_at", k->created_at);
    json_add_time(o, "deprecated_at", k->deprecated_at);
    json_add_time(o, "revoked_at", k->revoked_at);
    json_add_time(o, "last_used_at", k->last_used_at);
    return o;
}
