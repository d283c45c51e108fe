/* agentctl sandbox sessions|sequences|probe: the mock's SDK-validation kit (mock/README.md,
 * "Sequences", "Graded sessions", "Webhook receiver probe"): open a graded session, script the
 * hard cases, probe a webhook receiver, and close the session with an exit code a CI job can
 * use (0 only when it passed). */
#include "agentctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sends one request and checks it; on success *json is the body (the caller frees it). */
static int mock_request(const char *method, const char *path, const char *body, cJSON **json) {
    struct reply r;
    http_call(API_MOCK, method, path, body, false, &r);
    int rc = reply_check(&r, json);
    if (rc == EXIT_OK && !*json) {
        fprintf(stderr, "agentctl: HTTP %ld with an empty body\n", r.status);
        rc = EXIT_RESPONSE;
    }
    reply_free(&r);
    return rc;
}

/* Sends one request and prints its body: as received with --json, else through show. */
static int request_and_show(const char *method, const char *path, const char *body,
                            void (*show)(cJSON *json)) {
    cJSON *json;
    int rc = mock_request(method, path, body, &json);
    if (rc != EXIT_OK) return rc;
    if (settings.json)
        print_json(json);
    else
        show(json);
    cJSON_Delete(json);
    return EXIT_OK;
}

/* ---- sessions ----------------------------------------------------------------------------- */

static const struct column check_columns[] = {
    {"RESULT", "result"}, {"LEVEL", "level"}, {"CHECK", "name"}, {"DETAIL", "detail"}, {0},
};

static const struct column session_columns[] = {
    {"ID", "id"},
    {"SDK", "sdk"},
    {"VERSION", "version"},
    {"STATUS", "status"},
    {"PASSED", "counts.passed"},
    {"FAILED", "counts.failed"},
    {"INCOMPLETE", "counts.incomplete"},
    {"DECLINED", "counts.declined"},
    {"ORG", "org_id"},
    {0},
};

/* A session for people: who it is, its grade, then one line per check. */
static void print_session(cJSON *s) {
    char a[256], b[256], c[256], d[256];
    printf("session  %s (%s %s)\n", json_path_text(s, "id", a, sizeof a),
           json_path_text(s, "sdk", b, sizeof b), json_path_text(s, "version", c, sizeof c));
    printf("org      %s\n", json_path_text(s, "org_id", a, sizeof a));
    const char *status = json_path_text(s, "status", a, sizeof a);
    if (strcmp(status, "open") == 0)
        printf("status   open (verdict as of now: %s)\n",
               json_path_text(s, "verdict", b, sizeof b));
    else
        printf("status   %s\n", status);
    printf("counts   passed %s, failed %s, incomplete %s, declined %s\n",
           json_path_text(s, "counts.passed", a, sizeof a),
           json_path_text(s, "counts.failed", b, sizeof b),
           json_path_text(s, "counts.incomplete", c, sizeof c),
           json_path_text(s, "counts.declined", d, sizeof d));
    putchar('\n');
    print_table(cJSON_GetObjectItemCaseSensitive(s, "checks"), check_columns);
}

static int sessions_open(const struct command *cmd, const struct invocation *inv) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc != EXIT_OK) return rc;
    rc = body_from_options(cmd, inv, body, "sdk", "");
    const char *version = opt(inv, "sdk-version");
    if (version) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "version");
        cJSON_AddStringToObject(body, "version", version);
    }
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (rc != EXIT_OK) {
        free(text);
        return rc;
    }
    cJSON *json;
    rc = mock_request("POST", "/_mock/sessions", text, &json);
    free(text);
    if (rc != EXIT_OK) return rc;
    if (settings.json) {
        print_json(json);
    } else {
        /* The org's keys are shown once by the server, as `sandbox org create` shows them. */
        static const char *const fields[][2] = {
            {"id", "id"},
            {"sdk", "sdk"},
            {"version", "version"},
            {"org_id", "org.id"},
            {"admin_key", "org.keys.admin"},
            {"write_key", "org.keys.write"},
            {"read_key", "org.keys.read"},
            {"alter_app_id", "org.alter.app_id"},
            {"alter_app_key", "org.alter.app_key"},
            {"status", "status"},
            {"fields_probe", "fields_probe.body"},
        };
        cJSON *shown = cJSON_CreateObject();
        char buf[1024];
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            cJSON_AddStringToObject(shown, fields[i][0],
                                    json_path_text(json, fields[i][1], buf, sizeof buf));
        cJSON_AddNumberToObject(
            shown, "checks", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(json, "checks")));
        print_object(shown);
        cJSON_Delete(shown);
    }
    cJSON_Delete(json);
    return EXIT_OK;
}

