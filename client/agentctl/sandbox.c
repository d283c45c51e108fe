/* agentctl sandbox ...: the mock's own controls under /_mock/ (mock/README.md, "Sandbox
 * controls"): organizations, the clock, faults, the journal, the report, reset, state; the
 * SDK-validation kit (sessions, sequences, probe) is in sessions.c. */
#include "agentctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mock_id_call(const char *method, const char *fmt, const char *id, const char *body,
                        const char *array_field, const struct column *columns) {
    char path[1024], esc[512];
    snprintf(path, sizeof path, fmt, path_escape(id, esc, sizeof esc));
    return call_and_print(API_MOCK, method, path, body, array_field, columns);
}

/* ---- organizations ------------------------------------------------------------------------ */

static const struct column org_columns[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"PLAN", "plan"},
    {"AGENTS", "counts.agents"},
    {"TRANSACTIONS", "counts.transactions"},
    {"WEBHOOKS", "counts.webhooks"},
    {0},
};

static int org_create(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = body_text(cmd, inv, "name,plan", "max-agents,rate-limit,rate-window-seconds", &body);
    if (rc != EXIT_OK) return rc;
    const char *verified = opt(inv, "operator-verified");
    if (verified) {
        if (strcmp(verified, "true") != 0 && strcmp(verified, "false") != 0) {
            free(body);
            return usage_error(cmd, "--operator-verified wants true or false");
        }
        cJSON *o = cJSON_Parse(body);
        cJSON_AddBoolToObject(o, "operator_verified", strcmp(verified, "true") == 0);
        free(body);
        body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    rc = call_and_print(API_MOCK, "POST", "/_mock/orgs", body, NULL, NULL);
    free(body);
    return rc;
}

static int org_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    return mock_id_call("GET", "/_mock/orgs/%s", inv->args[0], NULL, NULL, NULL);
}

static int org_delete(const struct command *c, const struct invocation *inv) {
    (void)c;
    return mock_id_call("DELETE", "/_mock/orgs/%s", inv->args[0], NULL, NULL, NULL);
}

static int org_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_MOCK, "GET", "/_mock/orgs", NULL, "data", org_columns);
}

/* clang-format off */
const struct command org_commands[] = {
    { "create", "",       0, 0, "name,plan,operator-verified,max-agents,rate-limit,rate-window-seconds,data",
      org_create, "a new isolated organization with a key of every level (shown once)" },
    { "get",    "ORG_ID", 1, 1, "", org_get,    "an organization's settings" },
    { "delete", "ORG_ID", 1, 1, "", org_delete, "remove an organization and everything in it" },
    { "list",   "",       0, 0, "", org_list,   "every organization with its counts" },
    { 0 },
};
/* clang-format on */

/* ---- clock -------------------------------------------------------------------------------- */

static int clock_get(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_MOCK, "GET", "/_mock/clock", NULL, NULL, NULL);
}

static int clock_post(const char *key, cJSON *value) {
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, key, value);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    int rc = call_and_print(API_MOCK, "POST", "/_mock/clock", text, NULL, NULL);
    free(text);
    return rc;
}

static int clock_set(const struct command *c, const struct invocation *inv) {
    (void)c;
    if (strcmp(inv->args[0], "real") == 0) return clock_post("reset", cJSON_CreateTrue());
    return clock_post("set", cJSON_CreateString(inv->args[0]));
}

/* "90", "90s", "15m", "36h", "7d"; a leading '-' goes back. */
static int clock_advance(const struct command *cmd, const struct invocation *inv) {
    const char *s = inv->args[0];
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    long long unit = 1;
    if (end != s && *end && !end[1]) {
        switch (*end) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            unit = 0;
        }
        end++;
    }
    if (end == s || *end || unit == 0 || errno || n > 1000000000LL || n < -1000000000LL)
        return usage_error(cmd, "DURATION is a number of seconds, or with s, m, h or d: not '%s'",
                           s);
    return clock_post("advance_seconds", cJSON_CreateNumber((double)(n * unit)));
}

