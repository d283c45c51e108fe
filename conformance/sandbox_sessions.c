/* Graded sessions: POST /_mock/sessions gives an SDK an org and a checklist; closing grades
 * each check passed / failed / incomplete / declined from what the SDK did; exports as JSON,
 * JUnit XML and HTML; GET /_mock/sessions compares sessions side by side.  The reference
 * client runs a full session here and must pass every required check. */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alsorn.h"
#include "receiver.h"

static cJSON *session_open(const char *sdk, const char *version) {
    return mock_call("POST", "/_mock/sessions", fmt("{\"sdk\": \"%s\", \"version\": \"%s\"}", sdk, version), 201);
}

static const char *result_of(const cJSON *graded, const char *check) {
    const cJSON *c;
    cJSON_ArrayForEach(c, jarr(graded, "checks"))
        if (!strcmp(jstr(c, "name"), check)) return jstr(c, "result");
    cr_assert_fail("no check %s", check);
    return NULL;
}

/* The session's fields probe, registered through the client as a caller would: every field
 * the probe sets goes into the client's parameters. */
static void register_fields_probe(alsorn_client *c, const cJSON *session) {
    const cJSON *body = jobj(jobj(session, "fields_probe"), "body");
    const cJSON *acts = jarr(body, "authorized_actions"), *a;
    const char *names[8];
    size_t n = 0;
    cJSON_ArrayForEach(a, acts) if (n < 8) names[n++] = a->valuestring;
    alsorn_agent_params p = {.name = jstr(body, "name"), .description = jstr(body, "description"),
                             .authorized_actions = names, .authorized_action_count = n,
                             .spending_limit = jnum(body, "spending_limit"), .currency = jstr(body, "currency"),
                             .environment = jstr(body, "environment")};
    alsorn_agent *agent = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_agents_register(c, &p, &agent, &err), ALSORN_OK, "HTTP %ld %s", err.http_status, err.code);
    cr_assert_str_eq(agent->currency, jstr(body, "currency"));
    alsorn_agent_free(agent);
    alsorn_error_clear(&err);
}

/* Each status the client maps to a typed error, injected once on a path of its own (the same
 * request after a 4xx would be a retry of a non-retryable status); a client without retries
 * so the 429 and 503 reach the caller.  The 429 goes over a connection of its own: a correct
 * SDK sends nothing more on a connection inside its Retry-After. */
static void typed_errors_run(const char *session_id, const char *org_id, const char *key) {
    struct { int status; alsorn_status want; } cases[] = {
        {401, ALSORN_ERR_AUTH}, {403, ALSORN_ERR_FORBIDDEN}, {404, ALSORN_ERR_NOT_FOUND},
        {409, ALSORN_ERR_HTTP}, {422, ALSORN_ERR_VALIDATION}, {503, ALSORN_ERR_HTTP},
        {429, ALSORN_ERR_RATE_LIMITED}};
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c);
    cr_assert_eq(alsorn_client_set_max_retries(c, 0), ALSORN_OK);
    alsorn_error err = ALSORN_ERROR_INIT;
    bool all = true;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *agent = fmt("agent_typed%d000000000", cases[i].status);
        cJSON_Delete(mock_call("POST", "/_mock/faults",
                               fmt("{\"action\": \"error\", \"status\": %d, \"method\": \"GET\", \"path_prefix\": "
                                   "\"/agents/%s\", \"org_id\": \"%s\", \"count\": 1}", cases[i].status, agent, org_id), 201));
        if (cases[i].status == 429) { /* its own connection */
            alsorn_client_free(c);
            c = alsorn_client_new(key, target_base_url(), 10);
            cr_assert_eq(alsorn_client_set_max_retries(c, 0), ALSORN_OK);
        }
        alsorn_agent *a = NULL;
        alsorn_status got = alsorn_agents_get(c, agent, &a, &err);
        cr_expect_eq(got, cases[i].want, "HTTP %d came back as %s", cases[i].status, alsorn_status_name(got));
        all = all && got == cases[i].want && err.http_status == cases[i].status;
        alsorn_agent_free(a);
    }
    cJSON_Delete(mock_call("POST", fmt("/_mock/sessions/%s/results", session_id),
                           fmt("{\"check\": \"typed_errors_mapped\", \"result\": \"%s\"}", all ? "passed" : "failed"), 200));
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

