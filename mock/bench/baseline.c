/* The benchmark's yardstick: bare CivetWeb with the mock's thread settings, answering a fixed
 * small JSON body for GET and parsing the JSON body of a POST with cJSON.  scripts/bench runs
 * it beside agentmock and reports the mock's throughput as a ratio of this one.
 *
 * With ?bytes=N (64 ≤ N ≤ 1 MiB) the fixed body is N bytes instead: a page of 100 transactions
 * is ~64 KB, and moving that through the kernel and wrk costs more than the whole small
 * request, so the bench also compares such a case with a bare server sending as many bytes. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

/* Bodies of N bytes, {"pad":"aaa…"}, made once per size (a few sizes per run). */
#define SIZES     8
#define MAX_BYTES (1 << 20)
static struct {
    _Atomic size_t len; /* 0: free; set last, so a reader sees a whole body */
    char *text;
} sized[SIZES];
static pthread_mutex_t sized_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *body_of(size_t n) {
    for (int i = 0; i < SIZES && atomic_load(&sized[i].len); i++)
        if (atomic_load(&sized[i].len) == n) return sized[i].text;
    const char *found = NULL;
    pthread_mutex_lock(&sized_lock);
    int i = 0;
    while (i < SIZES && atomic_load(&sized[i].len) && atomic_load(&sized[i].len) != n) i++;
    if (i < SIZES && atomic_load(&sized[i].len) == n) {
        found = sized[i].text;
    } else if (i < SIZES && (sized[i].text = malloc(n))) {
        memset(sized[i].text, 'a', n);
        memcpy(sized[i].text, "{\"pad\":\"", 8);
        memcpy(sized[i].text + n - 2, "\"}", 2);
        atomic_store(&sized[i].len, n);
        found = sized[i].text;
    }
    pthread_mutex_unlock(&sized_lock);
    return found;
}

/* The body asked for by ?bytes=N, or the fixed one. */
static void send_body(struct mg_connection *conn, const struct mg_request_info *ri, int status) {
    char n_text[16];
    long n = ri->query_string && mg_get_var(ri->query_string, strlen(ri->query_string), "bytes",
                                            n_text, sizeof n_text) > 0
                 ? strtol(n_text, NULL, 10)
                 : 0;
    const char *body = n >= 64 && n <= MAX_BYTES ? body_of((size_t)n) : NULL;
    if (body)
        send_json(conn, status, body, (size_t)n);
    else
        send_json(conn, status, fixed, sizeof fixed - 1);
}

static int handle(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (strcmp(ri->request_method, "POST") != 0) {
        send_body(conn, ri, 200);
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
    send_body(conn, ri, status);
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
