/* agentctl agents ...: Alsorn agents (contract §3). */
#include "agentctl.h"

#include "alsorn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct column agent_columns[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"STATUS", "status"},
    {"ENV", "environment"},
    {"SCORE", "trust_record.score"},
    {"LIMIT", "spending_limit"},
    {"CREATED", "created_at"},
    {0},
};

static int agents_list(const struct command *cmd, const struct invocation *inv) {
    (void)cmd;
    char path[1024] = "/agents";
    query_from_options(inv, "status,environment,search,page,limit", path, sizeof path);
    return call_and_print(API_ALSORN, "GET", path, NULL, "data", agent_columns);
}

/* GET/POST/DELETE on /agents/{id}[suffix]: the commands that need nothing but the id. */
static int agent_simple(const char *method, const char *suffix, const struct invocation *inv) {
    char path[1024], id[512];
    snprintf(path, sizeof path, "/agents/%s%s", path_escape(inv->args[0], id, sizeof id), suffix);
    return call_and_print(API_ALSORN, method, path, NULL, NULL, NULL);
}

static int agents_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    return agent_simple("GET", "", inv);
}
static int agents_suspend(const struct command *c, const struct invocation *inv) {
    (void)c;
    return agent_simple("POST", "/suspend", inv);
}
static int agents_reactivate(const struct command *c, const struct invocation *inv) {
    (void)c;
    return agent_simple("POST", "/reactivate", inv);
}
static int agents_delete(const struct command *c, const struct invocation *inv) {
    (void)c;
    return agent_simple("DELETE", "", inv);
}

static int agents_verify(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024], id[512];
    snprintf(path, sizeof path, "/agents/%s/verify", path_escape(inv->args[0], id, sizeof id));
    query_from_options(inv, "fingerprint", path, sizeof path);
    return call_and_print(API_ALSORN, "GET", path, NULL, NULL, NULL);
}

static const struct column audit_columns[] = {
    {"ID", "id"},
    {"ACTION", "action"},
    {"ACTOR", "actor_id"},
    {"CREATED", "created_at"},
    {"HASH", "payload_hash"},
    {0},
};

/* --verify local: the whole chain fetched with the reference client and checked here
 * (alsorn_audit_chain_verify recomputes every hash), trusting nothing the server says. */
static int audit_verify_local(const char *agent_id) {
    alsorn_client *client = alsorn_client_new(settings.alsorn_key ? settings.alsorn_key : "",
                                              settings.alsorn_url, settings.timeout);
    if (!client) {
        fprintf(stderr, "agentctl: the client could not start\n");
        return EXIT_API;
    }
    alsorn_client_set_max_retries(client, 0); /* a CLI reports a 429 at once (exit 5) */
    alsorn_audit_entry *entries = NULL;
    size_t n = 0, broken_at = 0;
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_status st = alsorn_agents_get_audit_chain(client, agent_id, &entries, &n, &err);
    int rc = EXIT_OK;
    if (st != ALSORN_OK) {
        if (err.http_status)
            fprintf(stderr, "agentctl: %ld %s: %s\n", err.http_status, err.code, err.message);
        else
            fprintf(stderr, "agentctl: %s: %s\n", alsorn_status_name(st), err.message);
        rc = exit_for_client_status(st);
    } else {
        int valid = alsorn_audit_chain_verify(entries, n, &broken_at);
        cJSON *out = cJSON_CreateObject();
        cJSON_AddBoolToObject(out, "valid", valid == 1);
        cJSON_AddNumberToObject(out, "length", (double)n);
        if (valid == 1)
            cJSON_AddNullToObject(out, "broken_at");
        else
            cJSON_AddNumberToObject(out, "broken_at", (double)broken_at);
        cJSON_AddStringToObject(out, "checked", "locally");
        if (settings.json)
            print_json(out);
        else
            print_object(out);
        cJSON_Delete(out);
        if (valid != 1) rc = EXIT_RESPONSE;
    }
    alsorn_audit_entries_free(entries, n);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
    return rc;
}

static int agents_audit(const struct command *c, const struct invocation *inv) {
    char path[1024], id[512];
    const char *verify = opt(inv, "verify");
    if (verify && strcmp(verify, "local") == 0) return audit_verify_local(inv->args[0]);
    if (verify && strcmp(verify, "server") != 0)
        return usage_error(c,
                           "--verify is 'server' (the API's check) or 'local' (recomputed here)");
    snprintf(path, sizeof path, "/agents/%s/audit%s", path_escape(inv->args[0], id, sizeof id),
             verify ? "/verify" : "");
    if (verify) return call_and_print(API_ALSORN, "GET", path, NULL, NULL, NULL);
    query_from_options(inv, "page,limit", path, sizeof path);
    return call_and_print(API_ALSORN, "GET", path, NULL, "data", audit_columns);
}

/* register and update share the body: the options, over --data when both are given. */
static int agent_body(const struct command *cmd, const struct invocation *inv, char **text) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "name,description,currency,environment",
                           "spending-limit");
    const char *actions[50];
    int n = opt_all(inv, "action", actions, 50);
    if (rc == EXIT_OK && n > 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "authorized_actions");
        cJSON_AddItemToObject(body, "authorized_actions", cJSON_CreateStringArray(actions, n));
    }
    *text = rc == EXIT_OK ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    return rc;
}

static int agents_register(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = agent_body(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = call_and_print(API_ALSORN, "POST", "/agents", body, NULL, NULL);
    free(body);
    return rc;
}

static int agents_update(const struct command *cmd, const struct invocation *inv) {
    char *body, path[1024], id[512];
    int rc = agent_body(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    snprintf(path, sizeof path, "/agents/%s", path_escape(inv->args[0], id, sizeof id));
    rc = call_and_print(API_ALSORN, "PATCH", path, body, NULL, NULL);
    free(body);
    return rc;
}

#define AGENT_FIELDS "name,description,action,spending-limit,currency"

/* clang-format off */
const struct command agents_commands[] = {
    /* name        args        min max options                                  run */
    { "list",       "",         0, 0, "status,environment,search,page,limit", agents_list,
      "list the organization's agents (newest first)" },
    { "get",        "AGENT_ID", 1, 1, "",                                     agents_get,
      "show one agent" },
    { "register",   "",         0, 0, AGENT_FIELDS ",environment,data",       agents_register,
      "register an agent (--action is repeatable; --data JSON for the whole body)" },
    { "update",     "AGENT_ID", 1, 1, AGENT_FIELDS ",data",                   agents_update,
      "change an agent's name, description, actions, limit or currency" },
    { "suspend",    "AGENT_ID", 1, 1, "",                                     agents_suspend,
      "suspend an agent" },
    { "reactivate", "AGENT_ID", 1, 1, "",                                     agents_reactivate,
      "reactivate a suspended agent" },
    { "delete",     "AGENT_ID", 1, 1, "",                                     agents_delete,
      "soft-delete an agent (admin key)" },
    { "verify",     "AGENT_ID", 1, 1, "fingerprint",                          agents_verify,
      "public verification of an agent (no key needed)" },
    { "audit",      "AGENT_ID", 1, 1, "page,limit,verify",                    agents_audit,
      "an agent's audit chain; --verify server|local checks it (local: recomputed by the client)" },
    { 0 },
};
/* clang-format on */
