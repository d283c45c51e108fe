/* agentctl alter agents|keys ...: Alter agent identities and their keys (alter.md §3–§4),
 * with an app key ($ALTER_API_KEY). */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct column agent_columns[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"TYPE", "type"},
    {"STATUS", "status"},
    {"SCOPES", "scopes"},
    {"CREATED", "created_at"},
    {0},
};

static const struct column key_columns[] = {
    {"KEY_ID", "key_id"}, {"NAME", "name"},          {"PREFIX", "key_prefix"},
    {"STATUS", "status"}, {"CREATED", "created_at"}, {0},
};

static int alter_agents_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024] = "/sdk/agents";
    query_from_options(inv, "limit,offset,include-revoked", path, sizeof path);
    return call_and_print(API_ALTER, "GET", path, NULL, "agents", agent_columns);
}

/* /sdk/agents/{id}[suffix] */
static int alter_agent_call(const char *method, const char *suffix, const char *body,
                            const struct invocation *inv, const char *array_field,
                            const struct column *columns) {
    char path[1024], id[512];
    snprintf(path, sizeof path, "/sdk/agents/%s%s", path_escape(inv->args[0], id, sizeof id),
             suffix);
    return call_and_print(API_ALTER, method, path, body, array_field, columns);
}

static int alter_agents_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    return alter_agent_call("GET", "", NULL, inv, NULL, NULL);
}

static int alter_agents_delete(const struct command *c, const struct invocation *inv) {
    (void)c;
    return alter_agent_call("DELETE", "", NULL, inv, NULL, NULL);
}

/* --scope provider:scope (repeatable) builds the scopes object. */
static int alter_agents_create(const struct command *cmd, const struct invocation *inv) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "name,display-name,type", "");
    const char *scopes[64];
    int n = opt_all(inv, "scope", scopes, 64);
    if (rc == EXIT_OK && n > 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "scopes");
        cJSON *obj = cJSON_AddObjectToObject(body, "scopes");
        for (int i = 0; i < n && rc == EXIT_OK; i++) {
            const char *colon = strchr(scopes[i], ':');
            if (!colon || colon == scopes[i] || !colon[1]) {
                rc = usage_error(cmd, "--scope wants PROVIDER:SCOPE, not '%s'", scopes[i]);
                break;
            }
            char provider[128];
            snprintf(provider, sizeof provider, "%.*s", (int)(colon - scopes[i]), scopes[i]);
            cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, provider);
            if (!list) list = cJSON_AddArrayToObject(obj, provider);
            cJSON_AddItemToArray(list, cJSON_CreateString(colon + 1));
        }
    }
    char *text = rc == EXIT_OK ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (rc != EXIT_OK) return rc;
    rc = call_and_print(API_ALTER, "POST", "/sdk/agents", text, NULL, NULL);
    free(text);
    return rc;
}

static int alter_keys_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    return alter_agent_call("GET", "/keys", NULL, inv, "items", key_columns);
}

static int alter_keys_mint(const struct command *cmd, const struct invocation *inv) {
    char *text;
    int rc = body_text(cmd, inv, "name", "", &text);
    if (rc != EXIT_OK) return rc;
    rc = alter_agent_call("POST", "/keys", text, inv, NULL, NULL);
    free(text);
    return rc;
}

static int key_action(const struct invocation *inv, const char *action, const char *body) {
    char suffix[600], key[512];
    snprintf(suffix, sizeof suffix, "/keys/%s/%s", path_escape(inv->args[1], key, sizeof key),
             action);
    return alter_agent_call("POST", suffix, body, inv, NULL, NULL);
}

static int alter_keys_deprecate(const struct command *c, const struct invocation *inv) {
    (void)c;
    return key_action(inv, "deprecate", NULL);
}

static int alter_keys_revoke(const struct command *cmd, const struct invocation *inv) {
    const char *force = opt(inv, "force");
    if (force && strcmp(force, "true") != 0 && strcmp(force, "false") != 0)
        return usage_error(cmd, "--force wants true or false, not '%s'", force);
    char body[32];
    snprintf(body, sizeof body, "{\"force\": %s}", force ? force : "false");
    return key_action(inv, "revoke", body);
}

/* clang-format off */
const struct command alter_agents_commands[] = {
    { "list",   "",         0, 0, "limit,offset,include-revoked",     alter_agents_list,
      "the app's agents (oldest first)" },
    { "get",    "AGENT_ID", 1, 1, "",                                 alter_agents_get,
      "one agent" },
    { "create", "",         0, 0, "name,display-name,type,scope,data", alter_agents_create,
      "create an agent (--scope google:gmail.readonly, repeatable); prints its key once" },
    { "delete", "AGENT_ID", 1, 1, "",                                 alter_agents_delete,
      "revoke an agent and its keys" },
    { 0 },
};
/* clang-format on */

/* clang-format off */
const struct command alter_keys_commands[] = {
    { "list",      "AGENT_ID",        1, 1, "",           alter_keys_list,      "an agent's keys" },
    { "mint",      "AGENT_ID",        1, 1, "name,data",  alter_keys_mint,
      "a new key (printed once)" },
    { "deprecate", "AGENT_ID KEY_ID", 2, 2, "",           alter_keys_deprecate, "deprecate a key" },
    { "revoke",    "AGENT_ID KEY_ID", 2, 2, "force",      alter_keys_revoke,
      "revoke a key (--force true to revoke the last active one)" },
    { 0 },
};
/* clang-format on */
