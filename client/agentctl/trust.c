/* agentctl trust ...: Alsorn trust profiles, history and decisions (contract §4). */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>

static int trust_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024], id[512];
    snprintf(path, sizeof path, "/trust/%s", path_escape(inv->args[0], id, sizeof id));
    return call_and_print(API_ALSORN, "GET", path, NULL, NULL, NULL);
}

static const struct column profile_columns[] = {
    {"AGENT", "agent_id"},
    {"NAME", "agent_name"},
    {"SCORE", "score"},
    {"ASSESSMENT", "assessment"},
    {"TASKS", "total_tasks"},
    {"TREND", "trend"},
    {0},
};

static int trust_query(const struct command *c, const struct invocation *inv) {
    (void)c;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "agent_ids", cJSON_CreateStringArray(inv->args, inv->nargs));
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    int rc = call_and_print(API_ALSORN, "POST", "/trust/query", text, "results", profile_columns);
    free(text);
    return rc;
}

static const struct column history_columns[] = {
    {"AT", "created_at"},
    {"SCORE", "score"},
    {"ASSESSMENT", "assessment"},
    {"REASON", "reason"},
    {0},
};

static int trust_history(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024], id[512];
    snprintf(path, sizeof path, "/trust/%s/history", path_escape(inv->args[0], id, sizeof id));
    query_from_options(inv, "days,since", path, sizeof path);
    return call_and_print(API_ALSORN, "GET", path, NULL, NULL, history_columns);
}

static int trust_evaluate(const struct command *cmd, const struct invocation *inv) {
    char path[1024], id[512], *text = NULL;
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "action,currency", "amount");
    /* no option and no --data: no body at all, which recomputes without a decision */
    if (rc == EXIT_OK && cJSON_GetArraySize(body) > 0) text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (rc != EXIT_OK) return rc;
    snprintf(path, sizeof path, "/trust/evaluate/%s", path_escape(inv->args[0], id, sizeof id));
    rc = call_and_print(API_ALSORN, "POST", path, text, NULL, NULL);
    free(text);
    return rc;
}

/* clang-format off */
const struct command trust_commands[] = {
    { "get",      "AGENT_ID",     1, 1,        "",                            trust_get,
      "an agent's trust profile" },
    { "query",    "AGENT_ID...",  1, MAX_ARGS, "",                            trust_query,
      "profiles of several agents at once (unknown ids are empty rows)" },
    { "history",  "AGENT_ID",     1, 1,        "days,since",                  trust_history,
      "score snapshots, newest first" },
    { "evaluate", "AGENT_ID",     1, 1,        "action,amount,currency,data", trust_evaluate,
      "recompute now; with --action/--amount also decide a prospective transaction" },
    { 0 },
};
/* clang-format on */
