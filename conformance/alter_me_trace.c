/* Alter §5: Agent.me() with an agent key or App.get_agent() (app key + X-Alter-Caller), and
 * the trace headers: checked, echoed, and recorded on the call's audit row. */
#include "alter_harness.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

Test(alter_me, me_answers_as_the_agent_key_or_the_app_acting_through_x_alter_caller) {
    tenant_new(&T);
    cJSON *a = alter_create(&T, fmt("{\"name\": \"%s\", \"display_name\": \"Me\", \"scopes\": "
                                    "{\"google\": [\"gmail.readonly\"]}}",
                                    alter_name(&T, "self")));
    cJSON *me = alter_expect("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, 200);
    expect_agent_info(me);
    cJSON *want = cJSON_Duplicate(a, 1);
    cJSON_DeleteItemFromObject(want, "api_key");
    cJSON_DeleteItemFromObject(want, "key");
    cr_assert(cJSON_Compare(me, want, true), "me is not the agent's AgentInfo");
    char caller[96];
    snprintf(caller, sizeof caller, "X-Alter-Caller: %s", jstr(a, "id"));
    const char *headers[] = {caller, NULL};
    struct http_resp r;
    alter_http("GET", "/sdk/agents/me", alter_key(&T), NULL, headers, &r);
    expect_status(&r, 200);
    cr_assert(cJSON_Compare(r.json, want, true), "get_agent(id).me() is not the agent");
    http_resp_free(&r);
    /* Bearer works for agent keys too */
    struct http_req req = {
        .method = "GET", .path = "/sdk/agents/me", .api_key = jstr(a, "api_key")};
    http_do(&req, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON_Delete(want);
    cJSON_Delete(me);
    cJSON_Delete(a);
}

Test(alter_trace, headers_are_echoed_and_recorded_on_the_audit_row) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "tracer");
    const char *headers[] = {"X-Alter-Run-Id: run-abc",
                             "X-Alter-Thread-Id: thread-1",
                             "X-Alter-Parent-Run-Id: run-root",
                             "X-Alter-Trace-step: fetch mail",
                             "X-Alter-Trace-Attempt_2: 2",
                             "X-Alter-Trace-unicode: caf\xc3\xa9",
                             NULL};
    struct http_resp r;
    alter_http("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, headers, &r);
    expect_status(&r, 200);
    const char *echo = resp_header(&r, "X-Alter-Run-Id");
    cr_assert(echo && !strcmp(echo, "run-abc"), "X-Alter-Run-Id not echoed");
    char rid[64];
    snprintf(rid, sizeof rid, "%s", resp_header(&r, "X-Request-Id"));
    http_resp_free(&r);
    cJSON *row = alter_audit_row_of(&T, rid);
    cr_assert_not_null(row, "no audit row for %s", rid);
    cr_assert_str_eq(jstr(row, "run_id"), "run-abc");
    cr_assert_str_eq(jstr(row, "thread_id"), "thread-1");
    cr_assert_str_eq(jstr(row, "parent_run_id"), "run-root");
    cJSON *want = cJSON_Parse(
        "{\"step\": \"fetch mail\", \"attempt_2\": \"2\", \"unicode\": \"caf\xc3\xa9\"}");
    cr_assert(cJSON_Compare(jobj(row, "trace"), want, true), "trace metadata not recorded as sent");
    cr_assert_str_eq(jstr(row, "action"), "agent.me");
    cr_assert_str_eq(jstr(row, "caller_type"), "agent");
    cr_assert_str_eq(jstr(row, "agent_id"), jstr(a, "id"));
    cJSON_Delete(want);
    cJSON_Delete(row);
    /* trace headers work on app calls too, and without them the fields are null / {} */
    const char *app_trace[] = {"X-Alter-Run-Id: run-app", NULL};
    alter_http("GET", "/sdk/agents", alter_key(&T), NULL, app_trace, &r);
    expect_status(&r, 200);
    snprintf(rid, sizeof rid, "%s", resp_header(&r, "X-Request-Id"));
    http_resp_free(&r);
    row = alter_audit_row_of(&T, rid);
    cr_assert_str_eq(jstr(row, "run_id"), "run-app");
    cr_assert(jnull(row, "thread_id") && jnull(row, "parent_run_id"));
    cr_assert_eq(cJSON_GetArraySize(jobj(row, "trace")), 0);
    cJSON_Delete(row);
    alter_http("GET", "/sdk/agents", alter_key(&T), NULL, NULL, &r);
    cr_assert_null(resp_header(&r, "X-Alter-Run-Id"), "X-Alter-Run-Id echoed without a run id");
    http_resp_free(&r);
    cJSON_Delete(a);
}

/* The audit row recorded for one app call with these header lines (caller deletes). */
static cJSON *row_recorded(const char *const *headers) {
    struct http_resp r;
    alter_http("GET", "/sdk/agents?limit=1", alter_key(&T), NULL, headers, &r);
    expect_status(&r, 200);
    char rid[64];
    snprintf(rid, sizeof rid, "%s", resp_header(&r, "X-Request-Id"));
    http_resp_free(&r);
    cJSON *row = alter_audit_row_of(&T, rid);
    cr_assert_not_null(row, "no audit row for %s", rid);
    return row;
}

/* The trace metadata recorded for one app call with these header lines (caller deletes). */
static cJSON *trace_recorded(const char *const *headers) {
    cJSON *row = row_recorded(headers);
    cJSON *trace = cJSON_Duplicate(jobj(row, "trace"), true);
    cJSON_Delete(row);
    return trace;
}

Test(alter_trace, metadata_keys_ignore_case_and_are_recorded_lower_cased) {
    tenant_new(&T);
    /* HTTP/1.1 clients keep the SDK's spelling; HTTP/2 ones send every name lower-case */
    const char *spellings[][2] = {{"X-Alter-Trace-Step: a", NULL},
                                  {"x-alter-trace-step: a", NULL},
                                  {"X-ALTER-TRACE-STEP: a", NULL}};
    cJSON *want = cJSON_Parse("{\"step\": \"a\"}");
    for (size_t i = 0; i < 3; i++) {
        cJSON *trace = trace_recorded(spellings[i]);
        char *got = cJSON_PrintUnformatted(trace);
        cr_assert(cJSON_Compare(trace, want, true), "%s recorded as %s", spellings[i][0], got);
        free(got);
        cJSON_Delete(trace);
    }
    cJSON_Delete(want);
}

static void expect_trace_rejected(const char *const *headers, const char *field) {
    int before = 0;
    if (target_is_mock()) {
        cJSON *j = alter_expect("GET", "/sdk/agents?limit=1&include_revoked=true", alter_key(&T),
                                NULL, 200);
        before = (int)jnum(j, "total");
        cJSON_Delete(j);
    }
    alter_call_field_error("POST", "/sdk/agents", alter_key(&T),
                           fmt("{\"name\": \"%s\"}", alter_name(&T, "traced")), headers, field);
    if (target_is_mock()) {
        cJSON *j = alter_expect("GET", "/sdk/agents?limit=1&include_revoked=true", alter_key(&T),
                                NULL, 200);
        cr_assert_eq((int)jnum(j, "total"), before,
                     "a call refused for its trace headers did its work");
        cJSON_Delete(j);
    }
}

Test(alter_trace, malformed_trace_headers_are_422_and_the_call_does_nothing) {
    tenant_new(&T);
    char long_value[300], long_key[100], line[400];
    memset(long_value, 'v', 257);
    long_value[257] = '\0';
    memset(long_key, 'k', 65);
    long_key[65] = '\0';
    snprintf(line, sizeof line, "X-Alter-Trace-step: %s", long_value);
    const char *too_long_value[] = {line, NULL};
    expect_trace_rejected(too_long_value, "X-Alter-Trace-step");
    char run[400];
    snprintf(run, sizeof run, "X-Alter-Run-Id: %s", long_value);
    const char *too_long_run[] = {run, NULL};
    expect_trace_rejected(too_long_run, "X-Alter-Run-Id");
    char key_line[200];
    snprintf(key_line, sizeof key_line, "X-Alter-Trace-%s: x", long_key);
    const char *too_long_key[] = {key_line, NULL};
    expect_trace_rejected(too_long_key, fmt("X-Alter-Trace-%s", long_key));
    const char *bad_key[] = {"X-Alter-Trace-a.b: x", NULL};
    expect_trace_rejected(bad_key, "X-Alter-Trace-a.b");
    const char *empty_key[] = {"X-Alter-Trace-: x", NULL};
    expect_trace_rejected(empty_key, "X-Alter-Trace-");
    const char *twice[] = {"X-Alter-Trace-step: a", "X-Alter-Trace-STEP: b", NULL};
    expect_trace_rejected(twice, "X-Alter-Trace-STEP");
    const char *empty_thread[] = {"X-Alter-Thread-Id;", NULL};
    expect_trace_rejected(empty_thread, "X-Alter-Thread-Id");
    const char *two_runs[] = {"X-Alter-Run-Id: a", "X-Alter-Run-Id: b", NULL};
    expect_trace_rejected(two_runs, "X-Alter-Run-Id");
    char many[17][48];
    const char *seventeen[18];
    for (int i = 0; i < 17; i++) {
        snprintf(many[i], sizeof many[i], "X-Alter-Trace-k%d: v", i);
        seventeen[i] = many[i];
    }
    seventeen[17] = NULL;
    expect_trace_rejected(seventeen, "X-Alter-Trace-*");
}

Test(alter_trace, the_limits_themselves_are_accepted) {
    tenant_new(&T);
    static char lines[19][400];
    const char *headers[20];
    char value[257], key[65];
    memset(value, 'v', 256);
    value[256] = '\0';
    for (int i = 0; i < 16; i++) {
        memset(key, 'a' + i, 64);
        key[64] = '\0';
        snprintf(lines[i], sizeof lines[i], "X-Alter-Trace-%s: %s", key, value);
        headers[i] = lines[i];
    }
    snprintf(lines[16], sizeof lines[16], "X-Alter-Run-Id: %s", value);
    snprintf(lines[17], sizeof lines[17], "X-Alter-Thread-Id: %s", value);
    snprintf(lines[18], sizeof lines[18], "X-Alter-Parent-Run-Id: %s", value);
    for (int i = 16; i < 19; i++)
        headers[i] = lines[i];
    headers[19] = NULL;
    cJSON *row = row_recorded(headers);
    cr_assert_eq(cJSON_GetArraySize(jobj(row, "trace")), 16);
    cr_assert_str_eq(jstr(row, "run_id"), value);
    cJSON_Delete(row);
}