/* A verification with a fingerprint that is not the agent's answers verified: false, which
 * the caller must see as a failed verification. */
static void verified_false_run(alsorn_client *c, const char *session_id) {
    alsorn_agent_list_params lp = {.page = 1, .limit = 1};
    alsorn_agent_list *list = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_agents_list(c, &lp, &list, &err), ALSORN_OK);
    cr_assert(list->count > 0);
    alsorn_verification *v = NULL;
    cr_assert_eq(alsorn_agents_verify(c, list->items[0].id, "sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
                                      &v, &err), ALSORN_OK);
    bool refused = !v->verified;
    cJSON_Delete(mock_call("POST", fmt("/_mock/sessions/%s/results", session_id),
                           fmt("{\"check\": \"verified_false_not_success\", \"result\": \"%s\"}",
                               refused ? "passed" : "failed"), 200));
    alsorn_verification_free(v);
    alsorn_agent_list_free(list);
    alsorn_error_clear(&err);
}

/* The reference client through the session's hard cases: a scripted 429 → 503 → drop on its
 * first registration, a 404, a two-page list walked to its end, the fields probe, each typed
 * error, a verification that answers false. */
static void reference_client_run(const cJSON *session) {
    const char *org_id = jstr(jobj(session, "org"), "id"), *session_id = jstr(session, "id");
    const char *key = jstr(jobj(jobj(session, "org"), "keys"), "write");
    cJSON_Delete(mock_call("POST", "/_mock/sequences",
                           fmt("{\"method\": \"POST\", \"path_prefix\": \"/agents\", \"org_id\": \"%s\", "
                               "\"steps\": [{\"action\": \"rate_limit\", \"retry_after\": 1}, "
                               "{\"action\": \"error\", \"status\": 503}, {\"action\": \"reset\"}, "
                               "{\"action\": \"pass\"}]}", org_id), 201));
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c);
    cr_assert_eq(alsorn_client_set_backoff(c, 0.05, 0.2), ALSORN_OK);
    alsorn_error err = ALSORN_ERROR_INIT;
    static const char *const acts[] = {"execute_trades"};
    for (int i = 0; i < 3; i++) {
        alsorn_agent_params p = {.name = fmt("Graded %d", i), .authorized_actions = acts,
                                 .authorized_action_count = 1, .spending_limit = 100};
        alsorn_agent *a = NULL;
        cr_assert_eq(alsorn_agents_register(c, &p, &a, &err), ALSORN_OK, "HTTP %ld %s", err.http_status, err.code);
        alsorn_agent_free(a);
    }
    alsorn_agent *missing = NULL;
    cr_assert_eq(alsorn_agents_get(c, "agent_doesnotexist00", &missing, &err), ALSORN_ERR_NOT_FOUND);
    long page = 1;
    for (;;) {
        alsorn_agent_list_params lp = {.page = page, .limit = 2};
        alsorn_agent_list *list = NULL;
        cr_assert_eq(alsorn_agents_list(c, &lp, &list, &err), ALSORN_OK);
        long pages = list->total_pages;
        alsorn_agent_list_free(list);
        if (page >= pages) break;
        page++;
    }
    cr_assert_eq(page, 2, "three agents, two a page");
    register_fields_probe(c, session);
    verified_false_run(c, session_id);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
    typed_errors_run(session_id, org_id, key);
}

