/* agentctl trigger EVENT: makes the state change that emits EVENT (alsorn.md §6), like
 * `stripe trigger`: new agents named "trigger-..." and transactions between them, through the
 * API with the Alsorn key, so the events go out as any other would (and `agentctl listen`
 * shows them). Prints what it made. */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* POST/GET/DELETE with the Alsorn key; on success *out is the answer (owned by the caller). */
static int call(const char *method, const char *path, const char *body, cJSON **out) {
    struct reply r;
    http_call(API_ALSORN, method, path, body, false, &r);
    int rc = reply_check(&r, out);
    reply_free(&r);
    return rc;
}

static const char *id_of(const cJSON *obj) {
    return cJSON_GetStringValue(cJSON_GetObjectItem(obj, "id"));
}

/* A new agent allowed to "pay" up to 1000; its id into made[key]. */
static int new_agent(cJSON *made, const char *key) {
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\": \"trigger-%s-%ld\", \"authorized_actions\": [\"pay\"], "
             "\"spending_limit\": 1000, \"description\": \"made by agentctl trigger\"}",
             key, (long)time(NULL) % 100000);
    cJSON *agent;
    int rc = call("POST", "/agents", body, &agent);
    if (rc == EXIT_OK) cJSON_AddStringToObject(made, key, id_of(agent));
    cJSON_Delete(agent);
    return rc;
}

static int agent_action(cJSON *made, const char *method, const char *suffix) {
    char path[256];
    snprintf(path, sizeof path, "/agents/%s%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(made, "agent")), suffix);
    cJSON *ignored;
    int rc = call(
        method, path,
        strcmp(method, "PATCH") == 0 ? "{\"description\": \"updated by agentctl trigger\"}" : NULL,
        &ignored);
    cJSON_Delete(ignored);
    return rc;
}

/* Two new agents and a transaction of `amount` between them: a completed one below the
 * initiator's limit of 1000, a refused (and stored as failed) one above it. */
static int pair_and_pay(cJSON *made, double amount) {
    int rc = new_agent(made, "agent");
    if (rc == EXIT_OK) rc = new_agent(made, "counterparty");
    if (rc != EXIT_OK) return rc;
    char body[256];
    snprintf(body, sizeof body,
             "{\"agent_id\": \"%s\", \"counterparty_id\": \"%s\", \"amount\": %.2f, "
             "\"action_type\": \"pay\"}",
             cJSON_GetStringValue(cJSON_GetObjectItem(made, "agent")),
             cJSON_GetStringValue(cJSON_GetObjectItem(made, "counterparty")), amount);
    struct reply r;
    http_call(API_ALSORN, "POST", "/transactions", body, false, &r);
    cJSON *tx = r.len ? cJSON_ParseWithLength(r.body, r.len) : NULL;
    if (amount > 1000 && r.status == 403) {
        /* the refusal is the point: its stored transaction's id is in the error */
        cJSON_AddStringToObject(made, "transaction",
                                cJSON_GetStringValue(cJSON_GetObjectItem(
                                    cJSON_GetObjectItem(tx, "error"), "transaction_id")));
    } else {
        cJSON_Delete(tx);
        tx = NULL;
        rc = reply_check(&r, &tx);
        if (rc == EXIT_OK) cJSON_AddStringToObject(made, "transaction", id_of(tx));
    }
    cJSON_Delete(tx);
    reply_free(&r);
    return rc;
}

static int t_registered(cJSON *m, const struct invocation *inv) {
    (void)inv;
    return new_agent(m, "agent");
}
static int t_updated(cJSON *m, const struct invocation *inv) {
    (void)inv;
    int rc = new_agent(m, "agent");
    return rc == EXIT_OK ? agent_action(m, "PATCH", "") : rc;
}
static int t_suspended(cJSON *m, const struct invocation *inv) {
    (void)inv;
    int rc = new_agent(m, "agent");
    return rc == EXIT_OK ? agent_action(m, "POST", "/suspend") : rc;
}
static int t_reactivated(cJSON *m, const struct invocation *inv) {
    int rc = t_suspended(m, inv);
    return rc == EXIT_OK ? agent_action(m, "POST", "/reactivate") : rc;
}
static int t_deleted(cJSON *m, const struct invocation *inv) {
    (void)inv;
    int rc = new_agent(m, "agent");
    return rc == EXIT_OK ? agent_action(m, "DELETE", "") : rc;
}
/* A first completed transaction moves both scores from 500 to 700: trust.score_changed too. */
static int t_completed(cJSON *m, const struct invocation *inv) {
    (void)inv;
    return pair_and_pay(m, 10);
}
static int t_failed(cJSON *m, const struct invocation *inv) {
    (void)inv;
    return pair_and_pay(m, 5000);
}
static int t_reversed(cJSON *m, const struct invocation *inv) {
    (void)inv;
    int rc = pair_and_pay(m, 10);
    if (rc != EXIT_OK) return rc;
    char path[256];
    snprintf(path, sizeof path, "/transactions/%s/reverse",
             cJSON_GetStringValue(cJSON_GetObjectItem(m, "transaction")));
    cJSON *rev;
    rc = call("POST", path, "{\"reason\": \"agentctl trigger\"}", &rev);
    if (rc == EXIT_OK) cJSON_AddStringToObject(m, "reversal", id_of(rev));
    cJSON_Delete(rev);
    return rc;
}
static int t_dispute(cJSON *m, const struct invocation *inv) {
    (void)inv;
    int rc = pair_and_pay(m, 10);
    if (rc != EXIT_OK) return rc;
    char body[512];
    snprintf(body, sizeof body,
             "{\"agent_id\": \"%s\", \"reason\": \"made by agentctl trigger\", \"transaction_id\": "
             "\"%s\"}",
             cJSON_GetStringValue(cJSON_GetObjectItem(m, "agent")),
             cJSON_GetStringValue(cJSON_GetObjectItem(m, "transaction")));
    cJSON *d;
    rc = call("POST", "/trust/report", body, &d);
    if (rc == EXIT_OK)
        cJSON_AddStringToObject(m, "dispute",
                                cJSON_GetStringValue(cJSON_GetObjectItem(d, "dispute_id")));
    cJSON_Delete(d);
    return rc;
}
/* webhook.test goes to one endpoint: --webhook-id, else the org's first. */
static int t_test(cJSON *m, const struct invocation *inv) {
    char id[128] = "", path[256];
    if (opt(inv, "webhook-id")) {
        snprintf(id, sizeof id, "%s", opt(inv, "webhook-id"));
    } else {
        cJSON *list;
        int rc = call("GET", "/webhooks", NULL, &list);
        const char *first = id_of(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "data"), 0));
        if (first) snprintf(id, sizeof id, "%s", first);
        cJSON_Delete(list);
        if (rc != EXIT_OK) return rc;
        if (!*id) {
            fprintf(stderr, "agentctl: the organization has no webhook endpoint to test\n");
            return EXIT_API;
        }
    }
    snprintf(path, sizeof path, "/webhooks/%s/test", id);
    cJSON *res;
    int rc = call("POST", path, NULL, &res);
    if (rc == EXIT_OK) cJSON_AddStringToObject(m, "webhook", id);
    cJSON_Delete(res);
    return rc;
}

