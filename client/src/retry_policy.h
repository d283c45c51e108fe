/* When to try a request again and how long to wait first.  Pure functions, so the policy can
 * be read (and tested) apart from the HTTP plumbing. */
#ifndef RETRY_POLICY_H
#define RETRY_POLICY_H

#include <stdbool.h>

#include <curl/curl.h>

/* 429 and every 5xx: the same request may succeed later. */
bool retry_http_status_is_transient(long http_status);

/* Failures of the connection itself (refused, reset, timeout, TLS handshake...), as opposed
 * to a bad URL or a local out-of-memory, which a retry cannot fix. */
bool retry_curl_error_is_transient(CURLcode code);

/* "Full jitter" back-off before retry number retry_index (0 for the first retry):
 * unit_random * min(cap, base * 2^retry_index), with unit_random uniform in [0, 1). */
double retry_backoff_seconds(int retry_index, double base_seconds, double cap_seconds,
                             double unit_random);

/* A uniform value in [0, 1) from OpenSSL's generator (0 if it ever fails: no wait is safe). */
double retry_unit_random(void);

#endif
