/* app.agents.* (contract §3–§4) and agent.me() (§5): one function per row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alter_internal.h"
#include "json_decode.h"
#include "json_parse.h"

/* Sends the call and decodes its AgentInfo answer into *out. */
static alter_status info_call(struct alter_conn *c, alter_route_id route, const char *const *params,
                              size_t param_count, const cJSON *body, alter_agent_info **out,
                              alter_error *err) {
    cJSON *json = NULL;
    alter_status status =
        alter_call(c, route, params, param_count, NULL, 0, body, NULL, &json, err);
    if (status != ALTER_OK) return status;
    alter_agent_info *info = malloc(sizeof *info);
    status = info ? agent_info_decode(json, info, err)
                  : alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        free(info);
        return status;
    }
    if (out)
        *out = info;
    else
        alter_agent_info_free(info);
    return ALTER_OK;
}

/* Sends the call and decodes its AgentKey answer into *out. */
static alter_status key_call(alter_app *app, alter_route_id route, const char *agent_id,
                             const char *key_id, const cJSON *body, alter_agent_key **out,
                             alter_error *err) {
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    const char *const params[] = {agent_id, key_id};
    cJSON *json = NULL;
    alter_status status = alter_call(&app->conn, route, params, 2, NULL, 0, body, NULL, &json, err);
    if (status != ALTER_OK) return status;
    alter_agent_key *key = malloc(sizeof *key);
    status = key ? agent_key_decode(json, key, err)
                 : alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        free(key);
        return status;
    }
    if (out)
        *out = key;
    else
        alter_agent_key_free(key);
    return ALTER_OK;
}

/* Adds {"provider": [scopes...], ...}.  false when a string is NULL or out of memory. */
static bool add_scopes(cJSON *body, const alter_scope_grant *grants, size_t n) {
    cJSON *scopes = cJSON_AddObjectToObject(body, "scopes");
    for (size_t i = 0; scopes && i < n; i++) {
        if (!grants[i].provider || (grants[i].scope_count && !grants[i].scopes)) return false;
        cJSON *list = cJSON_AddArrayToObject(scopes, grants[i].provider);
        for (size_t s = 0; list && s < grants[i].scope_count; s++) {
            cJSON *item = grants[i].scopes[s] ? cJSON_CreateString(grants[i].scopes[s]) : NULL;
            if (!item || !cJSON_AddItemToArray(list, item)) {
                cJSON_Delete(item);
                return false;
            }
        }
        if (!list) return false;
    }
    return scopes != NULL;
}

/* Adds the JSON object text as member name.  false when it is not a JSON object. */
static bool add_object_text(cJSON *body, const char *name, const char *text) {
    cJSON *obj = json_parse_guarded(text, strlen(text), JSON_MAX_DEPTH, NULL);
    if (!cJSON_IsObject(obj) || !cJSON_AddItemToObject(body, name, obj)) {
        cJSON_Delete(obj);
        return false;
    }
    return true;
}

/* The members create and update share; false names a bad argument (or no memory). */
static bool add_common(cJSON *body, const char *display_name, const alter_scope_grant *scopes,
                       size_t scope_count, const char *metadata_json, const char *policy_json) {
    return (!display_name || cJSON_AddStringToObject(body, "display_name", display_name)) &&
           (!scopes || add_scopes(body, scopes, scope_count)) &&
           (!metadata_json || add_object_text(body, "metadata", metadata_json)) &&
           (!policy_json || add_object_text(body, "policy", policy_json));
}

static bool header_value_ok(const char *v) {
    for (; v && *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f) return false;
    return true;
}

static alter_status decode_create_result(const cJSON *json, bool replayed,
                                         alter_agent_create_result *out, alter_error *err) {
    alter_status status = agent_info_decode(json, &out->agent, err);
    if (status != ALTER_OK) return status;
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "agent"};
    out->api_key = decode_string(&d, json, "api_key");
    out->replayed = replayed;
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(json, "key");
    if (d.status == ALSORN_OK && cJSON_IsObject(key)) {
        out->key = malloc(sizeof *out->key);
        status = out->key ? agent_key_decode(key, out->key, err)
                          : alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
        if (status != ALTER_OK) {
            free(out->key);
            out->key = NULL;
        }
    }
    if (d.status != ALSORN_OK) status = alter_error_from_alsorn(err, &inner);
    alsorn_error_clear(&inner);
    return status;
}

