/* Starting and stopping the HTTP server (CivetWeb) around the router. */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

struct server_config {
    const char *listen;    /* "127.0.0.1:4010"; port 0 picks a free port */
    int threads;           /* CivetWeb worker threads = concurrent keep-alive connections */
    size_t max_body;       /* bytes */
};

struct server;

/* Starts serving; url receives "http://HOST:PORT".  NULL on failure (reason logged). */
struct server *server_start(const struct server_config *cfg, char *url, size_t url_size);
void server_stop(struct server *s);

#endif