Test(sessions, the_reference_client_passes_every_required_check, .timeout = 60) {
    require_mock();
    cJSON *s = session_open("agentclient-c", "0.1.0");
    const char *id = jstr(s, "id");
    cr_assert(!strncmp(id, "ses_", 4));
    cr_assert_str_eq(jstr(s, "status"), "open");
    cr_assert(cJSON_GetArraySize(jarr(s, "checklist")) >= 10);
    reference_client_run(s);
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);

    cJSON *g = mock_call("POST", fmt("/_mock/sessions/%s/close", id), NULL, 200);
    char *text = cJSON_PrintUnformatted(g);
    const cJSON *c;
    cJSON_ArrayForEach(c, jarr(g, "checks")) {
        if (!strcmp(jstr(c, "level"), "required"))
            cr_expect_str_eq(jstr(c, "result"), "passed", "%s: %s", jstr(c, "name"), text);
        else
            cr_expect(strcmp(jstr(c, "result"), "failed") != 0, "%s failed: %s", jstr(c, "name"), text);
    }
    cr_assert_str_eq(result_of(g, "transient_error_not_retried"), "passed", "the sequence was exercised");
    cr_assert_str_eq(jstr(g, "status"), "passed", "%s", text);
    free(text);

    /* closed means closed; the exports */
    cJSON_Delete(mock_call("POST", fmt("/_mock/sessions/%s/close", id), NULL, 409));
    struct http_resp r;
    http_call("GET", fmt("/_mock/sessions/%s?format=junit", id), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(strstr(r.body, "<testsuite name=\"agentmock: agentclient-c 0.1.0\""), "%s", r.body);
    cr_assert(strstr(r.body, "failures=\"0\""));
    cr_assert(strstr(r.body, "<testcase classname=\"required\" name=\"retry_before_retry_after\"></testcase>"));
    http_resp_free(&r);
    http_call("GET", fmt("/_mock/sessions/%s?format=html", id), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(strstr(r.body, "<!doctype html>") && strstr(r.body, "agentclient-c 0.1.0: <span class=\"passed\">"));
    cr_assert_null(strstr(r.body, "<script"), "self-contained and static");
    http_resp_free(&r);
    cJSON_Delete(g);
    cJSON_Delete(s);
}

Test(sessions, an_untested_session_is_incomplete_and_a_buggy_one_failed) {
    require_mock();
    cJSON *idle = session_open("idle-sdk", "1.0");
    cJSON *buggy = session_open("buggy <sdk>", "2.0");
    const char *key = jstr(jobj(jobj(buggy, "org"), "keys"), "read");
    struct http_resp r;
    http_call("GET", fmt("/agents?api_key=%s", key), key, NULL, NULL, &r); /* a key in the URL */
    expect_status(&r, 200);
    http_resp_free(&r);

    cJSON *g = mock_call("POST", fmt("/_mock/sessions/%s/close", jstr(idle, "id")), NULL, 200);
    cr_assert_str_eq(jstr(g, "status"), "incomplete", "never a silent green");
    cr_assert_str_eq(result_of(g, "retry_before_retry_after"), "incomplete");
    cr_assert_str_eq(result_of(g, "page_beyond_last"), "declined");
    cJSON_Delete(g);
    g = mock_call("POST", fmt("/_mock/sessions/%s/close", jstr(buggy, "id")), NULL, 200);
    cr_assert_str_eq(jstr(g, "status"), "failed");
    cr_assert_str_eq(result_of(g, "credentials_in_query"), "failed");
    cr_assert_str_eq(result_of(g, "missing_user_agent"), "passed");
    cJSON_Delete(g);
    http_call("GET", fmt("/_mock/sessions/%s?format=html", jstr(buggy, "id")), NULL, NULL, NULL, &r);
    cr_assert(strstr(r.body, "buggy &lt;sdk&gt; 2.0") && !strstr(r.body, "<sdk>"), "the name is escaped");
    http_resp_free(&r);

    /* side by side */
    cJSON *all = mock_call("GET", "/_mock/sessions", NULL, 200);
    int seen = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, jarr(all, "data")) {
        if (!strcmp(jstr(row, "id"), jstr(idle, "id"))) {
            seen++;
            cr_assert_str_eq(jstr(jobj(row, "results"), "credentials_in_query"), "incomplete");
        }
        if (!strcmp(jstr(row, "id"), jstr(buggy, "id"))) {
            seen++;
            cr_assert_str_eq(jstr(jobj(row, "results"), "credentials_in_query"), "failed");
        }
    }
    cr_assert_eq(seen, 2);
    cJSON_Delete(all);
    cJSON_Delete(idle);
    cJSON_Delete(buggy);
}