alter_status alter_agents_create(alter_app *app, const alter_agent_create_params *params,
                                 alter_agent_create_result **out, alter_error *err) {
    alter_error_clear(err);
    if (!app || !params)
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app or params");
    if (!header_value_ok(params->idempotency_key))
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                                  "idempotency_key holds a control character");
    cJSON *body = cJSON_CreateObject();
    bool built = body && (!params->name || cJSON_AddStringToObject(body, "name", params->name)) &&
                 (!params->type || cJSON_AddStringToObject(body, "type", params->type)) &&
                 add_common(body, params->display_name, params->scopes, params->scope_count,
                            params->metadata_json, params->policy_json);
    if (!built) {
        cJSON_Delete(body);
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                                  "scopes hold a NULL, or metadata/policy is not a JSON object");
    }
    cJSON *json = NULL;
    alter_status status = alter_call(&app->conn, ALTER_ROUTE_AGENTS_CREATE, NULL, 0, NULL, 0, body,
                                     params->idempotency_key, &json, err);
    cJSON_Delete(body);
    if (status != ALTER_OK) return status;
    alter_agent_create_result *result = calloc(1, sizeof *result);
    status = result ? decode_create_result(json, app->conn.last_replayed, result, err)
                    : alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_agent_create_result_free(result);
        return status;
    }
    if (out)
        *out = result;
    else
        alter_agent_create_result_free(result);
    return ALTER_OK;
}

alter_status alter_agents_list(alter_app *app, const alter_agent_list_params *params,
                               alter_agent_list **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    alter_agent_list_params p = params ? *params : (alter_agent_list_params){0};
    char limit[24], offset[24];
    snprintf(limit, sizeof limit, "%ld", p.limit);
    snprintf(offset, sizeof offset, "%ld", p.offset);
    const query_param query[] = {{"limit", p.limit ? limit : NULL},
                                 {"offset", p.offset ? offset : NULL},
                                 {"include_revoked", p.include_revoked ? "true" : NULL}};
    cJSON *json = NULL;
    alter_status status =
        alter_call(&app->conn, ALTER_ROUTE_AGENTS_LIST, NULL, 0, query, 3, NULL, NULL, &json, err);
    if (status != ALTER_OK) return status;
    alter_agent_list *list = calloc(1, sizeof *list);
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "agent list"};
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(json, "agents");
    if (!list) {
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    } else if (!cJSON_IsArray(agents)) {
        status =
            alter_client_error(err, ALTER_ERR_DECODE, "agent list: \"agents\" is not an array");
    } else {
        list->total = decode_integer(&d, json, "total");
        list->limit = (long)decode_integer(&d, json, "limit");
        list->offset = (long)decode_integer(&d, json, "offset");
        list->has_more = decode_bool(&d, json, "has_more");
        if (d.status != ALSORN_OK) status = alter_error_from_alsorn(err, &inner);
        int n = cJSON_GetArraySize(agents);
        list->items = calloc(n ? (size_t)n : 1, sizeof *list->items);
        if (status == ALTER_OK && !list->items)
            status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
        const cJSON *item;
        cJSON_ArrayForEach(item, agents) {
            if (status != ALTER_OK) break;
            status = agent_info_decode(item, &list->items[list->count], err);
            if (status == ALTER_OK) list->count++;
        }
    }
    alsorn_error_clear(&inner);
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_agent_list_free(list);
        return status;
    }
    if (out)
        *out = list;
    else
        alter_agent_list_free(list);
    return ALTER_OK;
}

alter_status alter_agents_get(alter_app *app, const char *agent_id, alter_agent_info **out,
                              alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    const char *const params[] = {agent_id};
    return info_call(&app->conn, ALTER_ROUTE_AGENTS_GET, params, 1, NULL, out, err);
}

alter_status alter_agents_get_by_name(alter_app *app, const char *name, alter_agent_info **out,
                                      alter_error *err) {
    alter_error_clear(err);
    if (out) *out = NULL;
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    const char *const params[] = {name};
    alter_status status =
        info_call(&app->conn, ALTER_ROUTE_AGENTS_GET_BY_NAME, params, 1, NULL, out, err);
    if (status != ALTER_ERR_AGENT_NOT_FOUND) return status;
    alter_error_clear(err); /* absent is an answer, not a failure */
    return ALTER_OK;
}

alter_status alter_agents_update(alter_app *app, const char *agent_id,
                                 const alter_agent_update_params *params, alter_agent_info **out,
                                 alter_error *err) {
    alter_error_clear(err);
    if (!app || !params)
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app or params");
    cJSON *body = cJSON_CreateObject();
    bool built =
        body && (!params->clear_display_name || cJSON_AddNullToObject(body, "display_name")) &&
        add_common(body, params->clear_display_name ? NULL : params->display_name, params->scopes,
                   params->scope_count, params->metadata_json, params->policy_json);
    if (!built) {
        cJSON_Delete(body);
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                                  "scopes hold a NULL, or metadata/policy is not a JSON object");
    }
    const char *const path[] = {agent_id};
    alter_status status = info_call(&app->conn, ALTER_ROUTE_AGENTS_UPDATE, path, 1, body, out, err);
    cJSON_Delete(body);
    return status;
}