/* clang-format off */
const struct command clock_commands[] = {
    { "get",     "",         0, 0, "", clock_get, "the mock's time and its offset from real time" },
    { "set",     "TIME",     1, 1, "", clock_set,
      "set the clock to an RFC 3339 time ('real' returns to real time)" },
    { "advance", "DURATION", 1, 1, "", clock_advance,
      "move the clock (3600, 90m, 36h, 7d; negative goes back)" },
    { 0 },
};
/* clang-format on */

/* ---- faults ------------------------------------------------------------------------------- */

static const struct column fault_columns[] = {
    {"ID", "id"},         {"ACTION", "action"},
    {"METHOD", "method"}, {"PATH", "path_prefix"},
    {"STATUS", "status"}, {"P", "probability"},
    {"FIRED", "fired"},   {"REMAINING", "remaining"},
    {"ORG", "org_id"},    {0},
};

static int faults_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_MOCK, "GET", "/_mock/faults", NULL, "data", fault_columns);
}

static int faults_add(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = body_text(cmd, inv, "action,method,path-prefix,org-id",
                       "status,latency-ms,retry-after,probability,count", &body);
    if (rc != EXIT_OK) return rc;
    rc = call_and_print(API_MOCK, "POST", "/_mock/faults", body, NULL, NULL);
    free(body);
    return rc;
}

static int faults_clear(const struct command *c, const struct invocation *inv) {
    (void)c;
    if (inv->nargs == 1)
        return mock_id_call("DELETE", "/_mock/faults/%s", inv->args[0], NULL, NULL, NULL);
    return call_and_print(API_MOCK, "DELETE", "/_mock/faults", NULL, NULL, NULL);
}

/* clang-format off */
const struct command faults_commands[] = {
    { "list",  "",           0, 0, "", faults_list, "the fault rules and how often they fired" },
    { "add",   "",           0, 0,
      "action,method,path-prefix,status,latency-ms,retry-after,probability,count,org-id,data",
      faults_add, "add a rule: --action error|latency|reset|rate_limit, --path-prefix /agents, ..." },
    { "clear", "[FAULT_ID]", 0, 1, "", faults_clear, "remove one rule, or every rule" },
    { 0 },
};
/* clang-format on */

/* ---- state -------------------------------------------------------------------------------- */

static int state_export(const struct command *cmd, const struct invocation *inv) {
    const char *file = opt(inv, "output");
    FILE *out = stdout;
    if (file && !(out = fopen(file, "w"))) return usage_error(cmd, "cannot write %s", file);
    struct reply r;
    cJSON *json = NULL;
    http_call(API_MOCK, "GET", "/_mock/state", NULL, true, &r);
    int rc = EXIT_OK;
    if (r.status == 0 || r.status >= 400)
        rc = reply_check(&r, &json);
    else
        fwrite(r.body, 1, r.len, out);
    if (out != stdout && fclose(out) != 0 && rc == EXIT_OK)
        rc = usage_error(cmd, "cannot write %s", file);
    cJSON_Delete(json);
    reply_free(&r);
    return rc;
}

static char *read_file(const char *name, size_t *len) {
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    if (f != stdin) fclose(f);
    if (buf) buf[n] = 0;
    *len = n;
    return buf;
}

static int state_import(const struct command *cmd, const struct invocation *inv) {
    size_t len;
    char *text = read_file(inv->args[0], &len);
    if (!text) return usage_error(cmd, "cannot read %s", inv->args[0]);
    if (strlen(text) != len) {
        free(text);
        return usage_error(cmd, "%s holds a NUL byte: not an NDJSON state", inv->args[0]);
    }
    char path[256] = "/_mock/state";
    query_from_options(inv, "audit-chains", path, sizeof path);
    struct reply r;
    cJSON *json;
    http_call(API_MOCK, "PUT", path, text, true, &r);
    free(text);
    int rc = reply_check(&r, &json);
    if (rc == EXIT_OK) {
        if (settings.json)
            print_json(json);
        else if (json)
            print_object(json);
        else
            puts("state imported");
    }
    cJSON_Delete(json);
    reply_free(&r);
    return rc;
}

