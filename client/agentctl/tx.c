/* agentctl tx ...: Alsorn transactions (contract §5). */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>

static const struct column tx_columns[] = {
    {"ID", "id"},         {"AGENT", "agent_id"},     {"COUNTERPARTY", "counterparty_id"},
    {"AMOUNT", "amount"}, {"CUR", "currency"},       {"ACTION", "action_type"},
    {"STATUS", "status"}, {"CREATED", "created_at"}, {0},
};

#define LIST_FILTERS "agent-id,status,action-type,min-amount,max-amount,start-date,end-date"

static int tx_execute(const struct command *cmd, const struct invocation *inv) {
    char *text;
    int rc = body_text(cmd, inv, "agent-id,counterparty-id,action-type,currency,notes", "amount",
                       &text);
    if (rc != EXIT_OK) return rc;
    rc = call_and_print(API_ALSORN, "POST", "/transactions", text, NULL, NULL);
    free(text);
    return rc;
}

static int tx_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[2048] = "/transactions";
    query_from_options(inv, LIST_FILTERS ",page,limit", path, sizeof path);
    return call_and_print(API_ALSORN, "GET", path, NULL, "transactions", tx_columns);
}

static int tx_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024], id[512];
    snprintf(path, sizeof path, "/transactions/%s", path_escape(inv->args[0], id, sizeof id));
    return call_and_print(API_ALSORN, "GET", path, NULL, NULL, NULL);
}

static int tx_reverse(const struct command *cmd, const struct invocation *inv) {
    char path[1024], id[512], *text = NULL;
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "reason", "");
    if (rc == EXIT_OK && cJSON_GetArraySize(body) > 0) text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (rc != EXIT_OK) return rc;
    snprintf(path, sizeof path, "/transactions/%s/reverse",
             path_escape(inv->args[0], id, sizeof id));
    rc = call_and_print(API_ALSORN, "POST", path, text, NULL, NULL);
    free(text);
    return rc;
}

/* The export is printed (or written to --output) as received: CSV or a JSON array. */
static int tx_export(const struct command *cmd, const struct invocation *inv) {
    char path[2048] = "/transactions/export";
    query_from_options(inv, "format,since,until," LIST_FILTERS, path, sizeof path);
    const char *file = opt(inv, "output");
    FILE *out = stdout;
    if (file && !(out = fopen(file, "w"))) return usage_error(cmd, "cannot write %s", file);
    struct reply r;
    cJSON *json = NULL;
    http_call(API_ALSORN, "GET", path, NULL, true, &r);
    int rc = EXIT_OK;
    if (r.status == 0 || r.status >= 400) {
        rc = reply_check(&r, &json);
    } else {
        fwrite(r.body, 1, r.len, out);
    }
    if (out != stdout) fclose(out);
    cJSON_Delete(json);
    reply_free(&r);
    return rc;
}

/* clang-format off */
const struct command tx_commands[] = {
    { "execute", "",      0, 0, "agent-id,counterparty-id,amount,action-type,currency,notes,data",
      tx_execute, "execute a transaction between two agents" },
    { "list",    "",      0, 0, LIST_FILTERS ",page,limit", tx_list,
      "list transactions (newest first) with filters" },
    { "get",     "TX_ID", 1, 1, "", tx_get, "one transaction with its audit entry" },
    { "reverse", "TX_ID", 1, 1, "reason,data", tx_reverse, "reverse a completed transaction" },
    { "export",  "",      0, 0, "format,since,until,output," LIST_FILTERS, tx_export,
      "every matching transaction, oldest first, as json or csv (--output FILE)" },
    { 0 },
};
/* clang-format on */
