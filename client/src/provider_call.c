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
#include "upstream_reason.h"

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
    bool has_type = false, ok = true;
    for (size_t i = 0; ok && i < p->header_count + inject_count + 2; i++) {
        char *line = NULL;
        if (i < p->header_count) {
            has_type |= strcasecmp(p->headers[i].name, "Content-Type") == 0;
            ok = p->headers[i].value[0]
                     ? asprintf(&line, "%s: %s", p->headers[i].name, p->headers[i].value) >= 0
                     : asprintf(&line, "%s;", p->headers[i].name) >= 0; /* an empty value */
        } else if (i < p->header_count + inject_count) {
            const alter_header *h = &inject[i - p->header_count];
            ok = asprintf(&line, "%s: %s", h->name, h->value) >= 0;
        } else { /* no Expect round trip; no form type libcurl would invent for a body */
            const char *fixed = i == p->header_count + inject_count ? "Expect:"
                                : has_type                          ? NULL
                                                                    : "Content-Type:";
            if (!fixed) continue;
            ok = (line = strdup(fixed)) != NULL;
        }
        struct curl_slist *grown = ok ? curl_slist_append(list, line) : NULL;
        if (line) memset(line, 0, strlen(line)); /* may hold the credential */
        free(line);
        ok = grown != NULL;
        if (ok) list = grown;
    }
    if (!ok) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

static void set_method(CURL *curl, const alter_request_params *p) {
    if (p->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)p->body);
        if (strcmp(p->method, "POST") != 0) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, p->method);
    } else if (strcmp(p->method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(p->method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    } else if (strcmp(p->method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, p->method);
    }
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
    curl_easy_setopt(curl, CURLOPT_URL, p->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, p->timeout_ms > 0 ? p->timeout_ms : timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    set_method(curl, p);
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
        status = alter_client_error(err, ALTER_ERR_UPSTREAM, "the provider call to %s failed (%s): %s",
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
