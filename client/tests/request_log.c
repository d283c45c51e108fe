/* Checks on what the scripted server received, shared by the call tests. */
#include "request_log.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "scripted_server.h"

const char *member(const cJSON *request, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(request, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The one request logged in <name>; checks its method and path. Caller deletes log. */
const cJSON *only_request(const cJSON *log, const char *method, const char *path) {
    cr_assert_eq(cJSON_GetArraySize(log), 1);
    const cJSON *request = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(member(request, "method"), method);
    cr_assert_str_eq(member(request, "path"), path);
    return request;
}

/* The request body equals expected_json (as JSON: member order and spacing are free). */
void assert_body(const cJSON *request, const char *expected_json) {
    const char *body = member(request, "body");
    cJSON *actual = cJSON_Parse(body);
    cJSON *expected = cJSON_Parse(expected_json);
    cr_assert(expected, "bad expectation %s", expected_json);
    cr_assert(cJSON_Compare(actual, expected, true), "body %s, expected %s", body, expected_json);
    cr_assert_str_eq(request_header(request, "Content-Type"), "application/json");
    cJSON_Delete(actual);
    cJSON_Delete(expected);
}

/* The raw query with percent-escapes undone ('+' stays '+'). */
char *decoded_query(const cJSON *request) {
    const char *query = member(request, "query");
    if (!query) return NULL;
    char *plain = curl_easy_unescape(NULL, query, 0, NULL);
    char *copy = strdup(plain);
    curl_free(plain);
    return copy;
}
