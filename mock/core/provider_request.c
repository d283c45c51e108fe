#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "provider_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_method(CURL *curl, const char *method, const void *body, size_t len) {
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body);
        if (strcmp(method, "POST") != 0) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
}

void provider_request_setup(CURL *curl, const struct provider_request *req) {
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, req->on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, req->data);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, req->on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, req->data);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, req->error_buffer);
    set_method(curl, req->method, req->body, req->body_len);
}

static struct curl_slist *append(struct curl_slist *list, char *line) {
    struct curl_slist *grown = line ? curl_slist_append(list, line) : NULL;
    if (line) memset(line, 0, strlen(line)); /* it may hold a credential */
    free(line);
    if (!grown) curl_slist_free_all(list);
    return grown;
}

struct curl_slist *provider_request_header(struct curl_slist *list, const char *name,
                                           const char *value) {
    char *line = NULL;
    /* "Name:" would tell libcurl to drop the header; "Name;" sends it empty */
    int n = value[0] ? asprintf(&line, "%s: %s", name, value) : asprintf(&line, "%s;", name);
    return append(list, n < 0 ? NULL : line);
}

struct curl_slist *provider_request_finish_headers(struct curl_slist *list, bool has_content_type) {
    list = append(list, strdup("Expect:"));
    if (list && !has_content_type) list = append(list, strdup("Content-Type:"));
    return list;
}

const char *upstream_failure_reason(CURLcode rc, long os_errno) {
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_COULDNT_CONNECT:
        return os_errno == ECONNREFUSED ? "connection_refused" : "connection_failed";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "dns_failure";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return "connection_reset";
    default:
        return "protocol_error";
    }
}
