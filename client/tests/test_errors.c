/* HTTP errors become typed values, as the SDK's exception classes do. */
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Runs GET /agents/agent_1 against one scripted answer and returns the status. */
static alsorn_status get_with_answer(const char *name, long http_status, const char *headers,
                                     const char *body, alsorn_error *err) {
    const scripted_response script[] = {{http_status, headers, body, 0}};
    script_program(name, script, COUNT(script));
    alsorn_client *client = script_client(name);
    alsorn_client_set_max_retries(client, 0);
    alsorn_agent *agent = NULL;
    alsorn_status status = alsorn_agents_get(client, "agent_1", &agent, err);
    if (status != ALSORN_OK) cr_assert_null(agent, "out-pointer set on failure");
    alsorn_agent_free(agent);
    alsorn_client_free(client);
    return status;
}

CLIENT_TEST(errors, not_found) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e404", 404, NULL,
                                 ERROR_JSON("not_found", "Agent not found", "req_404"), &err),
                 ALSORN_ERR_NOT_FOUND);
    cr_assert_eq(err.status, ALSORN_ERR_NOT_FOUND);
    cr_assert_eq(err.http_status, 404);
    cr_assert_str_eq(err.code, "not_found");
    cr_assert_str_eq(err.message, "Agent not found");
    cr_assert_str_eq(err.request_id, "req_404");
    cr_assert_eq(err.field_error_count, 0);
}

CLIENT_TEST(errors, validation_lists_every_field_error) {
    const char *body =
        "{\"error\":{\"code\":\"validation_error\",\"message\":\"Request validation failed\","
        "\"request_id\":\"req_422\",\"field_errors\":["
        "{\"field\":\"name\",\"message\":\"must be 2-100 characters\"},"
        "{\"field\":\"authorized_actions[2]\",\"message\":\"must match "
        "^[a-z][a-z0-9_.:-]{0,63}$\"},"
        "{\"field\":\"spending_limit\",\"message\":\"must be greater than 0\"}]}}";
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e422", 422, NULL, body, &err), ALSORN_ERR_VALIDATION);
    cr_assert_eq(err.http_status, 422);
    cr_assert_str_eq(err.code, "validation_error");
    cr_assert_str_eq(err.message, "Request validation failed");
    cr_assert_eq(err.field_error_count, 3);
    cr_assert_str_eq(err.field_errors[0].field, "name");
    cr_assert_str_eq(err.field_errors[0].message, "must be 2-100 characters");
    cr_assert_str_eq(err.field_errors[1].field, "authorized_actions[2]");
    cr_assert_str_eq(err.field_errors[1].message, "must match ^[a-z][a-z0-9_.:-]{0,63}$");
    cr_assert_str_eq(err.field_errors[2].field, "spending_limit");
    cr_assert_str_eq(err.field_errors[2].message, "must be greater than 0");
    alsorn_error_clear(&err);
    cr_assert_eq(err.field_error_count, 0);
    cr_assert_null(err.field_errors);
}

CLIENT_TEST(errors, unauthorized_is_auth) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e401", 401, NULL,
                                 ERROR_JSON("invalid_api_key", "Unknown API key", "req_401"), &err),
                 ALSORN_ERR_AUTH);
    cr_assert_str_eq(err.code, "invalid_api_key");
}

CLIENT_TEST(errors, forbidden_keeps_its_code) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e403", 403, NULL,
                                 ERROR_JSON("plan_limit_exceeded", "Plan allows 5 agents", "req_3"),
                                 &err),
                 ALSORN_ERR_FORBIDDEN);
    cr_assert_eq(err.http_status, 403);
    cr_assert_str_eq(err.code, "plan_limit_exceeded");
}

CLIENT_TEST(errors, other_statuses_are_generic_api_errors) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e409", 409, NULL,
                                 ERROR_JSON("conflict", "Agent is deleted", "req_409"), &err),
                 ALSORN_ERR_HTTP);
    cr_assert_eq(err.http_status, 409);
    cr_assert_str_eq(err.code, "conflict");
    cr_assert_str_eq(err.message, "Agent is deleted");
}

CLIENT_TEST(errors, a_non_json_error_body_still_gives_status_and_request_id) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("e502", 502, "X-Request-Id: req_proxy\r\n",
                                 "<html>Bad Gateway</html>", &err),
                 ALSORN_ERR_HTTP);
    cr_assert_eq(err.http_status, 502);
    cr_assert_str_eq(err.code, "");
    cr_assert_str_eq(err.message, "HTTP 502: <html>Bad Gateway</html>");
    cr_assert_str_eq(err.request_id, "req_proxy");
}

CLIENT_TEST(errors, a_2xx_that_is_not_json_is_a_decode_error) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("bad_json", 200, NULL, "{\"id\": ", &err), ALSORN_ERR_DECODE);
    cr_assert_eq(err.http_status, 200);
}

CLIENT_TEST(errors, a_member_of_the_wrong_type_is_a_decode_error) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("bad_type", 200, NULL,
                                 "{\"id\":\"agent_1\",\"spending_limit\":\"lots\"}", &err),
                 ALSORN_ERR_DECODE);
    cr_assert(strstr(err.message, "spending_limit"), "message should name the member: %s",
              err.message);
}

CLIENT_TEST(errors, a_nested_member_of_the_wrong_type_is_a_decode_error) {
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(get_with_answer("bad_nested", 200, NULL,
                                 "{\"id\":\"agent_1\",\"trust_record\":{\"score\":\"high\"}}",
                                 &err),
                 ALSORN_ERR_DECODE);
    cr_assert(strstr(err.message, "trust_record.score"), "%s", err.message);
}

CLIENT_TEST(errors, one_error_value_is_reused_across_calls) {
    const char *body = "{\"error\":{\"code\":\"validation_error\",\"message\":\"bad\","
                       "\"field_errors\":[{\"field\":\"name\",\"message\":\"too short\"}]}}";
    const scripted_response script[] = {{422, NULL, body, 0}, {200, NULL, AGENT_JSON, 0}};
    script_program("reuse_err", script, COUNT(script));
    alsorn_client *client = script_client("reuse_err");
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_ERR_VALIDATION);
    cr_assert_eq(err.field_error_count, 1);
    /* the next call frees the field errors (LeakSanitizer would say otherwise) */
    cr_assert_eq(alsorn_agents_get(client, "agent_1", NULL, &err), ALSORN_OK);
    cr_assert_eq(err.status, ALSORN_OK);
    cr_assert_eq(err.field_error_count, 0);
    cr_assert_str_eq(err.message, "");
    alsorn_client_free(client);
}

CLIENT_TEST(errors, status_names) {
    cr_assert_str_eq(alsorn_status_name(ALSORN_OK), "ALSORN_OK");
    cr_assert_str_eq(alsorn_status_name(ALSORN_ERR_VALIDATION), "ALSORN_ERR_VALIDATION");
    cr_assert_str_eq(alsorn_status_name(ALSORN_ERR_FORBIDDEN), "ALSORN_ERR_FORBIDDEN");
}
