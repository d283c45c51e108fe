#include "alter/upstream.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "alter/proxy_allow.h"
#include "core/base64.h"
#include "core/header_line.h"
#include "core/provider_request.h"
#include "core/validate.h"

#define HEADER_BYTES_MAX (64 * 1024) /* of response headers kept */

/* Hop-by-hop headers describe the upstream connection, not the answer. */
static const char *const hop_by_hop[] = {
    "Connection", "Keep-Alive",         "Transfer-Encoding", "TE", "Trailer",
    "Upgrade",    "Proxy-Authenticate", "Proxy-Connection",  NULL};

struct transfer {
    const struct proxy_call *call;
    struct upstream_result *out;
    size_t body_cap, header_bytes;
    bool blocked; /* a connection the allow-list refused */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    struct transfer *x = userdata;
    struct upstream_result *out = x->out;
    size_t n = size * nmemb, room = UPSTREAM_BODY_MAX - out->body_len;
    size_t take = n < room ? n : room;
    if (out->body_len + take > x->body_cap) {
        size_t cap = x->body_cap ? x->body_cap : 16384;
        while (cap < out->body_len + take)
            cap *= 2;
        unsigned char *grown = realloc(out->body, cap);
        if (!grown) return 0;
        out->body = grown;
        x->body_cap = cap;
    }
    memcpy(out->body + out->body_len, data, take);
    out->body_len += take;
    if (take < n) {
        out->body_truncated = true;
        return 0; /* stop reading: the rest is not returned */
    }
    return n;
}

static bool hop_by_hop_header(const char *name) {
    for (int i = 0; hop_by_hop[i]; i++)
        if (strcasecmp(hop_by_hop[i], name) == 0) return true;
    return false;
}

/* Adds value under name, joining a repeated header with ", " (RFC 9110 §5.3). */
static void add_header(cJSON *headers, const char *name, const char *value) {
    cJSON *old = cJSON_GetObjectItem(headers, name); /* names ignore case */
    if (!old) {
        cJSON_AddStringToObject(headers, name, value);
        return;
    }
    size_t n = strlen(old->valuestring) + strlen(value) + 3;
    char *joined = malloc(n);
    if (!joined) return;
    snprintf(joined, n, "%s, %s", old->valuestring, value);
    cJSON_ReplaceItemInObject(headers, old->string, cJSON_CreateString(joined));
    free(joined);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
    struct transfer *x = userdata;
    size_t n = size * nmemb;
    if (header_line_is_status(data, n)) { /* a new answer (after a 1xx): start over */
        cJSON_Delete(x->out->headers);
        x->out->headers = cJSON_CreateObject();
        x->header_bytes = 0;
        return n;
    }
    x->header_bytes += n;
    char name[256], value[8192];
    if (x->header_bytes <= HEADER_BYTES_MAX && x->out->headers &&
        header_line_split(data, n, name, sizeof name, value, sizeof value) &&
        !hop_by_hop_header(name) && utf8_valid(value, strlen(value)))
        add_header(x->out->headers, name, value);
    return n;
}

