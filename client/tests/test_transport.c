/* Retries, back-off, idempotency keys and the headers every request carries. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static double elapsed_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static double at_ms(const cJSON *log, int i) {
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), "at_ms")->valuedouble;
}

static const char *field(const cJSON *log, int i, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

CLIENT_TEST(transport, retries_a_500_then_succeeds) {
    const scripted_response script[] = {
        {500, NULL, ERROR_JSON("internal_error", "boom", "req_1"), 0},
        {200, NULL, AGENT_JSON, 0},
    };
    script_program("retry_500", script, COUNT(script));
    alsorn_client *client = script_client("retry_500");
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_agent *agent = NULL;

    cr_assert_eq(alsorn_agents_get(client, "agent_7f3k9x2m", &agent, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_str_eq(agent->id, "agent_7f3k9x2m");
    cJSON *log = script_requests("retry_500");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_str_eq(field(log, i, "method"), "GET");
        cr_assert_str_eq(field(log, i, "path"), "/agents/agent_7f3k9x2m");
    }
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, waits_for_retry_after_on_429) {
    const scripted_response script[] = {
        {429, "Retry-After: 1\r\n", ERROR_JSON("rate_limit_exceeded", "slow down", "req_2"), 0},
        {200, NULL, AGENT_JSON, 0},
    };
    script_program("retry_after", script, COUNT(script));
    alsorn_client *client = script_client("retry_after"); /* back-off alone would be <= 20 ms */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    cr_assert_eq(alsorn_agents_get(client, "agent_7f3k9x2m", NULL, NULL), ALSORN_OK);
    cr_assert_geq(elapsed_since(&start), 1.0);
    cJSON *log = script_requests("retry_after");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    double gap_ms = at_ms(log, 1) - at_ms(log, 0);
    cr_assert_geq(gap_ms, 1000.0, "retried after %.0f ms, Retry-After said 1 s", gap_ms);
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, gives_up_after_max_retries_with_the_last_error) {
    const scripted_response script[] = {
        {503, NULL, ERROR_JSON("service_unavailable", "injected fault 1", "req_a"), 0},
        {503, NULL, ERROR_JSON("service_unavailable", "injected fault 2", "req_b"), 0},
        {503, NULL, ERROR_JSON("service_unavailable", "injected fault 3", "req_c"), 0},
        {200, NULL, AGENT_JSON, 0}, /* must never be reached */
    };
    script_program("give_up", script, COUNT(script));
    alsorn_client *client = script_client("give_up");
    cr_assert_eq(alsorn_client_set_max_retries(client, 2), ALSORN_OK);
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_HTTP);
    cr_assert_eq(err.status, ALSORN_ERR_HTTP);
    cr_assert_eq(err.http_status, 503);
    cr_assert_str_eq(err.code, "service_unavailable");
    cr_assert_str_eq(err.message, "injected fault 3");
    cr_assert_str_eq(err.request_id, "req_c");
    cJSON *log = script_requests("give_up");
    cr_assert_eq(cJSON_GetArraySize(log), 3, "1 attempt + 2 retries, got %d",
                 cJSON_GetArraySize(log));
    cJSON_Delete(log);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, rate_limit_error_after_retries_carries_retry_after) {
    const scripted_response script[] = {
        {429, "Retry-After: 1\r\n", ERROR_JSON("rate_limit_exceeded", "over", "req_1"), 0},
        {429, "Retry-After: 2\r\n", ERROR_JSON("rate_limit_exceeded", "still over", "req_2"), 0},
    };
    script_program("rate_exhausted", script, COUNT(script));
    alsorn_client *client = script_client("rate_exhausted");
    alsorn_client_set_max_retries(client, 1);
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_RATE_LIMITED);
    cr_assert_eq(err.http_status, 429);
    cr_assert_eq(err.retry_after, 2);
    cr_assert_str_eq(err.code, "rate_limit_exceeded");
    cr_assert_str_eq(err.request_id, "req_2");
    alsorn_client_free(client);
}