/* clang-format off */
const struct command state_commands[] = {
    { "export", "",     0, 0, "output", state_export, "the whole state as NDJSON (--output FILE)" },
    { "import", "FILE", 1, 1, "audit-chains", state_import,
      "replace the whole state with an NDJSON file ('-': stdin)" },
    { 0 },
};
/* clang-format on */

/* ---- journal, report, reset, snapshot, generate -------------------------------------------- */

static const struct column journal_columns[] = {
    {"AT", "at"},         {"METHOD", "method"},         {"PATH", "path"},
    {"STATUS", "status"}, {"MS", "duration_ms"},        {"ORG", "org_id"},
    {"FAULT", "fault"},   {"REQUEST_ID", "request_id"}, {0},
};

static int sandbox_journal(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024] = "/_mock/requests";
    query_from_options(inv, "limit,org-id,path-prefix", path, sizeof path);
    return call_and_print(API_MOCK, "GET", path, NULL, "data", journal_columns);
}

static int sandbox_report(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024] = "/_mock/report";
    query_from_options(inv, "org-id", path, sizeof path);
    return call_and_print(API_MOCK, "GET", path, NULL, NULL, NULL);
}

static int sandbox_reset(const struct command *cmd, const struct invocation *inv) {
    const char *org = opt(inv, "org-id");
    const char *all = opt(inv, "all");
    if (!org && (!all || strcmp(all, "yes") != 0))
        return usage_error(cmd, "say which: --org-id ORG_ID empties one organization, "
                                "--all yes removes everything");
    char *body = NULL;
    if (org) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "org_id", org);
        body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    int rc = call_and_print(API_MOCK, "POST", "/_mock/reset", body, NULL, NULL);
    free(body);
    return rc;
}

static int sandbox_snapshot(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_MOCK, "POST", "/_mock/snapshot", NULL, NULL, NULL);
}

static int sandbox_generate(const struct command *cmd, const struct invocation *inv) {
    char *body, path[1024], esc[512];
    int rc = body_text(cmd, inv, "", "agents,transactions", &body);
    if (rc != EXIT_OK) return rc;
    snprintf(path, sizeof path, "/_mock/orgs/%s/generate",
             path_escape(inv->args[0], esc, sizeof esc));
    struct reply r;
    cJSON *json;
    http_call(API_MOCK, "POST", path, body, true, &r);
    free(body);
    rc = reply_check(&r, &json);
    if (rc == EXIT_OK) {
        if (settings.json)
            print_json(json);
        else
            print_object(json);
    }
    cJSON_Delete(json);
    reply_free(&r);
    return rc;
}

/* clang-format off */
const struct command sandbox_commands[] = {
    { "journal",  "",       0, 0, "limit,org-id,path-prefix", sandbox_journal,
      "the last requests the mock served, newest first" },
    { "report",   "",       0, 0, "org-id",        sandbox_report,
      "coverage of the contract and the SDK's violations" },
    { "reset",    "",       0, 0, "org-id,all",    sandbox_reset,
      "empty one organization (--org-id) or remove everything (--all yes)" },
    { "snapshot", "",       0, 0, "",              sandbox_snapshot,
      "save the state to the mock's --state file now" },
    { "generate", "ORG_ID", 1, 1, "agents,transactions,data", sandbox_generate,
      "make N agents and M transactions through the API's own code" },
    { "probe",    "",       0, 0, "url,secret,session-id,timeout-ms", sandbox_probe,
      "probe a webhook receiver; exit 0 only when it passed (7 otherwise)" },
    { 0 },
};
/* clang-format on */