static int sessions_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return call_and_print(API_MOCK, "GET", "/_mock/sessions", NULL, "data", session_columns);
}

static void session_path(const char *id, const char *tail, char *path, size_t size) {
    char esc[512];
    snprintf(path, size, "/_mock/sessions/%s%s", path_escape(id, esc, sizeof esc), tail);
}

static int sessions_show(const struct command *cmd, const struct invocation *inv) {
    const char *format = opt(inv, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "junit") != 0 &&
        strcmp(format, "html") != 0)
        return usage_error(cmd, "--format is json, junit or html, not '%s'", format);
    char path[1024];
    session_path(inv->args[0], "", path, sizeof path);
    if (format && strcmp(format, "json") != 0) {
        /* JUnit XML or HTML: the body as received, for a file or a CI's test view */
        query_from_options(inv, "format", path, sizeof path);
        struct reply r;
        cJSON *json = NULL;
        http_call(API_MOCK, "GET", path, NULL, false, &r);
        int rc = EXIT_OK;
        if (r.status == 0 || r.status >= 400)
            rc = reply_check(&r, &json);
        else
            fwrite(r.body, 1, r.len, stdout);
        cJSON_Delete(json);
        reply_free(&r);
        return rc;
    }
    return request_and_show("GET", path, NULL, print_session);
}

/* Closes and grades: exit 0 only when the session passed, 7 when it failed or is incomplete,
 * so that `agentctl sandbox sessions close $SID` can be a CI job's last step. */
static int sessions_close(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024];
    session_path(inv->args[0], "/close", path, sizeof path);
    cJSON *json;
    int rc = mock_request("POST", path, NULL, &json);
    if (rc != EXIT_OK) return rc;
    if (settings.json)
        print_json(json);
    else
        print_session(json);
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "status"));
    if (!status || strcmp(status, "passed") != 0) {
        fprintf(stderr, "agentctl: session %s is %s, not passed\n", inv->args[0],
                status ? status : "without a status");
        rc = EXIT_RESPONSE;
    }
    cJSON_Delete(json);
    return rc;
}

static int sessions_report(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = body_text(cmd, inv, "check,result,detail", "", &body);
    if (rc != EXIT_OK) return rc;
    char path[1024];
    session_path(inv->args[0], "/results", path, sizeof path);
    cJSON *json;
    rc = mock_request("POST", path, body, &json);
    free(body);
    if (rc != EXIT_OK) return rc;
    if (settings.json) {
        print_json(json);
    } else {
        /* the reported check as the session grades it now (a pass counts only once the
         * org's traffic shows the case was met) */
        const char *name = opt(inv, "check");
        cJSON *one = cJSON_CreateArray();
        const cJSON *check;
        cJSON_ArrayForEach(check, cJSON_GetObjectItemCaseSensitive(json, "checks")) {
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(check, "name"));
            if (n && name && strcmp(n, name) == 0)
                cJSON_AddItemToArray(one, cJSON_Duplicate(check, true));
        }
        print_table(one, check_columns);
        cJSON_Delete(one);
    }
    cJSON_Delete(json);
    return EXIT_OK;
}