/* Every connection goes through here: the address it is about to reach must be allowed. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
                                 struct curl_sockaddr *address) {
    (void)purpose;
    struct transfer *x = clientp;
    char text[INET6_ADDRSTRLEN] = "";
    const void *raw = address->family == AF_INET
                          ? (const void *)&((const struct sockaddr_in *)&address->addr)->sin_addr
                          : (const void *)&((const struct sockaddr_in6 *)&address->addr)->sin6_addr;
    struct ip_addr addr;
    if ((address->family != AF_INET && address->family != AF_INET6) ||
        !inet_ntop(address->family, raw, text, sizeof text) || !ip_parse(text, &addr) ||
        !proxy_allow_connect(x->call->host, &addr)) {
        x->blocked = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

static struct curl_slist *request_headers(const struct proxy_call *call, const char *credential) {
    struct curl_slist *list = NULL;
    bool has_type = false;
    for (const cJSON *h = call->headers->child; h; h = h->next) {
        has_type |= strcasecmp(h->string, "Content-Type") == 0;
        if (!(list = provider_request_header(list, h->string, h->valuestring))) return NULL;
    }
    struct curl_slist *grown = curl_slist_append(list, credential);
    if (!grown) {
        curl_slist_free_all(list);
        return NULL;
    }
    return provider_request_finish_headers(grown, has_type);
}

static void fail(struct upstream_result *out, const char *error, const char *fmt, const char *a) {
    out->error = error;
    out->status_code = 0;
    snprintf(out->message, sizeof out->message, fmt, a);
}

static void classify_failure(CURL *curl, CURLcode rc, const struct transfer *x,
                             const char *curl_error) {
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    if (x->blocked)
        fail(x->out, "address_not_allowed", "%.200s resolves to an address off the allow-list",
             x->call->host);
    else
        fail(x->out, upstream_failure_reason(rc, os_errno), "%s",
             curl_error[0] ? curl_error : curl_easy_strerror(rc));
}

void upstream_perform(const struct proxy_call *call, const char *credential,
                      struct upstream_result *out) {
    memset(out, 0, sizeof *out);
    struct transfer x = {.call = call, .out = out};
    char curl_error[CURL_ERROR_SIZE] = "";
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl ? request_headers(call, credential) : NULL;
    out->headers = cJSON_CreateObject();
    if (!curl || !headers || !out->headers) {
        fail(out, "protocol_error", "%s", "out of memory preparing the call");
        goto done;
    }
    const struct provider_request req = {
        .method = call->method,
        .url = call->url,
        .body = call->body,
        .body_len = call->body_len,
        .timeout_ms = call->timeout_ms,
        .headers = headers,
        .on_body = on_body,
        .on_header = on_header,
        .data = &x,
        .error_buffer = curl_error,
    };
    provider_request_setup(curl, &req);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*"); /* never an http_proxy from the environment */
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket); /* the allow-list, again */
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &x);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && out->body_truncated)) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status_code);
    } else {
        classify_failure(curl, rc, &x, curl_error);
    }
done:
    curl_slist_free_all(headers);
    if (curl) curl_easy_cleanup(curl);
}

void upstream_result_free(struct upstream_result *result) {
    cJSON_Delete(result->headers);
    free(result->body);
    memset(result, 0, sizeof *result);
}

/* base64 of the first `max` bytes of data (NULL data: JSON null). */
static void add_body(cJSON *o, const char *name, const unsigned char *data, size_t len,
                     size_t max) {
    char *text = data ? base64_encode(data, len < max ? len : max) : NULL;
    if (text)
        cJSON_AddStringToObject(o, name, text);
    else
        cJSON_AddNullToObject(o, name);
    free(text);
}

cJSON *upstream_result_json(const struct upstream_result *result) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "status_code", (double)result->status_code);
    cJSON_AddItemToObject(o, "headers", cJSON_Duplicate(result->headers, true));
    add_body(o, "body_b64", result->body ? result->body : (const unsigned char *)"",
             result->body_len, UPSTREAM_BODY_MAX);
    cJSON_AddBoolToObject(o, "body_truncated", result->body_truncated);
    return o;
}

cJSON *upstream_error_details(const struct proxy_call *call, const struct upstream_result *result) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reason", result->error);
    if (strcmp(result->error, "timeout") == 0)
        cJSON_AddNumberToObject(o, "timeout_ms", (double)call->timeout_ms);
    return o;
}

cJSON *upstream_audit_json(const struct proxy_call *call, const struct upstream_result *result) {
    cJSON *o = cJSON_CreateObject();
    if (result->error) {
        cJSON_AddNullToObject(o, "status_code");
        cJSON_AddStringToObject(o, "error", result->error);
    } else {
        cJSON_AddNumberToObject(o, "status_code", (double)result->status_code);
        cJSON_AddNullToObject(o, "error");
    }
    add_body(o, "request_body_b64", call->body, call->body_len, UPSTREAM_AUDIT_BODY_MAX);
    cJSON_AddBoolToObject(o, "request_body_truncated", call->body_len > UPSTREAM_AUDIT_BODY_MAX);
    add_body(o, "response_body_b64",
             result->error  ? NULL
             : result->body ? result->body
                            : (const unsigned char *)"",
             result->body_len, UPSTREAM_AUDIT_BODY_MAX);
    cJSON_AddBoolToObject(o, "response_body_truncated",
                          result->body_truncated || result->body_len > UPSTREAM_AUDIT_BODY_MAX);
    return o;
}
