/* client.agents.*: one function per row of contract §3's agent table. */
#include <stdio.h>
#include <stdlib.h>

#include "alsorn_models.h"
#include "json_decode.h"
#include "money.h"
#include "object_call.h"

/* Adds the members both register and update may send; unset ones are left out. */
static bool add_agent_fields(cJSON *body, const char *name, const char *description,
                             const char *const *actions, size_t action_count, double spending_limit,
                             const char *currency) {
    if (name && !cJSON_AddStringToObject(body, "name", name)) return false;
    if (description && !cJSON_AddStringToObject(body, "description", description)) return false;
    if (actions) {
        cJSON *list = cJSON_AddArrayToObject(body, "authorized_actions");
        if (!list) return false;
        for (size_t i = 0; i < action_count; i++) {
            cJSON *action = cJSON_CreateString(actions[i]);
            if (!action || !cJSON_AddItemToArray(list, action)) {
                cJSON_Delete(action);
                return false;
            }
        }
    }
    if (spending_limit != 0) {
        cJSON *amount = money_to_json(spending_limit);
        if (!amount || !cJSON_AddItemToObject(body, "spending_limit", amount)) {
            cJSON_Delete(amount);
            return false;
        }
    }
    if (currency && !cJSON_AddStringToObject(body, "currency", currency)) return false;
    return true;
}

static bool actions_are_strings(const char *const *actions, size_t count) {
    for (size_t i = 0; actions && i < count; i++) {
        if (!actions[i]) return false;
    }
    return true;
}

static alsorn_status decode_agent(const cJSON *json, void *agent, alsorn_error *err) {
    return agent_decode(json, agent, err);
}

static void clear_agent(void *agent) {
    agent_clear(agent);
}

static void release_agent(void *agent) {
    alsorn_agent_free(agent);
}

static const object_codec agent_codec = {sizeof(alsorn_agent), decode_agent, release_agent};

/* Sends one request whose answer is an Agent and hands it to *out (or frees it). */
static alsorn_status agent_call(alsorn_client *client, alsorn_route_id route, const char *id,
                                const cJSON *body, alsorn_agent **out, alsorn_error *err) {
    return transport_call_object(client, route, id, NULL, 0, body, &agent_codec, (void **)out,
                                 err);
}

alsorn_status alsorn_agents_register(alsorn_client *client, const alsorn_agent_params *params,
                                     alsorn_agent **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client || !params) {
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client or no params");
    }
    if (!actions_are_strings(params->authorized_actions, params->authorized_action_count)) {
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "authorized_actions has a NULL");
    }
    cJSON *body = cJSON_CreateObject();
    bool built =
        body &&
        add_agent_fields(body, params->name, params->description, params->authorized_actions,
                         params->authorized_action_count, params->spending_limit, params->currency);
    if (built && params->environment) {
        built = cJSON_AddStringToObject(body, "environment", params->environment) != NULL;
    }
    alsorn_status status = built ? agent_call(client, ROUTE_AGENTS_REGISTER, NULL, body, out, err)
                                 : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_agents_list(alsorn_client *client, const alsorn_agent_list_params *params,
                                 alsorn_agent_list **out, alsorn_error *err) {
    alsorn_error_clear(err);
    if (!client) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client");
    const alsorn_agent_list_params none = {0};
    if (!params) params = &none;
    char page[24], limit[24];
    snprintf(page, sizeof page, "%ld", params->page);
    snprintf(limit, sizeof limit, "%ld", params->limit);
    const query_param query[] = {
        {"status", params->status},
        {"environment", params->environment},
        {"search", params->search},
        {"page", params->page ? page : NULL},
        {"limit", params->limit ? limit : NULL},
    };
    cJSON *json = NULL;
    alsorn_status status = transport_call(client, ROUTE_AGENTS_LIST, NULL, query,
                                          sizeof query / sizeof query[0], NULL, &json, err);
    if (status != ALSORN_OK) return status;

    alsorn_agent_list *list = calloc(1, sizeof *list);
    page_info info;
    void *items = NULL;
    status = list ? decode_page_items(json, "agent list", sizeof *list->items, decode_agent,
                                      clear_agent, &items, &list->count, &info, err)
                  : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(json);
    if (status != ALSORN_OK) {
        free(list);
        return status;
    }
    list->items = items;
    list->page = info.page;
    list->limit = info.limit;
    list->total = info.total;
    list->total_pages = info.total_pages;
    if (out)
        *out = list;
    else
        alsorn_agent_list_free(list);
    return ALSORN_OK;
}

alsorn_status alsorn_agents_get(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                alsorn_error *err) {
    alsorn_error_clear(err);
    return agent_call(client, ROUTE_AGENTS_GET, agent_id, NULL, out, err);
}

alsorn_status alsorn_agents_update(alsorn_client *client, const char *agent_id,
                                   const alsorn_agent_update *update, alsorn_agent **out,
                                   alsorn_error *err) {
    alsorn_error_clear(err);
    if (!update) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no update");
    if (!actions_are_strings(update->authorized_actions, update->authorized_action_count)) {
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "authorized_actions has a NULL");
    }
    cJSON *body = cJSON_CreateObject();
    bool built =
        body &&
        add_agent_fields(body, update->name, update->description, update->authorized_actions,
                         update->authorized_action_count, update->spending_limit, update->currency);
    alsorn_status status = built ? agent_call(client, ROUTE_AGENTS_UPDATE, agent_id, body, out, err)
                                 : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    cJSON_Delete(body);
    return status;
}

alsorn_status alsorn_agents_suspend(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                    alsorn_error *err) {
    alsorn_error_clear(err);
    return agent_call(client, ROUTE_AGENTS_SUSPEND, agent_id, NULL, out, err);
}

alsorn_status alsorn_agents_reactivate(alsorn_client *client, const char *agent_id,
                                       alsorn_agent **out, alsorn_error *err) {
    alsorn_error_clear(err);
    return agent_call(client, ROUTE_AGENTS_REACTIVATE, agent_id, NULL, out, err);
}

alsorn_status alsorn_agents_delete(alsorn_client *client, const char *agent_id, alsorn_agent **out,
                                   alsorn_error *err) {
    alsorn_error_clear(err);
    return agent_call(client, ROUTE_AGENTS_DELETE, agent_id, NULL, out, err);
}

static alsorn_status decode_verification(const cJSON *json, void *v, alsorn_error *err) {
    return verification_decode(json, v, err);
}

alsorn_status alsorn_agents_verify(alsorn_client *client, const char *agent_id,
                                   const char *fingerprint, alsorn_verification **out,
                                   alsorn_error *err) {
    alsorn_error_clear(err);
    const query_param query[] = {{"fingerprint", fingerprint}};
    void *result = NULL;
    alsorn_status status =
        call_for_object(client, ROUTE_AGENTS_VERIFY, agent_id, query, 1, NULL,
                        sizeof(alsorn_verification), decode_verification, &result, err);
    if (status != ALSORN_OK) return status;
    if (out)
        *out = result;
    else
        alsorn_verification_free(result);
    return ALSORN_OK;
}
