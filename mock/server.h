/* Starting and stopping the HTTP server (CivetWeb) around the router. */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>
#include <stdint.h>

struct server_config {
    const char *listen;    /* "127.0.0.1:4010"; port 0 picks a free port */
    int threads;           /* CivetWeb worker threads = concurrent keep-alive connections */
    int keep_alive_timeout_ms; /* an idle keep-alive connection is closed after this */
    int request_timeout_ms;    /* longest wait for a request's head, or for each read or
                                * write of its body and reply */
    size_t max_body;       /* bytes */
    int64_t webhook_retry_base_ms; /* back-off base of webhook retries (0: one minute) */
};

struct server;

/* Starts the webhook dispatcher, then serves; url receives "http://HOST:PORT".  NULL on
 * failure (reason logged). */
struct server *server_start(const struct server_config *cfg, char *url, size_t url_size);
/* Stops serving, then stops and joins the webhook dispatcher (undelivered events dropped). */
void server_stop(struct server *s);

#endif
