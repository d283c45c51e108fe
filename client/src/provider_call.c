#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "provider_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "alter_internal.h"
#include "header_line.h"
#include "provider_request.h"

#define BODY_MAX ((size_t)64 << 20)

struct answer {
    alter_response *r;
    size_t cap;
    bool nomem;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    struct answer *a = userdata;
    alter_response *r = a->r;
    size_t n = size * nmemb, take = n < BODY_MAX - r->body_len ? n : BODY_MAX - r->body_len;
    if (r->body_len + take + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 16384;
        while (cap < r->body_len + take + 1)
            cap *= 2;
        unsigned char *grown = realloc(r->body, cap);
        if (!grown) {
            a->nomem = true;
            return 0;
        }
        r->body = grown;
        a->cap = cap;
    }
    memcpy(r->body + r->body_len, data, take);
    r->body_len += take;
    r->body[r->body_len] = '\0';
    if (take < n) {
        r->body_truncated = true;
        return 0;
    }
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
    struct answer *a = userdata;
    size_t n = size * nmemb;
    char name[256], value[8192];
    if (header_line_is_status(data, n)) { /* a final answer after a 1xx: start over */
        headers_free(a->r->headers, a->r->header_count);
        a->r->headers = NULL;
        a->r->header_count = 0;
    } else if (header_line_split(data, n, name, sizeof name, value, sizeof value) &&
               !headers_append(&a->r->headers, &a->r->header_count, name, value)) {
        a->nomem = true;
        return 0;
    }
    return n;
}

static struct curl_slist *request_headers(const alter_request_params *p, const alter_header *inject,
                                          size_t inject_count) {
    struct curl_slist *list = NULL;
    bool has_type = false;
    for (size_t i = 0; i < p->header_count + inject_count; i++) {
        bool own = i < p->header_count;
        const char *name = own ? p->headers[i].name : inject[i - p->header_count].name;
        const char *value = own ? p->headers[i].value : inject[i - p->header_count].value;
        has_type |= own && strcasecmp(name, "Content-Type") == 0;
        if (!(list = provider_request_header(list, name, value))) return NULL;
    }
    return provider_request_finish_headers(list, has_type);
}

alter_status provider_call(const alter_request_params *p, const alter_header *inject,
                           size_t inject_count, long timeout_ms, alter_response **out,
                           alter_error *err) {
    alter_response *r = calloc(1, sizeof *r);
    struct answer a = {.r = r};
    CURL *curl = r ? curl_easy_init() : NULL;
    struct curl_slist *headers = curl ? request_headers(p, inject, inject_count) : NULL;
    if (!headers) {
        if (curl) curl_easy_cleanup(curl);
        free(r);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    char curl_error[CURL_ERROR_SIZE] = "";
    const struct provider_request req = {
        .method = p->method,
        .url = p->url,
        .body = p->body,
        .body_len = p->body_len,
        .timeout_ms = p->timeout_ms > 0 ? p->timeout_ms : timeout_ms,
        .headers = headers,
        .on_body = on_body,
        .on_header = on_header,
        .data = &a,
        .error_buffer = curl_error,
    };
    provider_request_setup(curl, &req);
    CURLcode rc = curl_easy_perform(curl);
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status_code);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    alter_status status = ALTER_OK;
    if (a.nomem) {
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory reading the answer");
    } else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && r->body_truncated)) {
        const char *reason = upstream_failure_reason(rc, os_errno);
        status =
            alter_client_error(err, ALTER_ERR_UPSTREAM, "the provider call to %s failed (%s): %s",
                               p->url, reason, curl_error[0] ? curl_error : curl_easy_strerror(rc));
        if (err && asprintf(&err->details_json, "{\"reason\":\"%s\"}", reason) < 0)
            err->details_json = NULL;
    } else if (!r->body && !(r->body = calloc(1, 1))) {
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    if (status != ALTER_OK) {
        alter_response_free(r);
        return status;
    }
    *out = r;
    return ALTER_OK;
}
