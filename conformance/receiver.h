/* A webhook receiver inside the test process: a plain HTTP/1.1 server on 127.0.0.1 (a free
 * port) that records every request it gets, byte for byte, and answers as the test scripts:
 * a status and a delay for all requests from now on, and optionally a list of statuses for
 * the next few.  Keep-alive connections are served, one thread each.
 *
 * Plain sockets rather than CivetWeb: CivetWeb takes 1-2 s to stop, and every webhook test
 * starts and stops its own receiver. */
#ifndef CONFORMANCE_RECEIVER_H
#define CONFORMANCE_RECEIVER_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* One request as received. */
struct received {
    char method[16];
    char path[512];
    char **headers; /* "Name: value", as sent */
    size_t n_headers;
    char *body; /* the raw bytes, NUL-terminated */
    size_t body_len;
    double at_ms; /* CLOCK_MONOTONIC when its last byte arrived */
    int answered; /* the status the receiver answered with */
};

struct receiver;

/* Starts listening (fails the test when it cannot). Default answer: 200 at once. */
struct receiver *receiver_start(void);
/* Stops, closes every connection, frees everything (received pointers die here). */
void receiver_stop(struct receiver *rc);

/* "http://127.0.0.1:PORT" + path (a rotating static buffer, as fmt). */
const char *receiver_url(const struct receiver *rc, const char *path);
/* From now on answer `status` after `delay_ms`. */
void receiver_reply(struct receiver *rc, int status, int delay_ms);
/* The next n requests are answered with statuses[0..n) (after the current delay), then the
 * default again. */
void receiver_script(struct receiver *rc, const int *statuses, size_t n);

/* Requests received so far. */
size_t receiver_count(struct receiver *rc);
/* Waits until at least n requests have arrived or timeout_ms passes; returns the count. */
size_t receiver_wait(struct receiver *rc, size_t n, int timeout_ms);
/* Request i (0 = the first), valid until receiver_stop; fails the test if there is none. */
const struct received *receiver_get(struct receiver *rc, size_t i);

/* Value of a header (case-insensitive name), trimmed; NULL when absent. */
const char *received_header(const struct received *r, const char *name);
/* The body parsed as JSON; fails the test when it is not.  Caller deletes. */
cJSON *received_json(const struct received *r);

#endif