CLIENT_TEST(transport, does_not_sleep_through_a_long_retry_after) {
    const scripted_response script[] = {
        {429, "Retry-After: 3600\r\n", ERROR_JSON("rate_limit_exceeded", "hour", "req_1"), 0},
        {200, NULL, AGENT_JSON, 0},
    };
    script_program("long_retry_after", script, COUNT(script));
    alsorn_client *client = script_client("long_retry_after");
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_RATE_LIMITED);
    cr_assert_eq(err.retry_after, 3600);
    cJSON *log = script_requests("long_retry_after");
    cr_assert_eq(cJSON_GetArraySize(log), 1);
    cJSON_Delete(log);
    alsorn_client_free(client);
}

static bool is_hex32(const char *s) {
    if (!s || strlen(s) != 32) return false;
    for (; *s; s++) {
        if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s)) return false;
    }
    return true;
}

CLIENT_TEST(transport, post_retries_reuse_one_idempotency_key) {
    const scripted_response script[] = {
        {500, NULL, ERROR_JSON("internal_error", "x", "req_1"), 0},
        {502, NULL, "<html>bad gateway</html>", 0},
        {201, NULL, AGENT_JSON, 0},
        {201, NULL, AGENT_JSON, 0},
    };
    script_program("idempotency", script, COUNT(script));
    alsorn_client *client = script_client("idempotency");
    const char *actions[] = {"execute_trades"};
    alsorn_agent_params params = {.name = "Alpha",
                                  .authorized_actions = actions,
                                  .authorized_action_count = 1,
                                  .spending_limit = 100};

    cr_assert_eq(alsorn_agents_register(client, &params, NULL, NULL), ALSORN_OK);
    cr_assert_eq(alsorn_agents_register(client, &params, NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("idempotency");
    cr_assert_eq(cJSON_GetArraySize(log), 4);
    const char *first = request_header(cJSON_GetArrayItem(log, 0), "Idempotency-Key");
    cr_assert(is_hex32(first), "Idempotency-Key %s is not 32 lowercase hex", first);
    for (int i = 1; i < 3; i++) {
        cr_assert_str_eq(request_header(cJSON_GetArrayItem(log, i), "Idempotency-Key"), first);
        cr_assert_str_eq(field(log, i, "body"), field(log, 0, "body"), "retry changed the body");
    }
    const char *second_call = request_header(cJSON_GetArrayItem(log, 3), "Idempotency-Key");
    cr_assert(is_hex32(second_call));
    cr_assert_str_neq(second_call, first, "a new call must get a new key");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, connection_refused_is_a_connection_error_after_retries) {
    char base_url[64];
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", closed_port());
    alsorn_client *client = alsorn_client_new("als_test_key", base_url, 2);
    alsorn_client_set_backoff(client, 0.05, 0.05);
    alsorn_client_set_max_retries(client, 2);
    alsorn_error err = ALSORN_ERROR_INIT;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_CONNECTION);
    cr_assert_eq(err.status, ALSORN_ERR_CONNECTION);
    cr_assert_eq(err.http_status, 0);
    cr_assert_str_eq(err.code, "");
    cr_assert_neq(err.message[0], '\0');
    /* two retries, each after a jittered wait in [0, 50 ms]: never more than ~100 ms plus the
     * refused connects, and the call does return */
    cr_assert_lt(elapsed_since(&start), 1.5);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, a_timed_out_attempt_is_retried) {
    const scripted_response script[] = {
        {200, NULL, AGENT_JSON, 1500}, /* slower than the client's 0.3 s timeout */
        {200, NULL, AGENT_JSON, 0},
    };
    script_program("timeout", script, COUNT(script));
    alsorn_client *client = alsorn_client_new("als_test_key", script_base_url("timeout"), 0.3);
    alsorn_client_set_backoff(client, 0.001, 0.01);
    alsorn_agent *agent = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_7f3k9x2m", &agent, &err), ALSORN_OK, "%s",
                 err.message);
    cJSON *log = script_requests("timeout");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    cJSON_Delete(log);
    alsorn_agent_free(agent);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, timeouts_on_every_attempt_are_a_connection_error) {
    const scripted_response script[] = {
        {200, NULL, AGENT_JSON, 1000},
        {200, NULL, AGENT_JSON, 1000},
    };
    script_program("timeout_all", script, COUNT(script));
    alsorn_client *client = alsorn_client_new("als_test_key", script_base_url("timeout_all"), 0.2);
    alsorn_client_set_backoff(client, 0.001, 0.01);
    alsorn_client_set_max_retries(client, 1);
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_CONNECTION);
    cr_assert(strstr(err.message, "imeout") || strstr(err.message, "timed out"), "%s", err.message);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, client_errors_are_not_retried) {
    const scripted_response script[] = {
        {400, NULL, ERROR_JSON("invalid_json", "body is not JSON", "req_1"), 0},
        {201, NULL, AGENT_JSON, 0},
    };
    script_program("no_retry_400", script, COUNT(script));
    alsorn_client *client = script_client("no_retry_400");
    alsorn_agent_params params = {.name = "Alpha"};
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_register(client, &params, NULL, &err), ALSORN_ERR_HTTP);
    cr_assert_eq(err.http_status, 400);
    cr_assert_str_eq(err.code, "invalid_json");
    cJSON *log = script_requests("no_retry_400");
    cr_assert_eq(cJSON_GetArraySize(log), 1);
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, sends_auth_agent_and_accept_headers) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}};
    script_program("headers", script, COUNT(script));
    alsorn_client *client = script_client("headers");

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("headers");
    const cJSON *request = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_header(request, "Authorization"), "Bearer als_test_key");
    cr_assert_str_eq(request_header(request, "User-Agent"), "agentclient-c/0.1");
    cr_assert_str_eq(request_header(request, "Accept"), "application/json");
    cr_assert_null(request_header(request, "Idempotency-Key"), "GET needs no key");
    cr_assert_null(request_header(request, "Content-Type"), "GET has no body");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(transport, keeps_rate_limit_and_request_id_of_the_last_answer) {
    const scripted_response script[] = {
        {200,
         "X-RateLimit-Limit: 1000\r\nX-RateLimit-Remaining: 998\r\n"
         "X-RateLimit-Reset: 1767225600\r\nX-Request-Id: req_9f\r\n",
         AGENT_JSON, 0},
        {200, NULL, AGENT_JSON, 0},
    };
    script_program("rate_headers", script, COUNT(script));
    alsorn_client *client = script_client("rate_headers");
    long limit = 0, remaining = 0;
    long long reset = 0;

    cr_assert_not(alsorn_client_last_rate_limit(client, &limit, &remaining, &reset));
    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cr_assert(alsorn_client_last_rate_limit(client, &limit, &remaining, &reset));
    cr_assert_eq(limit, 1000);
    cr_assert_eq(remaining, 998);
    cr_assert_eq(reset, 1767225600LL);
    cr_assert_str_eq(alsorn_client_last_request_id(client), "req_9f");

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cr_assert_not(alsorn_client_last_rate_limit(client, NULL, NULL, NULL),
                  "values must be those of the last answer, which had none");
    cr_assert_str_eq(alsorn_client_last_request_id(client), "");
    alsorn_client_free(client);
}

CLIENT_TEST(transport, reuses_one_connection_between_calls) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}, {200, NULL, AGENT_JSON, 0}};
    script_program("keep_alive", script, COUNT(script));
    alsorn_client *client = script_client("keep_alive");

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("keep_alive");
    int port0 = cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "remote_port")->valueint;
    int port1 = cJSON_GetObjectItem(cJSON_GetArrayItem(log, 1), "remote_port")->valueint;
    cr_assert_eq(port0, port1, "second call opened a new connection");
    cJSON_Delete(log);
    alsorn_client_free(client);
}
