/* Grants (contract §7): the app's list, an agent's list, revoking one. */
#include <stdio.h>
#include <stdlib.h>

#include "alter_internal.h"

static alter_status list(struct alter_conn *c, const alter_grant_list_params *params,
                         alter_grant_list **out, alter_error *err) {
    alter_grant_list_params p = params ? *params : (alter_grant_list_params){0};
    char limit[24], offset[24];
    snprintf(limit, sizeof limit, "%ld", p.limit);
    snprintf(offset, sizeof offset, "%ld", p.offset);
    const query_param query[] = {{"provider_id", p.provider_id},
                                 {"include_revoked", p.include_revoked ? "true" : NULL},
                                 {"limit", p.limit ? limit : NULL},
                                 {"offset", p.offset ? offset : NULL}};
    cJSON *json = NULL;
    alter_status status =
        alter_call(c, ALTER_ROUTE_GRANTS_LIST, NULL, 0, query, 4, NULL, NULL, &json, err);
    alter_grant_list *result = NULL;
    if (status == ALTER_OK) status = grant_list_decode(json, &result, err);
    cJSON_Delete(json);
    if (status != ALTER_OK) return status;
    if (out)
        *out = result;
    else
        alter_grant_list_free(result);
    return ALTER_OK;
}

alter_status alter_grants_list(alter_app *app, const alter_grant_list_params *params,
                               alter_grant_list **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    return list(&app->conn, params, out, err);
}

alter_status alter_agent_list_grants(alter_agent *agent, const alter_grant_list_params *params,
                                     alter_grant_list **out, alter_error *err) {
    alter_error_clear(err);
    if (!agent) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no agent");
    return list(&agent->conn, params, out, err);
}

alter_status alter_grants_revoke(alter_app *app, const char *grant_id, const char *reason,
                                 alter_grant **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    cJSON *body = cJSON_CreateObject();
    if (!body || (reason && !cJSON_AddStringToObject(body, "reason", reason))) {
        cJSON_Delete(body);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    const char *const params[] = {grant_id};
    cJSON *json = NULL;
    alter_status status = alter_call(&app->conn, ALTER_ROUTE_GRANTS_REVOKE, params, 1, NULL, 0,
                                     body, NULL, &json, err);
    cJSON_Delete(body);
    alter_grant *grant = NULL;
    if (status == ALTER_OK && !(grant = malloc(sizeof *grant)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    if (status == ALTER_OK && (status = grant_decode(json, grant, err)) != ALTER_OK) {
        free(grant);
        grant = NULL;
    }
    cJSON_Delete(json);
    if (status != ALTER_OK) return status;
    if (out)
        *out = grant;
    else
        alter_grant_free(grant);
    return ALTER_OK;
}