/* clang-format off */
const struct command sessions_commands[] = {
    { "open",   "",           0, 0, "sdk,sdk-version,data", sessions_open,
      "open a graded session: its own org (keys shown once) and checklist" },
    { "list",   "",           0, 0, "", sessions_list, "every session: status and counts" },
    { "show",   "SESSION_ID", 1, 1, "format", sessions_show,
      "the grade as of now and each check (--format junit|html: the report as served)" },
    { "close",  "SESSION_ID", 1, 1, "", sessions_close,
      "close and grade; exit 0 only when the session passed (7 otherwise)" },
    { "report", "SESSION_ID", 1, 1, "check,result,detail,data", sessions_report,
      "report a check only the SDK's tests can see: --check NAME --result passed|failed" },
    { 0 },
};
/* clang-format on */

/* ---- sequences ---------------------------------------------------------------------------- */

static const struct column sequence_columns[] = {
    {"ID", "id"},
    {"METHOD", "method"},
    {"PATH", "path_prefix"},
    {"STEPS", "nsteps"},
    {"ATTEMPTS", "nattempts"},
    {"DONE", "done"},
    {"NOT_RETRIED", "transient_error_not_retried"},
    {"ORG", "org_id"},
    {0},
};

static const struct column step_columns[] = {
    {"ACTION", "action"},
    {"STATUS", "status"},
    {"RETRY_AFTER", "retry_after"},
    {"LATENCY_MS", "latency_ms"},
    {"EXPECT_RETRY", "expect_retry"},
    {0},
};

static const struct column attempt_columns[] = {
    {"STEP", "step"},
    {"SERVED", "served"},
    {"DELAY_MS", "delay_ms"},
    {"REQUEST_ID", "request_id"},
    {"IDEMPOTENCY_KEY", "idempotency_key"},
    {"USER_AGENT", "user_agent"},
    {0},
};

static void add_counts(cJSON *seq) {
    cJSON_AddNumberToObject(seq, "nsteps",
                            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(seq, "steps")));
    cJSON_AddNumberToObject(seq, "nattempts",
                            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(seq, "attempts")));
}

static void print_sequence(cJSON *seq) {
    static const char *const fields[] = {"id",
                                         "org_id",
                                         "method",
                                         "path_prefix",
                                         "key_fingerprint",
                                         "done",
                                         "transient_error_not_retried"};
    cJSON *shown = cJSON_CreateObject();
    char buf[512];
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cJSON_AddStringToObject(shown, fields[i], json_path_text(seq, fields[i], buf, sizeof buf));
    print_object(shown);
    cJSON_Delete(shown);
    putchar('\n');
    print_table(cJSON_GetObjectItemCaseSensitive(seq, "steps"), step_columns);
    const cJSON *attempts = cJSON_GetObjectItemCaseSensitive(seq, "attempts");
    if (cJSON_GetArraySize(attempts) > 0) {
        putchar('\n');
        print_table(attempts, attempt_columns);
    } else {
        puts("\nno attempt yet");
    }
}

/* --step ACTION[:ARG]: the argument is error's status, rate_limit's retry_after or latency's
 * latency_ms; reset and pass take none. */
static int parse_step(const struct command *cmd, const char *spec, cJSON *steps) {
    static const char *const with_arg[][2] = {
        {"error", "status"}, {"rate_limit", "retry_after"}, {"latency", "latency_ms"}};
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (len == 0 || len >= 64) return usage_error(cmd, "--step wants ACTION[:ARG], not '%s'", spec);
    char action[64];
    memcpy(action, spec, len);
    action[len] = 0;
    cJSON *step = cJSON_CreateObject();
    cJSON_AddStringToObject(step, "action", action);
    cJSON_AddItemToArray(steps, step);
    if (!colon) return EXIT_OK;
    const char *field = NULL;
    for (size_t i = 0; i < sizeof with_arg / sizeof with_arg[0]; i++)
        if (strcmp(action, with_arg[i][0]) == 0) field = with_arg[i][1];
    if (!field)
        return usage_error(cmd,
                           "--step %s takes no argument (error:STATUS, rate_limit:SECONDS, "
                           "latency:MS do)",
                           action);
    char *end;
    double d = strtod(colon + 1, &end);
    if (end == colon + 1 || *end)
        return usage_error(cmd, "--step %s wants a number after ':', not '%s'", action, colon + 1);
    cJSON_AddNumberToObject(step, field, d);
    return EXIT_OK;
}

