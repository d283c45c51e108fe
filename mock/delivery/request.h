/* One webhook delivery attempt over HTTP (libcurl): the POST of alsorn.md §6 with
 * Content-Type and the four X-Alsorn-* headers, prepared for the worker's multi handle or
 * sent at once (POST /webhooks/{id}/test).
 *
 * Only http and https, no redirects, no proxy (not even one from the environment), and the
 * URL is checked against the allow-list before each attempt: a URL outside it is not sent
 * (the attempt fails as "blocked_by_sandbox", alsorn.md §6). */
#ifndef DELIVERY_REQUEST_H
#define DELIVERY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "store/webhook.h"

struct delivery_message {
    const char *url;            /* where the request goes: the endpoint's, or a forward target */
    const char *forwarded_from; /* the endpoint's URL when forwarded (forward.h), else NULL */
    const char *secret;
    const char *event; /* X-Alsorn-Event */
    const char *body;  /* the envelope; must outlive the request */
    size_t body_len;
    int64_t timestamp; /* X-Alsorn-Timestamp: virtual Unix seconds */
    long timeout_ms;
};

struct delivery_result {
    bool success;    /* a 2xx within the timeout */
    bool blocked;    /* not sent: the URL is outside the allow-list (error DELIVERY_BLOCKED) */
    int status_code; /* 0: no HTTP answer */
    char error[320]; /* "" on success */
    int64_t duration_ms;
};

/* The error of an attempt the sandbox did not send (alsorn.md §6). */
#define DELIVERY_BLOCKED "blocked_by_sandbox"

struct delivery_request {
    CURL *easy;
    struct curl_slist *headers;
    char delivery_id[WEBHOOK_UUID_LEN]; /* X-Alsorn-Delivery: a new UUID per attempt */
    long timeout_ms;
    char curl_error[CURL_ERROR_SIZE];
};

/* Prepares rq.  Returns 0; or -1 when the attempt fails before any connection (the URL is
 * outside the allow-list: failed->blocked; out of memory), with *failed describing it and
 * nothing to clean up. */
int delivery_request_init(struct delivery_request *rq, const struct delivery_message *m,
                          struct delivery_result *failed);
/* The outcome of rq's finished transfer (rc from curl). */
void delivery_request_result(struct delivery_request *rq, CURLcode rc, struct delivery_result *out);
void delivery_request_cleanup(struct delivery_request *rq);

/* Sends m now and waits for the outcome; delivery_id receives the attempt's UUID. */
void delivery_send_now(const struct delivery_message *m, char delivery_id[WEBHOOK_UUID_LEN],
                       struct delivery_result *out);

/* A random (version 4) UUID. */
void delivery_uuid(char out[WEBHOOK_UUID_LEN]);

#endif
