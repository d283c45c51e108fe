/* The server half of scripted_server.h: runs in Criterion's runner process. */
#include "scripted_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>

static struct mg_context *server;
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
/* name -> {"queue": [answer...], "log": [request...]}; guarded by state_lock */
static cJSON *namespaces;

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now); /* system-wide: test processes can compare */
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static char *read_body(struct mg_connection *conn) {
    size_t len = 0, cap = 1024;
    char *body = malloc(cap);
    for (;;) {
        if (len + 512 + 1 > cap) body = realloc(body, cap *= 2);
        int n = mg_read(conn, body + len, 512);
        if (n <= 0) break;
        len += (size_t)n;
    }
    body[len] = '\0';
    return body;
}

static void reply(struct mg_connection *conn, int status, const char *extra_headers,
                  const char *body) {
    char length[24];
    snprintf(length, sizeof length, "%zu", strlen(body));
    mg_response_header_start(conn, status);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "Content-Length", length, -1);
    if (extra_headers && *extra_headers) mg_response_header_add_lines(conn, extra_headers);
    mg_response_header_send(conn);
    mg_write(conn, body, strlen(body));
}

/* The namespace's record, created on first use.  Caller holds state_lock. */
static cJSON *namespace_for(const char *name) {
    cJSON *ns = cJSON_GetObjectItemCaseSensitive(namespaces, name);
    if (!ns) {
        ns = cJSON_AddObjectToObject(namespaces, name);
        cJSON_AddArrayToObject(ns, "queue");
        cJSON_AddArrayToObject(ns, "log");
    }
    return ns;
}

static int handle_control(struct mg_connection *conn, const struct mg_request_info *ri,
                          const char *rest) {
    char name[128];
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    snprintf(name, sizeof name, "%.*s", (int)len, rest);
    char *body = read_body(conn);
    pthread_mutex_lock(&state_lock);
    cJSON *ns = namespace_for(name);
    char *answer = NULL;
    if (strcmp(ri->request_method, "POST") == 0 && !slash) {
        cJSON *queue = cJSON_Parse(body);
        if (cJSON_IsArray(queue)) {
            cJSON_ReplaceItemInObjectCaseSensitive(ns, "queue", queue);
            cJSON_ReplaceItemInObjectCaseSensitive(ns, "log", cJSON_CreateArray());
            answer = strdup("{\"ok\":true}");
        } else {
            cJSON_Delete(queue);
        }
    } else if (strcmp(ri->request_method, "GET") == 0 && slash && strcmp(slash, "/requests") == 0) {
        answer = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ns, "log"));
    }
    pthread_mutex_unlock(&state_lock);
    free(body);
    if (answer)
        reply(conn, 200, NULL, answer);
    else
        reply(conn, 400, NULL, "{\"error\":{\"code\":\"bad_control_request\"}}");
    free(answer);
    return 1;
}

static int handle_scripted(struct mg_connection *conn, const struct mg_request_info *ri,
                           const char *rest) {
    char name[128];
    const char *path = strchr(rest, '/');
    size_t len = path ? (size_t)(path - rest) : strlen(rest);
    snprintf(name, sizeof name, "%.*s", (int)len, rest);

    cJSON *request = cJSON_CreateObject();
    cJSON_AddStringToObject(request, "method", ri->request_method);
    cJSON_AddStringToObject(request, "path", path ? path : "/");
    if (ri->query_string)
        cJSON_AddStringToObject(request, "query", ri->query_string);
    else
        cJSON_AddNullToObject(request, "query");
    cJSON *headers = cJSON_AddObjectToObject(request, "headers");
    for (int i = 0; i < ri->num_headers; i++) {
        cJSON_AddStringToObject(headers, ri->http_headers[i].name, ri->http_headers[i].value);
    }
    char *body = read_body(conn);
    cJSON_AddStringToObject(request, "body", body);
    free(body);
    cJSON_AddNumberToObject(request, "at_ms", (double)monotonic_ms());
    cJSON_AddNumberToObject(request, "remote_port", ri->remote_port); /* tells connections apart */

    pthread_mutex_lock(&state_lock);
    cJSON *ns = namespace_for(name);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(ns, "log"), request);
    cJSON *answer = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(ns, "queue"), 0);
    pthread_mutex_unlock(&state_lock);

    if (!answer) {
        reply(conn, 418, NULL,
              "{\"error\":{\"code\":\"script_exhausted\",\"message\":\"no answer scripted\"}}");
        return 1;
    }
    const cJSON *delay = cJSON_GetObjectItemCaseSensitive(answer, "delay_ms");
    if (cJSON_IsNumber(delay) && delay->valueint > 0) usleep((useconds_t)delay->valueint * 1000);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(answer, "status");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(answer, "headers");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(answer, "body");
    reply(conn, cJSON_IsNumber(status) ? status->valueint : 200,
          cJSON_IsString(extra) ? extra->valuestring : NULL,
          cJSON_IsString(text) ? text->valuestring : "");
    cJSON_Delete(answer);
    return 1;
}

static int handle_any(struct mg_connection *conn, void *unused) {
    (void)unused;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *uri = ri->local_uri;
    if (strncmp(uri, "/_script/", 9) == 0) return handle_control(conn, ri, uri + 9);
    if (strncmp(uri, "/ns/", 4) == 0) return handle_scripted(conn, ri, uri + 4);
    reply(conn, 404, NULL, "{\"error\":{\"code\":\"not_found\"}}");
    return 1;
}

int scripted_server_start(void) {
    mg_init_library(0); /* Debian's 1.15 returns 0 even when it succeeds: nothing to check */
    namespaces = cJSON_CreateObject();
    const char *options[] = {
        "listening_ports",    "127.0.0.1:0", "num_threads", "32", "enable_keep_alive", "yes",
        "request_timeout_ms", "10000",       NULL};
    server = mg_start(NULL, NULL, options);
    if (!server) return -1;
    mg_set_request_handler(server, "/", handle_any, NULL);
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(server, 4, ports);
    return n > 0 ? ports[0].port : -1;
}

void scripted_server_stop(void) {
    if (server) mg_stop(server);
    server = NULL;
    mg_exit_library();
    cJSON_Delete(namespaces);
    namespaces = NULL;
}

ReportHook(PRE_ALL)(struct criterion_test_set *tests) {
    (void)tests;
    int port = scripted_server_start();
    if (port < 0) {
        fprintf(stderr, "client_tests: cannot start the scripted server\n");
        exit(2);
    }
    char text[16];
    snprintf(text, sizeof text, "%d", port);
    setenv("CLIENT_TEST_SERVER_PORT", text, 1); /* test processes inherit the environment */
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
    (void)stats;
    scripted_server_stop();
}
