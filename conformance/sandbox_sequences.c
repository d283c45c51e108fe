/* POST /_mock/sequences: the next calls matching method, path prefix and key answer step by
 * step; each attempt is read back; a transient answer nobody retried is named in the report. */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alsorn.h"

static struct tenant T;

static alsorn_client *client_for(const char *key) {
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c, "alsorn_client_new failed");
    cr_assert_eq(alsorn_client_set_backoff(c, 0.05, 0.2), ALSORN_OK);
    return c;
}

Test(sequences, the_reference_client_walks_429_503_drop_then_the_answer, .timeout = 60) {
    require_mock();
    tenant_new(&T);
    cJSON *seq = mock_call("POST", "/_mock/sequences",
                           fmt("{\"method\": \"POST\", \"path_prefix\": \"/agents\", \"org_id\": \"%s\", "
                               "\"key\": \"%s\", \"steps\": [{\"action\": \"rate_limit\", \"retry_after\": 2}, "
                               "{\"action\": \"error\", \"status\": 503}, {\"action\": \"reset\"}, "
                               "{\"action\": \"pass\"}]}", T.org_id, T.key[KEY_WRITE]), 201);
    const char *id = jstr(seq, "id");
    cr_assert(!strncmp(id, "seq_", 4));
    cr_assert_eq(cJSON_GetArraySize(jarr(seq, "steps")), 4);
    cr_assert(jbool(cJSON_GetArrayItem(jarr(seq, "steps"), 0), "expect_retry"), "a 429 expects a retry");
    cr_assert(!jbool(cJSON_GetArrayItem(jarr(seq, "steps"), 3), "expect_retry"));

    /* another key of the org is not part of it */
    struct http_resp r;
    char *body = agent_body(tname(&T, "Other Key"));
    http_call("POST", "/agents", T.key[KEY_ADMIN], body, NULL, &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    free(body);

    alsorn_client *c = client_for(T.key[KEY_WRITE]);
    static const char *const acts[] = {"execute_trades"};
    alsorn_agent_params p = {.name = tname(&T, "Sequenced"), .authorized_actions = acts,
                             .authorized_action_count = 1, .spending_limit = 100};
    alsorn_agent *a = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_agents_register(c, &p, &a, &err), ALSORN_OK, "HTTP %ld %s", err.http_status, err.code);

    cJSON *got = mock_call("GET", fmt("/_mock/sequences/%s", id), NULL, 200);
    const cJSON *attempts = jarr(got, "attempts");
    cr_assert_eq(cJSON_GetArraySize(attempts), 4, "four attempts: %s", cJSON_PrintUnformatted(got));
    const char *served[] = {"429", "503", "dropped", "pass"};
    const char *key0 = jstr(cJSON_GetArrayItem(attempts, 0), "idempotency_key");
    for (int i = 0; i < 4; i++) {
        const cJSON *x = cJSON_GetArrayItem(attempts, i);
        cr_assert_str_eq(jstr(x, "served"), served[i]);
        cr_assert_eq(jnum(x, "step"), i);
        cr_assert_str_eq(jstr(x, "idempotency_key"), key0, "every attempt keeps the key");
        cr_assert(strlen(jstr(x, "user_agent")) > 0);
        cr_assert_eq(strlen(jstr(x, "at")), 24, "millisecond arrival: %s", jstr(x, "at"));
        if (i == 0) cr_assert(jnull(x, "delay_ms"));
    }
    cr_assert(jnum(cJSON_GetArrayItem(attempts, 1), "delay_ms") >= 1900, "the client waited Retry-After: 2");
    cr_assert(jbool(got, "done"));
    cr_assert(!jbool(got, "transient_error_not_retried"));
    cr_assert_eq(agent_count(&T), 2);
    cJSON *rep = report_of(&T);
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), 0, "%s", cJSON_PrintUnformatted(jobj(rep, "violations")));
    cJSON_Delete(rep);
    cJSON_Delete(got);
    cJSON_Delete(seq);
    alsorn_agent_free(a);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(sequences, a_transient_error_not_retried_is_named) {
    require_mock();
    tenant_new(&T);
    cJSON *seq = mock_call("POST", "/_mock/sequences",
                           fmt("{\"method\": \"GET\", \"path_prefix\": \"/agents\", \"org_id\": \"%s\", "
                               "\"retry_within_ms\": 0, \"steps\": [{\"action\": \"error\", \"status\": 503}]}",
                               T.org_id), 201);
    struct http_resp r;
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r); /* an SDK that gives up at once */
    expect_status(&r, 503);
    http_resp_free(&r);
    struct timespec ts = {0, 50 * 1000000};
    nanosleep(&ts, NULL);
    cJSON *got = mock_call("GET", fmt("/_mock/sequences/%s", jstr(seq, "id")), NULL, 200);
    cr_assert(jbool(got, "transient_error_not_retried"));
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "transient_error_not_retried"), 1);
    cr_assert_eq(jnum(jobj(rep, "violations"), "total"), 1);
    cJSON_Delete(rep);
    cJSON_Delete(got);
    cJSON_Delete(seq);
}

Test(sequences, bad_bodies_are_422_and_unknown_ids_404) {
    require_mock();
    const char *bad[][2] = {
        {"{}", "steps"},
        {"{\"steps\": []}", "steps"},
        {"{\"steps\": [{\"action\": \"explode\"}]}", "steps[0].action"},
        {"{\"steps\": [{\"action\": \"pass\"}, {\"action\": \"error\", \"status\": 99}]}", "steps[1].status"},
        {"{\"steps\": [{\"action\": \"pass\", \"retry_after\": 3}]}", "steps[0].retry_after"},
        {"{\"steps\": [5]}", "steps[0]"},
        {"{\"path_prefix\": \"/_mock/x\", \"steps\": [{\"action\": \"pass\"}]}", "path_prefix"},
        {"{\"org_id\": \"org_nosuchorg000000\", \"steps\": [{\"action\": \"pass\"}]}", "org_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/sequences", NULL, bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    cJSON *list = mock_call("GET", "/_mock/sequences", NULL, 200);
    jarr(list, "data");
    cJSON_Delete(list);
    struct http_resp r;
    http_call("GET", "/_mock/sequences/seq_nosuchsequence0", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}
