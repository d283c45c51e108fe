/* The benchmark's yardstick: bare CivetWeb with the mock's thread settings, answering a fixed
 * small JSON body for GET and parsing the JSON body of a POST with cJSON.  scripts/bench runs
 * it beside agentmock and reports the mock's throughput as a ratio of this one. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <cjson/cJSON.h>

static const char fixed[] = "{\"id\":\"agent_0000000000000000\",\"name\":\"baseline\",\"status\":"
                            "\"active\",\"score\":500}";

static void send_json(struct mg_connection *conn, int status, const char *body, size_t len) {
    mg_printf(conn,
              "HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
              status, len);
    mg_write(conn, body, len);
}

static int handle(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (strcmp(ri->request_method, "POST") != 0) {
        send_json(conn, 200, fixed, sizeof fixed - 1);
        return 200;
    }
    char buf[65536];
    int n = 0, got;
    while (n < (int)sizeof buf - 1 && (got = mg_read(conn, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += got;
    buf[n] = '\0';
    cJSON *json = cJSON_Parse(buf);
    int status = json ? 201 : 400;
    cJSON_Delete(json);
    send_json(conn, status, fixed, sizeof fixed - 1);
    return status;
}

int main(int argc, char **argv) {
    const char *listen = argc > 1 ? argv[1] : "127.0.0.1:4011";
    const char *threads = argc > 2 ? argv[2] : "64";
    const char *options[] = {"listening_ports", listen, "num_threads", threads,
                             "enable_keep_alive", "yes", "keep_alive_timeout_ms", "30000", "tcp_nodelay", "1",
                             "listen_backlog", "1024", NULL};
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    mg_init_library(0);
    struct mg_callbacks cb = {0};
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "baseline: cannot listen on %s\n", listen);
        return 1;
    }
    mg_set_request_handler(ctx, "/", handle, NULL);
    printf("baseline listening on http://%s\n", listen);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    mg_stop(ctx);
    return 0;
}
