/* Client construction, settings, and the pure pieces of the retry and money rules. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "money.h"
#include "retry_policy.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

CLIENT_TEST(client, needs_an_api_key_from_the_caller_or_the_environment) {
    unsetenv("ALSORN_API_KEY");
    cr_assert_null(alsorn_client_new(NULL, "http://127.0.0.1:1", 1));
    alsorn_client *client = alsorn_client_new("als_given", NULL, 0);
    cr_assert(client);
    alsorn_client_free(client);
}

CLIENT_TEST(client, takes_key_and_base_url_from_the_environment) {
    const scripted_response script[] = {{200, NULL, AGENT_JSON, 0}};
    script_program("from_env", script, COUNT(script));
    char base_url[256];
    snprintf(base_url, sizeof base_url, "%s/", script_base_url("from_env")); /* trailing '/' */
    setenv("ALSORN_API_KEY", "als_from_env", 1);
    setenv("ALSORN_BASE_URL", base_url, 1);
    alsorn_client *client = alsorn_client_new(NULL, NULL, 0);
    cr_assert(client);

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, NULL), ALSORN_OK);
    cJSON *log = script_requests("from_env");
    const cJSON *request = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_header(request, "Authorization"), "Bearer als_from_env");
    cr_assert_str_eq(cJSON_GetObjectItem(request, "path")->valuestring, "/agents/agent_1");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(client, rejects_bad_settings) {
    alsorn_client *client = alsorn_client_new("als_x", "http://127.0.0.1:1", 1);
    cr_assert_eq(alsorn_client_set_max_retries(client, -1), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alsorn_client_set_max_retries(client, 0), ALSORN_OK);
    cr_assert_eq(alsorn_client_set_backoff(client, -1, 1), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alsorn_client_set_backoff(client, 2, 1), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alsorn_client_set_backoff(client, 0.5, 30), ALSORN_OK);
    cr_assert_eq(alsorn_client_set_max_retries(NULL, 1), ALSORN_ERR_INVALID_ARGUMENT);
    alsorn_client_free(client);
}

CLIENT_TEST(client, a_base_url_that_is_not_a_url_is_an_invalid_argument) {
    alsorn_client *client = alsorn_client_new("als_x", "not a url", 1);
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_INVALID_ARGUMENT);
    cr_assert_neq(err.message[0], '\0');
    alsorn_client_free(client);
}

CLIENT_TEST(retry_policy, full_jitter_stays_under_the_exponential_ceiling) {
    cr_assert_float_eq(retry_backoff_seconds(0, 0.5, 30, 0.999), 0.4995, 1e-9);
    cr_assert_float_eq(retry_backoff_seconds(3, 0.5, 30, 0.5), 2.0, 1e-9);
    cr_assert_float_eq(retry_backoff_seconds(10, 0.5, 30, 0.999), 29.97, 1e-9, "capped at 30");
    cr_assert_float_eq(retry_backoff_seconds(5000, 0.5, 30, 1.0), 30.0, 1e-9);
    cr_assert_eq(retry_backoff_seconds(2, 0.5, 30, 0.0), 0.0);
    for (int i = 0; i < 1000; i++) {
        double r = retry_unit_random();
        cr_assert(r >= 0 && r < 1);
    }
}

CLIENT_TEST(retry_policy, what_is_worth_retrying) {
    cr_assert(retry_http_status_is_transient(429));
    cr_assert(retry_http_status_is_transient(500));
    cr_assert(retry_http_status_is_transient(503));
    cr_assert_not(retry_http_status_is_transient(404));
    cr_assert_not(retry_http_status_is_transient(409));
    cr_assert_not(retry_http_status_is_transient(422));
    cr_assert(retry_curl_error_is_transient(CURLE_COULDNT_CONNECT));
    cr_assert(retry_curl_error_is_transient(CURLE_OPERATION_TIMEDOUT));
    cr_assert(retry_curl_error_is_transient(CURLE_GOT_NOTHING));
    cr_assert_not(retry_curl_error_is_transient(CURLE_URL_MALFORMAT));
}

static void assert_money_prints(double amount, const char *expected) {
    cJSON *json = money_to_json(amount);
    char *text = cJSON_PrintUnformatted(json);
    cr_assert_str_eq(text, expected, "%.17g printed as %s", amount, text);
    free(text);
    cJSON_Delete(json);
}

CLIENT_TEST(money, whole_cents_go_out_exactly_and_the_rest_as_given) {
    volatile double tenth = 0.1, fifth = 0.2;
    assert_money_prints(tenth + fifth, "0.3");
    assert_money_prints(50000, "50000");
    assert_money_prints(50000.07, "50000.07");
    assert_money_prints(1e12, "1000000000000");
    assert_money_prints(999999999999.99, "999999999999.99");
    assert_money_prints(1.15 * 3, "3.45");
    assert_money_prints(0.005, "0.005"); /* not a cent amount: the server must refuse it */
    assert_money_prints(-5, "-5");
}
