#include "alter/agent_json.h"

#include "alsorn/agent_json.h"

cJSON *alter_agent_json(const struct alter_agent *a) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "name", a->name);
    json_add_string_or_null(o, "display_name", a->display_name);
    cJSON_AddStringToObject(o, "type", alter_agent_type_names[a->type]);
    cJSON_AddStringToObject(o, "status", a->revoked ? "revoked" : "active");
    cJSON_AddItemToObject(o, "scopes", cJSON_Duplicate(a->scopes, true));
    cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(a->metadata, true));
    cJSON_AddItemToObject(o, "policy", cJSON_Duplicate(a->policy, true));
    json_add_time(o, "created_at", a->created_at);
    json_add_time(o, "updated_at", a->updated_at);
    json_add_time(o, "revoked_at", a->revoked_at);
    return o;
}

cJSON *alter_key_json(const struct alter_key *k) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key_id", k->id);
    cJSON_AddStringToObject(o, "agent_id", k->agent ? k->agent->id : "");
    cJSON_AddStringToObject(o, "key_prefix", k->prefix);
    json_add_string_or_null(o, "name", k->name);
    cJSON_AddStringToObject(o, "status", alter_key_status_names[k->status]);
    json_add_time(o, "created_at", k->created_at);
    json_add_time(o, "deprecated_at", k->deprecated_at);
    json_add_time(o, "revoked_at", k->revoked_at);
    json_add_time(o, "last_used_at", k->last_used_at);
    return o;
}
