/* What the two ends that call a provider with libcurl share: the mock's proxy mode
 * (alter/upstream.c) and the client's retrieve mode (client/src/provider_call.c) set the
 * method and body, write the caller's headers, and name a failure the same way
 * (agentclient compiles this file too). */
#ifndef PROVIDER_REQUEST_H
#define PROVIDER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct provider_request {
    const char *method, *url;
    const void *body; /* NULL: none (a POST without one sends an empty body) */
    size_t body_len;
    long timeout_ms;
    struct curl_slist *headers;
    curl_write_callback on_body, on_header; /* both get data */
    void *data;
    char *error_buffer; /* CURL_ERROR_SIZE bytes */
};

/* Sets what every provider call sets: the request, http and https only, no redirects (they
 * could carry the credential to another host), no signals, the timeout, the callbacks. */
void provider_request_setup(CURL *curl, const struct provider_request *req);
/* Appends "name: value" (an empty value is sent as such, not dropped).  On failure the list
 * is freed and NULL returned. */
struct curl_slist *provider_request_header(struct curl_slist *list, const char *name,
                                           const char *value);
/* Appends what every provider call carries: no "Expect: 100-continue" round trip, and no form
 * Content-Type libcurl would invent for a body unless the caller gave one. */
struct curl_slist *provider_request_finish_headers(struct curl_slist *list, bool has_content_type);

/* "timeout", "connection_refused", "connection_failed", "dns_failure", "connection_reset" or
 * "protocol_error" (static) for a failed transfer; os_errno from CURLINFO_OS_ERRNO.  The
 * proxy's 502 upstream_error and the client's ALTER_ERR_UPSTREAM carry it as details.reason. */
const char *upstream_failure_reason(CURLcode rc, long os_errno);

#endif
