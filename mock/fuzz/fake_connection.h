/* The fuzzers' stand-in for a CivetWeb connection.
 *
 * The mock touches a connection through seven CivetWeb calls (request info, a header, reading
 * the body, writing the reply, sending a chunk, a status text, ending keep-alive).  The request fuzzer is linked
 * with -Wl,--wrap for each of them, so mockcore's calls land here: a request is parsed from
 * the fuzzer's bytes into a fake_connection, the real dispatcher (router_handle) serves it,
 * and what it writes is captured for the harness to check.  No socket, no server thread:
 * millions of requests an hour on one core. */
#ifndef FAKE_CONNECTION_H
#define FAKE_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>

#include <civetweb.h>

struct fake_connection {
    struct mg_request_info ri;
    char method[24];
    char *uri;            /* the path as sent (local_uri: not decoded), owned */
    char *query;          /* after '?', owned; NULL when none */
    char *header_text;    /* the header names and values, owned */
    const char *body;     /* the request's body bytes (borrowed from the input) */
    size_t body_len;      /* bytes that "arrived"; mg_read returns at most these */
    size_t body_read;
    char *out;            /* everything written: head, body, chunks; owned */
    bool keep_alive_disabled; /* the connection ends after this request */
    size_t out_len, out_cap;
};

/* Parses one request, "METHOD /path?query\nName: value\n...\n\nbody" ('\r' before '\n' is
 * ignored), into c.  A Content-Length header is the declared length (the bytes present may be
 * fewer: a body cut short); without one, the body present is declared.  Returns false for
 * what CivetWeb would refuse before any handler runs (no request line, a target that is not
 * a path, a bad Content-Length, too many headers); nothing is left to free then. */
bool fake_connection_parse(struct fake_connection *c, const char *text, size_t len);
void fake_connection_free(struct fake_connection *c);

#endif
