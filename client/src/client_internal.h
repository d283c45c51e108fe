/* What the pieces of agentclient share and users do not see. */
#ifndef CLIENT_INTERNAL_H
#define CLIENT_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "alsorn.h"

struct alsorn_client {
    CURL *curl; /* one handle for the client's life: libcurl keeps its connection alive */
    char *api_key;
    bool key_in_x_api_key; /* send the key as x-api-key (Alter), not Authorization: Bearer */
    char *base_url; /* without a trailing '/' */
    long timeout_ms;
    int max_retries;
    double backoff_base_seconds;
    double backoff_cap_seconds;
    char curl_error[CURL_ERROR_SIZE]; /* libcurl keeps a pointer to it between calls */

    /* From the last HTTP answer, for the getters. */
    bool has_rate_limit;
    long rate_limit;
    long rate_remaining;
    long long rate_reset;
    char last_request_id[64];
};

/* Fills err (when not NULL) with a client-side failure and returns status. */
alsorn_status client_error(alsorn_error *err, alsorn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Turns a non-2xx answer into the typed error: status from the HTTP code, code, message,
 * request_id and field_errors from the body when it is the contract's error object.
 * header_request_id and retry_after come from the answer's headers. */
alsorn_status client_http_error(alsorn_error *err, long http_status, const char *body,
                                size_t body_len, const char *header_request_id, long retry_after);

#endif
