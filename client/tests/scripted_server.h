/* A scripted HTTP server for the client's tests.
 *
 * Criterion runs every test in its own process, and CivetWeb takes 1-2 s to stop, so one
 * server serves the whole run: the runner process starts it before the first test and stops
 * it after the last (report hooks in scripted_server.c), and tells the test processes its
 * port through $CLIENT_TEST_SERVER_PORT.
 *
 * Tests run in parallel, so each test works in its own namespace: the client's base URL is
 * http://127.0.0.1:PORT/ns/<name>, and the server keeps a separate script and request log
 * per <name>.  A test programs the answers (script_program), runs the client, then reads
 * back what the server received (script_requests).
 *
 * Control endpoints (used by script_control.c, not by the client under test):
 *   POST /_script/<name>           body: JSON array of answers; resets the log
 *   GET  /_script/<name>/requests  the log: JSON array of received requests
 * An answer is {"status", "headers": "Name: value\r\n...", "body": "text", "delay_ms"};
 * once the script is used up the server answers 418 script_exhausted. */
#ifndef SCRIPTED_SERVER_H
#define SCRIPTED_SERVER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "alsorn.h"

/* ---- runner side ---- */
int scripted_server_start(void); /* returns the port, or -1 */
void scripted_server_stop(void);

/* ---- test side ---- */
typedef struct {
    long status;
    const char *headers; /* extra header lines, "Name: value\r\n" each; NULL for none */
    const char *body;    /* NULL: empty body */
    int delay_ms;        /* wait before answering (to make the client time out) */
} scripted_response;

/* Replaces <name>'s script and clears its log; aborts the test if the server is absent. */
void script_program(const char *name, const scripted_response *responses, size_t count);

/* Everything <name> received so far, oldest first: an array of
 * {"method", "path" (without /ns/<name>, percent-decoded), "query" (raw, or null), "headers",
 * "body", "at_ms" (CLOCK_MONOTONIC), "remote_port"}.
 * Caller frees with cJSON_Delete. */
cJSON *script_requests(const char *name);

/* Header value of a logged request, case-insensitive name; NULL when absent. */
const char *request_header(const cJSON *request, const char *name);
/* A string member of a logged request ("method", "path", "query", "body"); NULL when absent. */
const char *request_member(const cJSON *request, const char *key);
/* The one request in log; asserts there is exactly one, with this method and path. */
const cJSON *only_request(const cJSON *log, const char *method, const char *path);
/* The raw query with percent-escapes undone ('+' stays '+'); caller frees. NULL: no query. */
char *decoded_query(const cJSON *request);
/* The request's body equals expected_json as JSON (member order and spacing are free) and was
 * sent as application/json. */
void assert_request_body(const cJSON *request, const char *expected_json);
/* Request i of log was method path and, when body_json is given, carried that JSON body
 * (compared as JSON).  Returns the request. */
const cJSON *assert_request_at(const cJSON *log, int i, const char *method, const char *path,
                               const char *body_json);

/* A client for <name>'s base URL with fast back-off (1 ms base, 20 ms cap). */
alsorn_client *script_client(const char *name);

/* "http://127.0.0.1:PORT/ns/<name>" (static buffer) */
const char *script_base_url(const char *name);

/* A port on which nothing listens, for connection-refused tests. */
int closed_port(void);

#endif