/* clang-format off */
static const struct {
    const char *event;
    int (*make)(cJSON *made, const struct invocation *inv);
    const char *how;
} triggers[] = {
    { "agent.registered",     t_registered,  "registers an agent" },
    { "agent.updated",        t_updated,     "registers an agent and changes its description" },
    { "agent.suspended",      t_suspended,   "registers an agent and suspends it" },
    { "agent.reactivated",    t_reactivated, "registers, suspends and reactivates an agent" },
    { "agent.deleted",        t_deleted,     "registers an agent and deletes it (admin key)" },
    { "transaction.completed", t_completed,  "two agents and a transaction of 10 between them" },
    { "transaction.failed",   t_failed,      "two agents and a transaction over the limit (refused, stored failed)" },
    { "transaction.reversed", t_reversed,    "a completed transaction, then its reversal" },
    { "trust.score_changed",  t_completed,   "a first completed transaction: both scores 500 -> 700" },
    { "trust.dispute_filed",  t_dispute,     "a completed transaction, then a dispute against its initiator" },
    { "webhook.test",         t_test,        "the test event to --webhook-id (else the first endpoint)" },
};
/* clang-format on */

int trigger_run(const struct command *cmd, const struct invocation *inv) {
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        if (strcmp(triggers[i].event, inv->args[0]) != 0) continue;
        cJSON *made = cJSON_CreateObject();
        int rc = triggers[i].make(made, inv);
        if (rc == EXIT_OK) {
            if (settings.json) {
                cJSON *out = cJSON_CreateObject();
                cJSON_AddStringToObject(out, "event", triggers[i].event);
                cJSON_AddItemToObject(out, "made", made);
                made = NULL;
                print_json(out);
                cJSON_Delete(out);
            } else {
                printf("triggered %s: %s\n", triggers[i].event, triggers[i].how);
                print_object(made);
            }
        }
        cJSON_Delete(made);
        return rc;
    }
    char list[1024] = "";
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, triggers[i].event, sizeof list - strlen(list) - 1);
    }
    return usage_error(cmd, "unknown event '%s'; one of: %s", inv->args[0], list);
}