Test(sessions, bad_requests_are_422_404) {
    require_mock();
    const char *bad[][2] = {{"{}", "sdk"}, {"{\"sdk\": \"x\"}", "version"}, {"{\"sdk\": 5, \"version\": \"1\"}", "sdk"}};
    for (size_t i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/sessions", NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    cJSON *s = session_open("fmt-sdk", "1");
    struct http_resp r;
    http_call("GET", fmt("/_mock/sessions/%s?format=pdf", jstr(s, "id")), NULL, NULL, NULL, &r);
    expect_field_error(&r, "format");
    http_resp_free(&r);
    http_call("GET", "/_mock/sessions/ses_nosuchsession00", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("POST", "/_mock/sessions/ses_nosuchsession00/close", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(s);
}

Test(sessions, a_retry_still_owed_at_close_is_not_retried) {
    require_mock();
    cJSON *s = session_open("gives-up-sdk", "1");
    const cJSON *org = jobj(s, "org");
    cJSON_Delete(mock_call("POST", "/_mock/sequences",
                           fmt("{\"method\": \"GET\", \"org_id\": \"%s\", \"steps\": [{\"action\": "
                               "\"rate_limit\", \"retry_after\": 30}, {\"action\": \"pass\"}]}",
                               jstr(org, "id")), 201));
    struct http_resp r;
    http_call("GET", "/agents", jstr(jobj(org, "keys"), "read"), NULL, NULL, &r);
    expect_status(&r, 429);
    http_resp_free(&r);
    cJSON *open = mock_call("GET", fmt("/_mock/sessions/%s", jstr(s, "id")), NULL, 200);
    cr_assert_str_eq(result_of(open, "transient_error_not_retried"), "passed", "still inside its Retry-After");
    cJSON *g = mock_call("POST", fmt("/_mock/sessions/%s/close", jstr(s, "id")), NULL, 200);
    cr_assert_str_eq(result_of(g, "transient_error_not_retried"), "failed", "the tests are over: it never came");
    cJSON_Delete(g);
    cJSON_Delete(open);
    cJSON_Delete(s);
}

static const cJSON *check_of(const cJSON *graded, const char *name) {
    const cJSON *c;
    cJSON_ArrayForEach(c, jarr(graded, "checks"))
        if (!strcmp(jstr(c, "name"), name)) return c;
    cr_assert_fail("no check %s", name);
    return NULL;
}

/* The fields probe sent with a field dropped and one changed: fields_not_sent names both, in
 * the report (with the request) and in the session. */
Test(sessions, a_probe_registration_without_its_fields_fails_fields_not_sent) {
    require_mock();
    cJSON *s = session_open("drops-fields-sdk", "1");
    const cJSON *org = jobj(s, "org");
    cJSON *body = cJSON_Duplicate(jobj(jobj(s, "fields_probe"), "body"), true);
    cr_assert_str_eq(jstr(jobj(s, "fields_probe"), "method"), "POST");
    cr_assert_str_eq(jstr(jobj(s, "fields_probe"), "path"), "/agents");
    cJSON_DeleteItemFromObject(body, "currency");                 /* dropped: the server takes USD */
    cJSON_ReplaceItemInObject(body, "environment", cJSON_CreateString("production")); /* changed */
    char *text = cJSON_PrintUnformatted(body);
    struct http_resp r;
    http_call("POST", "/agents", jstr(jobj(org, "keys"), "write"), text, NULL, &r);
    expect_status(&r, 201); /* the server cannot tell: only the probe can */
    http_resp_free(&r);
    cJSON *rep = mock_call("GET", fmt("/_mock/report?org_id=%s", jstr(org, "id")), NULL, 200);
    cr_assert_eq(violations_of_kind(rep, "fields_not_sent"), 1, "%s", cJSON_PrintUnformatted(rep));
    cr_assert_eq(jnum(jobj(rep, "evidence"), "fields_probes"), 1);
    const cJSON *v, *found = NULL;
    cJSON_ArrayForEach(v, jarr(jobj(rep, "violations"), "recent"))
        if (!strcmp(jstr(v, "kind"), "fields_not_sent")) found = v;
    cr_assert(found && strstr(jstr(found, "detail"), "currency missing") &&
              strstr(jstr(found, "detail"), "environment differs"), "%s", cJSON_PrintUnformatted(found));
    cJSON *g = mock_call("GET", fmt("/_mock/sessions/%s", jstr(s, "id")), NULL, 200);
    cr_assert_str_eq(result_of(g, "fields_not_sent"), "failed");
    cJSON_Delete(g);
    free(text);
    cJSON_Delete(rep);
    cJSON_Delete(body);
    cJSON_Delete(s);
}

/* What only the SDK's tests can see, reported by them: a reported failure fails; a reported
 * pass counts only once the traffic shows the case (never a silent green); no report is
 * incomplete. */
Test(sessions, checks_the_sdk_tests_report) {
    require_mock();
    cJSON *s = session_open("reports-sdk", "1");
    const char *id = jstr(s, "id"), *org_id = jstr(jobj(s, "org"), "id");
    cJSON *g = mock_call("GET", fmt("/_mock/sessions/%s", id), NULL, 200);
    cr_assert_str_eq(result_of(g, "typed_errors_mapped"), "incomplete");
    cr_assert_str_eq(jstr(check_of(g, "typed_errors_mapped"), "detail"), "the SDK's tests reported no result");
    cJSON_Delete(g);
    /* a pass claimed with no error ever served */
    g = mock_call("POST", fmt("/_mock/sessions/%s/results", id),
                  "{\"check\": \"typed_errors_mapped\", \"result\": \"passed\"}", 200);
    cr_assert_str_eq(result_of(g, "typed_errors_mapped"), "incomplete");
    cr_assert(strstr(jstr(check_of(g, "typed_errors_mapped"), "detail"), "never served: 401, 403, 404, 409, 422, 429, 5xx"),
              "%s", jstr(check_of(g, "typed_errors_mapped"), "detail"));
    cJSON_Delete(g);
    /* every status served once (fault rules), then the pass counts */
    static const int statuses[] = {401, 403, 404, 409, 422, 429, 502};
    const char *key = jstr(jobj(jobj(s, "org"), "keys"), "read");
    for (size_t i = 0; i < 7; i++) {
        const char *path = fmt("/agents/agent_status%d0000000000", statuses[i]);
        cJSON_Delete(mock_call("POST", "/_mock/faults",
                               fmt("{\"action\": \"error\", \"status\": %d, \"path_prefix\": \"%s\", \"org_id\": \"%s\", "
                                   "\"count\": 1}", statuses[i], path, org_id), 201));
        struct http_resp r;
        http_call("GET", path, key, NULL, NULL, &r);
        expect_status(&r, statuses[i]);
        http_resp_free(&r);
    }
    g = mock_call("GET", fmt("/_mock/sessions/%s", id), NULL, 200);
    cr_assert_str_eq(result_of(g, "typed_errors_mapped"), "passed", "%s", cJSON_PrintUnformatted(check_of(g, "typed_errors_mapped")));
    cJSON_Delete(g);
    /* a reported failure fails, with what the tests said */
    g = mock_call("POST", fmt("/_mock/sessions/%s/results", id),
                  "{\"check\": \"verified_false_not_success\", \"result\": \"failed\", \"detail\": \"verify() returned ok\"}", 200);
    cr_assert_str_eq(result_of(g, "verified_false_not_success"), "failed");
    cr_assert_str_eq(jstr(check_of(g, "verified_false_not_success"), "detail"), "verify() returned ok");
    cJSON_Delete(g);

    struct http_resp r;
    http_call("POST", "/_mock/sessions/ses_nosuchsession00/results", NULL,
              "{\"check\": \"typed_errors_mapped\", \"result\": \"passed\"}", NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(mock_call("POST", fmt("/_mock/sessions/%s/close", id), NULL, 200));
    http_call("POST", fmt("/_mock/sessions/%s/results", id), NULL,
              "{\"check\": \"typed_errors_mapped\", \"result\": \"failed\"}", NULL, &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
    cJSON_Delete(s);
}

Test(sessions, bad_reports_are_422_and_change_nothing) {
    require_mock();
    cJSON *s = session_open("bad-reports-sdk", "1");
    const char *id = jstr(s, "id");
    cJSON_Delete(mock_call("POST", fmt("/_mock/sessions/%s/results", id),
                           "{\"check\": \"typed_errors_mapped\", \"result\": \"failed\"}", 200));
    const char *bad[][2] = {
        {"{}", "check"},
        {"{\"check\": \"missing_user_agent\", \"result\": \"passed\"}", "check"}, /* graded from the wire */
        {"{\"check\": \"typed_errors_mapped\", \"result\": \"maybe\"}", "result"},
        {"{\"check\": \"typed_errors_mapped\", \"result\": \"passed\", \"detail\": 5}", "detail"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", fmt("/_mock/sessions/%s/results", id), NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    cJSON *g = mock_call("GET", fmt("/_mock/sessions/%s", id), NULL, 200);
    cr_assert_str_eq(result_of(g, "typed_errors_mapped"), "failed", "a refused report changed nothing");
    cJSON_Delete(g);
    cJSON_Delete(s);
}

#define PROBE_SECRET "whsec_session_probe_0123456789abcdef"

/* The receiver probe run for a session grades its webhook_receiver check. */
Test(sessions, the_receiver_probe_grades_webhook_receiver, .timeout = 60) {
    require_mock();
    cJSON *good = session_open("verifying-receiver", "1"), *bad = session_open("trusting-receiver", "1");
    struct receiver *rc = receiver_start();
    static const int answers[] = {200, 401, 400, 409}; /* verifies, and refuses stale and replayed */
    receiver_script(rc, answers, 4);
    cJSON *p = mock_call("POST", "/_mock/webhook-probe",
                         fmt("{\"url\": \"%s\", \"secret\": \"" PROBE_SECRET "\", \"timeout_ms\": 2000, "
                             "\"session_id\": \"%s\"}", receiver_url(rc, "/hooks"), jstr(good, "id")), 200);
    cr_assert(jbool(p, "passed"));
    cr_assert_str_eq(jstr(p, "session_id"), jstr(good, "id"));
    cJSON_Delete(p);
    receiver_reply(rc, 200, 0); /* accepts anything */
    cJSON_Delete(mock_call("POST", "/_mock/webhook-probe",
                           fmt("{\"url\": \"%s\", \"secret\": \"" PROBE_SECRET "\", \"timeout_ms\": 2000, "
                               "\"session_id\": \"%s\"}", receiver_url(rc, "/hooks"), jstr(bad, "id")), 200));
    cJSON *g = mock_call("GET", fmt("/_mock/sessions/%s", jstr(good, "id")), NULL, 200);
    cr_assert_str_eq(result_of(g, "webhook_receiver"), "passed");
    cr_assert_str_eq(jstr(check_of(g, "webhook_receiver"), "detail"), "every case went the right way");
    cJSON_Delete(g);
    g = mock_call("GET", fmt("/_mock/sessions/%s", jstr(bad, "id")), NULL, 200);
    cr_assert_str_eq(result_of(g, "webhook_receiver"), "failed");
    cr_assert(strstr(jstr(check_of(g, "webhook_receiver"), "detail"), "bad_signature accepted"),
              "%s", jstr(check_of(g, "webhook_receiver"), "detail"));
    cJSON_Delete(g);
    /* a session never probed declines the recommended check */
    g = mock_call("POST", fmt("/_mock/sessions/%s/close", jstr(bad, "id")), NULL, 200);
    cJSON_Delete(g);
    struct http_resp r;
    const char *closed = fmt("{\"url\": \"%s\", \"secret\": \"s\", \"session_id\": \"%s\"}",
                             receiver_url(rc, "/hooks"), jstr(bad, "id"));
    size_t before = receiver_count(rc);
    http_call("POST", "/_mock/webhook-probe", NULL, closed, NULL, &r);
    expect_field_error(&r, "session_id");
    http_resp_free(&r);
    http_call("POST", "/_mock/webhook-probe", NULL,
              fmt("{\"url\": \"%s\", \"secret\": \"s\", \"session_id\": \"ses_nosuchsession00\"}",
                  receiver_url(rc, "/hooks")), NULL, &r);
    expect_field_error(&r, "session_id");
    http_resp_free(&r);
    cr_assert_eq(receiver_count(rc), before, "a refused probe sends nothing");
    receiver_stop(rc);
    cJSON_Delete(good);
    cJSON_Delete(bad);
}

static void stop_own(void) { own_mock_stop(); }

/* Past SESSIONS_MAX open sessions a new one is a 409, and the organization it would have
 * had is not left behind (a refused request changes nothing). */
Test(sessions, the_257th_session_is_409_and_leaves_no_org, .fini = stop_own, .timeout = 120) {
    require_mock();
    static const char *const flags[] = {"--no-fixtures", NULL};
    own_mock_start(flags);
    for (int i = 0; i < 256; i++) cJSON_Delete(session_open("full-sdk", fmt("%d", i)));
    cJSON *before = mock_call("GET", "/_mock/orgs", NULL, 200);
    int orgs = cJSON_GetArraySize(jarr(before, "data"));
    cJSON_Delete(before);
    struct http_resp r;
    http_call("POST", "/_mock/sessions", NULL, "{\"sdk\": \"one-too-many\", \"version\": \"1\"}",
              NULL, &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
    cJSON *after = mock_call("GET", "/_mock/orgs", NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(after, "data")), orgs, "the refused session left an org");
    cJSON_Delete(after);
}
