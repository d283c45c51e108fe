/* Raw TCP to the target, for what libcurl will not send: a body cut short, a request line in
 * absolute form, `OPTIONS *`, idle connections that never send a byte. */
#ifndef CONFORMANCE_RAW_SOCKET_H
#define CONFORMANCE_RAW_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

/* A connected socket to the target's host and port (target_base_url()); -1 after failing
 * the test's expectation with the reason. */
int raw_connect(void);
/* Host and port of the target, e.g. "127.0.0.1:4010" (static buffer). */
const char *raw_target_authority(void);
/* Sends all of data; false when the peer is gone. */
bool raw_send(int fd, const char *data, size_t len);

/* One HTTP response read off a raw socket. */
struct raw_reply {
    int status;       /* 0: the connection closed (or timed out) with no status line */
    bool timed_out;   /* nothing complete arrived within the timeout */
    char text[16384]; /* what arrived, head and body, NUL-terminated (cut when longer) */
    size_t len;
    const char *body; /* into text: after the blank line; "" when none */
};
/* Reads one response: until its Content-Length is complete, the peer closes, or timeout_ms
 * passes.  Returns out->status. */
int raw_read_reply(int fd, int timeout_ms, struct raw_reply *out);
/* Reads a response's head only (status line and headers, up to the blank line): the answer
 * to HEAD.  Bytes that came after the blank line stay in out->body. */
int raw_read_head(int fd, int timeout_ms, struct raw_reply *out);
/* The value of a header of r (case-insensitive), trimmed, in a static buffer; NULL if absent. */
const char *raw_header(const struct raw_reply *r, const char *name);

/* Sends request (the whole text) on a new connection and reads the reply. */
int raw_exchange(const char *request, int timeout_ms, struct raw_reply *out);

#endif