static int sequences_add(const struct command *cmd, const struct invocation *inv) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc == EXIT_OK)
        rc = body_from_options(cmd, inv, body, "org-id,method,path-prefix,key", "retry-within-ms");
    const char *specs[MAX_OPTS];
    int n = rc == EXIT_OK ? opt_all(inv, "step", specs, MAX_OPTS) : 0;
    if (n > 0) {
        cJSON *steps = cJSON_CreateArray();
        for (int i = 0; i < n && rc == EXIT_OK; i++)
            rc = parse_step(cmd, specs[i], steps);
        cJSON_DeleteItemFromObjectCaseSensitive(body, "steps");
        cJSON_AddItemToObject(body, "steps", steps);
    }
    char *text = rc == EXIT_OK ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (rc != EXIT_OK) return rc;
    rc = request_and_show("POST", "/_mock/sequences", text, print_sequence);
    free(text);
    return rc;
}

static void print_sequences(cJSON *json) {
    cJSON *data = cJSON_GetObjectItemCaseSensitive(json, "data");
    cJSON *seq;
    cJSON_ArrayForEach(seq, data) add_counts(seq);
    print_table(data, sequence_columns);
}

static int sequences_list(const struct command *c, const struct invocation *inv) {
    (void)c;
    (void)inv;
    return request_and_show("GET", "/_mock/sequences", NULL, print_sequences);
}

static int sequences_show(const struct command *c, const struct invocation *inv) {
    (void)c;
    char path[1024], esc[512];
    snprintf(path, sizeof path, "/_mock/sequences/%s", path_escape(inv->args[0], esc, sizeof esc));
    return request_and_show("GET", path, NULL, print_sequence);
}

/* clang-format off */
const struct command sequences_commands[] = {
    { "add",  "",            0, 0, "org-id,method,path-prefix,key,step,retry-within-ms,data",
      sequences_add,
      "script the next matching calls: --step rate_limit:2 --step error:503 --step reset --step pass" },
    { "list", "",            0, 0, "", sequences_list, "every sequence: its steps and attempts" },
    { "show", "SEQUENCE_ID", 1, 1, "", sequences_show, "a sequence's steps and each attempt it served" },
    { 0 },
};
/* clang-format on */

/* ---- webhook receiver probe --------------------------------------------------------------- */

static const struct column probe_columns[] = {
    {"CASE", "case"},
    {"EXPECTED", "expected"},
    {"ADVISORY", "advisory"},
    {"ACCEPTED", "accepted"},
    {"OK", "ok"},
    {"HTTP", "status_code"},
    {"MEANING", "meaning"},
    {"ERROR", "error"},
    {0},
};

/* Exit 0 only when the receiver passed (every non-advisory case went the right way), 7
 * otherwise. */
int sandbox_probe(const struct command *cmd, const struct invocation *inv) {
    char *body;
    int rc = body_text(cmd, inv, "url,secret,session-id", "timeout-ms", &body);
    if (rc != EXIT_OK) return rc;
    cJSON *json;
    rc = mock_request("POST", "/_mock/webhook-probe", body, &json);
    free(body);
    if (rc != EXIT_OK) return rc;
    bool passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "passed"));
    if (settings.json) {
        print_json(json);
    } else {
        print_table(cJSON_GetObjectItemCaseSensitive(json, "results"), probe_columns);
        printf("\npassed  %s\n", passed ? "true" : "false");
    }
    if (!passed) {
        fprintf(stderr, "agentctl: the receiver did not pass the probe\n");
        rc = EXIT_RESPONSE;
    }
    cJSON_Delete(json);
    return rc;
}
