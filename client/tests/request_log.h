/* Checks on what the scripted server received (script_requests), shared by the call tests. */
#ifndef REQUEST_LOG_H
#define REQUEST_LOG_H

#include <cjson/cJSON.h>

/* A string member of a logged request ("method", "path", "query", "body"); NULL otherwise. */
const char *member(const cJSON *request, const char *key);
/* The one request in log; checks its method and path. */
const cJSON *only_request(const cJSON *log, const char *method, const char *path);
/* The request body equals expected_json as JSON (member order and spacing are free). */
void assert_body(const cJSON *request, const char *expected_json);
/* The raw query with percent-escapes undone ('+' stays '+'); caller frees. NULL: no query. */
char *decoded_query(const cJSON *request);

#endif