alter_status alter_agents_delete(alter_app *app, const char *agent_id, alter_agent_info **out,
                                 alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    const char *const params[] = {agent_id};
    return info_call(&app->conn, ALTER_ROUTE_AGENTS_DELETE, params, 1, NULL, out, err);
}

alter_status alter_agents_mint_key(alter_app *app, const char *agent_id, const char *name,
                                   alter_key_mint_result **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    cJSON *body = name ? cJSON_CreateObject() : NULL;
    if (name && (!body || !cJSON_AddStringToObject(body, "name", name))) {
        cJSON_Delete(body);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    const char *const params[] = {agent_id};
    cJSON *json = NULL;
    alter_status status =
        alter_call(&app->conn, ALTER_ROUTE_KEYS_MINT, params, 1, NULL, 0, body, NULL, &json, err);
    cJSON_Delete(body);
    if (status != ALTER_OK) return status;
    alter_key_mint_result *result = calloc(1, sizeof *result);
    status = result ? agent_key_decode(json, &result->key, err)
                    : alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    const cJSON *api_key = cJSON_GetObjectItemCaseSensitive(json, "api_key");
    if (status == ALTER_OK && !cJSON_IsString(api_key))
        status = alter_client_error(err, ALTER_ERR_DECODE, "key: api_key is not a string");
    if (status == ALTER_OK && !(result->api_key = strdup(api_key->valuestring)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_key_mint_result_free(result);
        return status;
    }
    if (out)
        *out = result;
    else
        alter_key_mint_result_free(result);
    return ALTER_OK;
}

alter_status alter_agents_list_keys(alter_app *app, const char *agent_id, alter_key_list **out,
                                    alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    const char *const params[] = {agent_id};
    cJSON *json = NULL;
    alter_status status =
        alter_call(&app->conn, ALTER_ROUTE_KEYS_LIST, params, 1, NULL, 0, NULL, NULL, &json, err);
    if (status != ALTER_OK) return status;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "items");
    alter_key_list *list = calloc(1, sizeof *list);
    int n = cJSON_GetArraySize(items);
    if (!list || !(list->items = calloc(n ? (size_t)n : 1, sizeof *list->items)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    else if (!cJSON_IsArray(items))
        status = alter_client_error(err, ALTER_ERR_DECODE, "key list: \"items\" is not an array");
    const cJSON *item;
    cJSON_ArrayForEach(item, items) {
        if (status != ALTER_OK) break;
        status = agent_key_decode(item, &list->items[list->count], err);
        if (status == ALTER_OK) list->count++;
    }
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_key_list_free(list);
        return status;
    }
    if (out)
        *out = list;
    else
        alter_key_list_free(list);
    return ALTER_OK;
}

alter_status alter_agents_deprecate_key(alter_app *app, const char *agent_id, const char *key_id,
                                        alter_agent_key **out, alter_error *err) {
    alter_error_clear(err);
    return key_call(app, ALTER_ROUTE_KEYS_DEPRECATE, agent_id, key_id, NULL, out, err);
}

alter_status alter_agents_undeprecate_key(alter_app *app, const char *agent_id, const char *key_id,
                                          alter_agent_key **out, alter_error *err) {
    alter_error_clear(err);
    return key_call(app, ALTER_ROUTE_KEYS_UNDEPRECATE, agent_id, key_id, NULL, out, err);
}

alter_status alter_agents_revoke_key(alter_app *app, const char *agent_id, const char *key_id,
                                     bool force, alter_agent_key **out, alter_error *err) {
    alter_error_clear(err);
    cJSON *body = cJSON_CreateObject();
    if (!body || !cJSON_AddBoolToObject(body, "force", force)) {
        cJSON_Delete(body);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    alter_status status = key_call(app, ALTER_ROUTE_KEYS_REVOKE, agent_id, key_id, body, out, err);
    cJSON_Delete(body);
    return status;
}

alter_status alter_agent_me(alter_agent *agent, alter_agent_info **out, alter_error *err) {
    alter_error_clear(err);
    if (!agent) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no agent");
    return info_call(&agent->conn, ALTER_ROUTE_AGENTS_ME, NULL, 0, NULL, out, err);
}
