/* agentctl webhooks ...: Alsorn webhook endpoints and their delivery log (contract §6). */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct column webhook_columns[] = {
    {"ID", "id"},
    {"URL", "url"},
    {"EVENTS", "events"},
    {"ACTIVE", "active"},
    {"FAILURES", "consecutive_failures"},
    {0},
};

static const struct column delivery_columns[] = {
    {"EVENT_ID", "event_id"},
    {"EVENT", "event"},
    {"ATTEMPT", "attempt"},
    {"STATUS", "status_code"},
    {"ERROR", "error"},
    {"AT", "delivered_at"},
    {0},
};

static int webhook_simple(const char *method, const char *suffix, const struct invocation *inv,
                          const char *array_field, const struct column *columns) {
    char path[1024], id[512];
    snprintf(path, sizeof path, "/webhooks/%s%s", path_escape(inv->args[0], id, sizeof id), suffix);
    if (columns) query_from_options(inv, "page,limit", path, sizeof path);
    return call_and_print(API_ALSORN, method, path, NULL, array_field, columns);
}

static int webhooks_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_ALSORN, "GET", "/webhooks", NULL, "data", webhook_columns);
}

static int webhooks_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    return webhook_simple("GET", "", inv, NULL, NULL);
}
static int webhooks_delete(const struct command *c, const struct invocation *inv) {
    (void)c;
    return webhook_simple("DELETE", "", inv, NULL, NULL);
}
static int webhooks_test(const struct command *c, const struct invocation *inv) {
    (void)c;
    return webhook_simple("POST", "/test", inv, NULL, NULL);
}
static int webhooks_deliveries(const struct command *c, const struct invocation *inv) {
    (void)c;
    return webhook_simple("GET", "/deliveries", inv, "data", delivery_columns);
}

/* --events a,b,c (or "*") becomes the events array; --active true|false a boolean. */
static int webhook_body(const struct command *cmd, const struct invocation *inv, char **text) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "url", "");
    const char *events = opt(inv, "events");
    if (rc == EXIT_OK && events) {
        cJSON *list = cJSON_CreateArray();
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", events);
        for (char *save = NULL, *e = strtok_r(buf, ",", &save); e; e = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(list, cJSON_CreateString(e));
        cJSON_DeleteItemFromObjectCaseSensitive(body, "events");
        cJSON_AddItemToObject(body, "events", list);
    }
    const char *active = opt(inv, "active");
    if (rc == EXIT_OK && active) {
        if (strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
            rc = usage_error(cmd, "--active wants true or false, not '%s'", active);
        else
            cJSON_AddBoolToObject(body, "active", strcmp(active, "true") == 0);
    }
    *text = rc == EXIT_OK ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    return rc;
}

static int webhooks_create(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = webhook_body(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = call_and_print(API_ALSORN, "POST", "/webhooks", body, NULL, NULL);
    free(body);
    return rc;
}

static int webhooks_update(const struct command *cmd, const struct invocation *inv) {
    char *body, path[1024], id[512];
    int rc = webhook_body(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    snprintf(path, sizeof path, "/webhooks/%s", path_escape(inv->args[0], id, sizeof id));
    rc = call_and_print(API_ALSORN, "PATCH", path, body, NULL, NULL);
    free(body);
    return rc;
}

/* clang-format off */
const struct command webhooks_commands[] = {
    { "list",       "",           0, 0, "",                       webhooks_list,
      "the organization's endpoints (admin key)" },
    { "create",     "",           0, 0, "url,events,data",        webhooks_create,
      "register an endpoint (--events a,b or '*'); the secret is shown only here" },
    { "get",        "WEBHOOK_ID", 1, 1, "",                       webhooks_get, "one endpoint" },
    { "update",     "WEBHOOK_ID", 1, 1, "url,events,active,data", webhooks_update,
      "change url, events or active" },
    { "delete",     "WEBHOOK_ID", 1, 1, "",                       webhooks_delete,
      "remove an endpoint" },
    { "test",       "WEBHOOK_ID", 1, 1, "",                       webhooks_test,
      "send one webhook.test event now" },
    { "deliveries", "WEBHOOK_ID", 1, 1, "page,limit",             webhooks_deliveries,
      "the endpoint's delivery log" },
    { 0 },
};
/* clang-format on */
