#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "alsorn/events.h"
#include "core/log.h"
#include "dispatch.h"
#include "unrouted.h"
#include "delivery/dispatcher.h"

struct server {
    struct mg_context *ctx;
};

static int on_log(const struct mg_connection *conn, const char *message) {
    (void)conn;
    log_warn("civetweb: %s", message);
    return 1;
}

/* Every key check is the router's (per API, in the route table).  Without an authorization
 * handler CivetWeb looks for a ".htpasswd" on disk before each request: a stat per request. */
static int authorize_in_router(struct mg_connection *conn, void *cbdata) {
    (void)conn;
    (void)cbdata;
    return 1;
}

/* The webhook dispatcher, and the event bus feeding it: events reach it only while it runs. */
static int webhooks_start(int64_t retry_base_ms) {
    struct delivery_config delivery = {.retry_base_ms = retry_base_ms};
    if (delivery_start(&delivery) != 0) return -1;
    events_set_sink(delivery_sink, delivery_wanted, NULL);
    return 0;
}

static void webhooks_stop(void) {
    events_set_sink(NULL, NULL, NULL);
    delivery_stop();
}

struct server *server_start(const struct server_config *cfg, char *url, size_t url_size) {
    char threads[16], queue[16], keep_alive[16], request_timeout[16];
    snprintf(threads, sizeof threads, "%d", cfg->threads);
    snprintf(keep_alive, sizeof keep_alive, "%d", cfg->keep_alive_timeout_ms);
    snprintf(request_timeout, sizeof request_timeout, "%d", cfg->request_timeout_ms);
    /* connections past the workers wait in this queue instead of being refused */
    snprintf(queue, sizeof queue, "%d", cfg->threads * 4);
    const char *options[] = {
        "listening_ports", cfg->listen,
        "num_threads", threads,
        "connection_queue", queue,
        "listen_backlog", "1024",
        "enable_keep_alive", "yes",
        /* without it a response written in two parts waits ~40 ms for the client's delayed
         * ACK (Nagle), capping a keep-alive connection at ~25 requests a second */
        "tcp_nodelay", "1",
        "keep_alive_timeout_ms", keep_alive,
        "request_timeout_ms", request_timeout,
        "enable_auth_domain_check", "no",
        /* the dispatcher decodes the path (request_path): CivetWeb's decoding in place would
         * let an encoded NUL cut it short */
        "decode_url", "no",
        /* CORS is the router's (core/cors.c): CivetWeb would answer preflights itself */
        "access_control_allow_methods", "",
        "access_control_allow_origin", "",
        NULL,
    };
    router_max_body = cfg->max_body;
    router_init();
    /* before the first request: a request can cause an event, and events go to the dispatcher */
    if (webhooks_start(cfg->webhook_retry_base_ms) != 0) return NULL;
    mg_init_library(0); /* returns 0 even on success in 1.15: nothing to check */
    struct mg_callbacks callbacks = {.log_message = on_log,
                                     .connection_close = unrouted_connection_close,
                                     .http_error = unrouted_http_error};
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) {
        log_error("cannot listen on %s (in use, or a bad address?)", cfg->listen);
        mg_exit_library();
        webhooks_stop();
        return NULL;
    }
    mg_set_request_handler(ctx, "/", router_handle, NULL);
    mg_set_auth_handler(ctx, "/", authorize_in_router, NULL);
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(ctx, 4, ports);
    const char *host = cfg->listen;
    const char *colon = strrchr(host, ':');
    int host_len = colon ? (int)(colon - host) : 0;
    snprintf(url, url_size, "http://%.*s:%d", host_len ? host_len : 9,
             host_len ? host : "127.0.0.1", n > 0 ? ports[0].port : 0);
    struct server *s = malloc(sizeof *s);
    if (!s) {
        mg_stop(ctx);
        mg_exit_library();
        webhooks_stop();
        return NULL;
    }
    s->ctx = ctx;
    return s;
}

void server_stop(struct server *s) {
    if (!s) return;
    mg_stop(s->ctx); /* joins the request threads: no event is emitted after this */
    mg_exit_library();
    webhooks_stop();
    free(s);
}
