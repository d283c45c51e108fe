/* Graded sessions: POST /_mock/sessions gives an SDK an org and a checklist; closing grades
 * each check passed / failed / incomplete / declined from what the SDK did; exports as JSON,
 * JUnit XML and HTML; GET /_mock/sessions compares sessions side by side.  The reference
 * client runs a full session here and must pass every required check. */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alsorn.h"

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

/* The reference client through the session's hard cases: a scripted 429 → 503 → drop on its
 * first registration, a 404, a two-page list walked to its end. */
static void reference_client_run(const char *org_id, const char *key) {
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
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(sessions, the_reference_client_passes_every_required_check, .timeout = 60) {
    require_mock();
    cJSON *s = session_open("agentclient-c", "0.1.0");
    const char *id = jstr(s, "id");
    cr_assert(!strncmp(id, "ses_", 4));
    cr_assert_str_eq(jstr(s, "status"), "open");
    const cJSON *org = jobj(s, "org");
    cr_assert(cJSON_GetArraySize(jarr(s, "checklist")) >= 10);
    reference_client_run(jstr(org, "id"), jstr(jobj(org, "keys"), "write"));
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
