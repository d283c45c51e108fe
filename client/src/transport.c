#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "retry_policy.h"
#include "json_parse.h"

#define USER_AGENT "agentclient-c/0.1"
/* An API answer is a page of at most 100 objects; anything this big is not one. */
#define MAX_RESPONSE_BYTES ((size_t)64 << 20)

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    bool too_large;
    /* A 2xx body goes to sink, when there is one, instead of data. */
    FILE *sink;
    CURL *curl;
    bool streamed;    /* bytes went to the sink: the call cannot be retried */
    bool sink_failed; /* writing to the sink failed */
} response_buffer;

static size_t collect_body(char *chunk, size_t size, size_t nmemb, void *userdata) {
    response_buffer *buf = userdata;
    size_t n = size * nmemb;
    long http_status = 0;
    if (buf->sink) curl_easy_getinfo(buf->curl, CURLINFO_RESPONSE_CODE, &http_status);
    if (http_status >= 200 && http_status <= 299) {
        if (fwrite(chunk, 1, n, buf->sink) != n) {
            buf->sink_failed = true;
            return 0;
        }
        buf->streamed = true;
        return n;
    }
    if (n > MAX_RESPONSE_BYTES - buf->len) {
        buf->too_large = true;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 4096;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *grown = realloc(buf->data, cap);
        if (!grown) return 0;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, chunk, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* base_url + path (each "{name}" replaced by the next path parameter, percent-encoded) +
 * query.  libcurl's URL API does the encoding of the query so that a search for "a&b" stays
 * one parameter. */
static alsorn_status build_url(alsorn_client *client, const transport_request *req, char **out,
                               alsorn_error *err) {
    const query_param *query = req->query;
    size_t query_count = req->query_count;
    char *path = NULL;
    size_t path_len = 0;
    FILE *path_out = open_memstream(&path, &path_len);
    if (!path_out) return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    size_t used = 0;
    alsorn_status status = ALSORN_OK;
    for (const char *p = req->path_template; *p && status == ALSORN_OK;) {
        const char *hole = strchr(p, '{'), *close = hole ? strchr(hole, '}') : NULL;
        if (!hole || !close) {
            fputs(p, path_out);
            break;
        }
        fwrite(p, 1, (size_t)(hole - p), path_out);
        const char *value = used < req->path_param_count ? req->path_params[used++] : NULL;
        if (!value || !*value) {
            status = client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "empty id");
            break;
        }
        char *escaped = curl_easy_escape(client->curl, value, 0);
        if (!escaped) status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
        else fputs(escaped, path_out);
        curl_free(escaped);
        p = close + 1;
    }
    if (fclose(path_out) != 0 && status == ALSORN_OK)
        status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    char *url = NULL;
    if (status == ALSORN_OK && asprintf(&url, "%s%s", client->base_url, path) < 0)
        status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    free(path);
    if (status != ALSORN_OK) return status;

    CURLU *parsed = curl_url();
    if (!parsed) {
        free(url);
        return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    }
    CURLUcode rc = curl_url_set(parsed, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        status = client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "bad URL %s: %s", url,
                              curl_url_strerror(rc));
    }
    for (size_t i = 0; status == ALSORN_OK && i < query_count; i++) {
        if (!query[i].value) continue;
        char *pair = NULL;
        if (asprintf(&pair, "%s=%s", query[i].name, query[i].value) < 0) {
            status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
            break;
        }
        /* URLENCODE leaves the first '=' alone and encodes the rest of the pair */
        rc = curl_url_set(parsed, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE);
        free(pair);
        if (rc != CURLUE_OK) {
            status = client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "bad query parameter %s: %s",
                                  query[i].name, curl_url_strerror(rc));
        }
    }
    char *full = NULL;
    if (status == ALSORN_OK && curl_url_get(parsed, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        status = client_error(err, ALSORN_ERR_NOMEM, "cannot assemble URL %s", url);
    }
    curl_url_cleanup(parsed);
    free(url);
    if (status != ALSORN_OK) return status;
    *out = strdup(full);
    curl_free(full);
    return *out ? ALSORN_OK : client_error(err, ALSORN_ERR_NOMEM, "out of memory");
}

/* 32 hex digits of cryptographic randomness: unique enough that two different logical
 * calls never share a key, which is what makes replaying a retried POST safe. */
static bool new_idempotency_key(char out[33]) {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) return false;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return true;
}

static struct curl_slist *append_header(struct curl_slist *list, bool *failed, const char *fmt,
                                        const char *value) {
    if (*failed) return list;
    char *line = NULL;
    if (asprintf(&line, fmt, value) < 0) {
        *failed = true;
        return list;
    }
    struct curl_slist *grown = curl_slist_append(list, line);
    free(line);
    if (!grown) *failed = true;
    return grown ? grown : list;
}

static struct curl_slist *build_headers(const alsorn_client *client, bool has_body,
                                        const char *idempotency_key, const char *const *extra) {
    bool failed = false;
    struct curl_slist *list = NULL;
    list = append_header(list, &failed,
                         client->key_in_x_api_key ? "x-api-key: %s" : "Authorization: Bearer %s",
                         client->api_key);
    list = append_header(list, &failed, "Accept: %s", "application/json");
    /* Without a body, say nothing about its type: libcurl would otherwise announce a form for
     * a bodiless POST, which a strict server answers with 415. */
    list = append_header(list, &failed, "%s",
                         has_body ? "Content-Type: application/json" : "Content-Type:");
    /* No "Expect: 100-continue" round trip for large bodies. */
    list = append_header(list, &failed, "%s", "Expect:");
    if (idempotency_key)
        list = append_header(list, &failed, "Idempotency-Key: %s", idempotency_key);
    for (const char *const *h = extra; h && *h; h++)
        list = append_header(list, &failed, "%s", *h);
    if (failed) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

static const char *response_header(CURL *curl, const char *name) {
    struct curl_header *h = NULL;
    if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK) return NULL;
    return h->value;
}

static void remember_response_headers(alsorn_client *client) {
    const char *request_id = response_header(client->curl, "X-Request-Id");
    snprintf(client->last_request_id, sizeof client->last_request_id, "%s",
             request_id ? request_id : "");
    const char *limit = response_header(client->curl, "X-RateLimit-Limit");
    const char *remaining = response_header(client->curl, "X-RateLimit-Remaining");
    const char *reset = response_header(client->curl, "X-RateLimit-Reset");
    client->has_rate_limit = limit && remaining && reset;
    client->rate_limit = limit ? strtol(limit, NULL, 10) : 0;
    client->rate_remaining = remaining ? strtol(remaining, NULL, 10) : 0;
    client->rate_reset = reset ? strtoll(reset, NULL, 10) : 0;
}

static void forget_response_headers(alsorn_client *client) {
    client->last_request_id[0] = '\0';
    client->has_rate_limit = false;
    client->rate_limit = client->rate_remaining = 0;
    client->rate_reset = 0;
}

static void sleep_seconds(double seconds) {
    if (seconds <= 0) return;
    struct timespec left = {.tv_sec = (time_t)seconds,
                            .tv_nsec = (long)((seconds - (time_t)seconds) * 1e9)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

static void configure_request(alsorn_client *client, const char *method, const char *url,
                              const char *body_text, struct curl_slist *headers,
                              response_buffer *buf, char *curl_error) {
    CURL *curl = client->curl;
    /* Reset drops the previous call's options but keeps the live connection. */
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, client->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM games in threaded programs */
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, buf);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (body_text || strcmp(method, "POST") == 0) {
        const char *payload = body_text ? body_text : "";
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
    }
    if (strcmp(method, "POST") != 0) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
}

static alsorn_status curl_failure(alsorn_error *err, CURLcode rc, const response_buffer *buf,
                                  const char *curl_error) {
    const char *detail = curl_error[0] ? curl_error : curl_easy_strerror(rc);
    if (buf->sink_failed)
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "writing to the output failed");
    if (buf->too_large) {
        return client_error(err, ALSORN_ERR_DECODE, "response larger than %zu bytes",
                            MAX_RESPONSE_BYTES);
    }
    switch (rc) {
    case CURLE_OUT_OF_MEMORY:
    case CURLE_WRITE_ERROR:
        return client_error(err, ALSORN_ERR_NOMEM, "%s", detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "%s", detail);
    default:
        return client_error(err, ALSORN_ERR_CONNECTION, "%s", detail);
    }
}

alsorn_status transport_send(alsorn_client *client, const transport_request *req,
                             transport_response *out, alsorn_error *err) {
    memset(out, 0, sizeof *out);
    if (!client || !req) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client");

    char *url = NULL;
    alsorn_status status = build_url(client, req, &url, err);
    if (status != ALSORN_OK) return status;

    char generated_key[33];
    const char *idempotency_key = NULL;
    if (strcmp(req->method, "POST") == 0) {
        idempotency_key = req->idempotency_key;
        if (!idempotency_key && !new_idempotency_key(generated_key)) {
            free(url);
            return client_error(err, ALSORN_ERR_NOMEM, "no random bytes for an Idempotency-Key");
        }
        if (!idempotency_key) idempotency_key = generated_key;
    }
    char *body_text = req->body ? cJSON_PrintUnformatted(req->body) : NULL;
    struct curl_slist *headers =
        build_headers(client, body_text != NULL, idempotency_key, req->headers);
    if ((req->body && !body_text) || !headers) {
        free(url);
        free(body_text);
        curl_slist_free_all(headers);
        return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    }

    response_buffer buf = {.sink = req->sink, .curl = client->curl};
    char *curl_error = client->curl_error;
    configure_request(client, req->method, url, body_text, headers, &buf, curl_error);

    /* Every attempt sends the same URL, body and Idempotency-Key. */
    for (int attempt = 0;; attempt++) {
        bool may_retry = !req->send_once && attempt < client->max_retries;
        double backoff = retry_backoff_seconds(attempt, client->backoff_base_seconds,
                                               client->backoff_cap_seconds, retry_unit_random());
        buf.len = 0;
        buf.too_large = false;
        curl_error[0] = '\0';

        CURLcode rc = curl_easy_perform(client->curl);
        if (rc != CURLE_OK) {
            forget_response_headers(client);
            /* a body half written to the sink cannot be taken back: no retry then */
            if (may_retry && !buf.too_large && !buf.streamed && !buf.sink_failed &&
                retry_curl_error_is_transient(rc)) {
                sleep_seconds(backoff);
                continue;
            }
            status = curl_failure(err, rc, &buf, curl_error);
            break;
        }

        long http_status = 0;
        curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &http_status);
        remember_response_headers(client);
        curl_off_t retry_after = 0; /* libcurl reads both the seconds and the date form */
        curl_easy_getinfo(client->curl, CURLINFO_RETRY_AFTER, &retry_after);

        if (may_retry && retry_http_status_is_transient(http_status) &&
            retry_after <= ALSORN_MAX_RETRY_AFTER_WAIT_SECONDS) {
            sleep_seconds(backoff > (double)retry_after ? backoff : (double)retry_after);
            continue;
        }
        out->http_status = http_status;
        out->retry_after = (long)retry_after;
        out->streamed = buf.streamed;
        out->body_len = buf.len;
        out->body = buf.data ? buf.data : strdup("");
        buf.data = NULL;
        if (!out->body) status = client_error(err, ALSORN_ERR_NOMEM, "out of memory");
        break;
    }

    curl_slist_free_all(headers);
    free(body_text);
    free(buf.data);
    free(url);
    return status;
}

void transport_response_free(transport_response *resp) {
    if (!resp) return;
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

const char *transport_last_header(alsorn_client *client, const char *name) {
    return client ? response_header(client->curl, name) : NULL;
}

/* The answer is final: turn it into JSON or into the typed error. */
static alsorn_status finish(alsorn_client *client, const transport_response *resp,
                            cJSON **response, alsorn_error *err) {
    long http_status = resp->http_status;
    if (http_status < 200 || http_status > 299) {
        return client_http_error(err, http_status, resp->body, resp->body_len,
                                 client->last_request_id, resp->retry_after);
    }
    if (!response || resp->streamed) return ALSORN_OK;
    if (resp->body_len == 0) {
        *response = NULL;
        return ALSORN_OK;
    }
    cJSON *json = json_parse_guarded(resp->body, resp->body_len, JSON_REPLY_MAX_DEPTH, NULL);
    if (!json) {
        alsorn_status status =
            client_error(err, ALSORN_ERR_DECODE, "HTTP %ld answer is not valid JSON", http_status);
        if (err) {
            err->http_status = http_status;
            snprintf(err->request_id, sizeof err->request_id, "%s", client->last_request_id);
        }
        return status;
    }
    *response = json;
    return ALSORN_OK;
}

static alsorn_status call(alsorn_client *client, alsorn_route_id route_id, const char *id,
                          const query_param *query, size_t query_count, const cJSON *body,
                          FILE *sink, cJSON **response, alsorn_error *err) {
    if (response) *response = NULL;
    const alsorn_route *route = alsorn_route_get(route_id);
    if (!client || !route) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no client");
    const char *const params[] = {id};
    const transport_request req = {.method = route->method,
                                   .path_template = route->path_template,
                                   .path_params = params,
                                   .path_param_count = id ? 1 : 0,
                                   .query = query,
                                   .query_count = query_count,
                                   .body = body,
                                   .sink = sink};
    transport_response resp;
    alsorn_status status = transport_send(client, &req, &resp, err);
    if (status == ALSORN_OK) status = finish(client, &resp, response, err);
    transport_response_free(&resp);
    return status;
}

alsorn_status transport_call(alsorn_client *client, alsorn_route_id route, const char *id,
                             const query_param *query, size_t query_count, const cJSON *body,
                             cJSON **response, alsorn_error *err) {
    return call(client, route, id, query, query_count, body, NULL, response, err);
}

alsorn_status transport_call_to_file(alsorn_client *client, alsorn_route_id route,
                                     const query_param *query, size_t query_count, FILE *out,
                                     alsorn_error *err) {
    if (!out) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no output FILE");
    return call(client, route, NULL, query, query_count, NULL, out, NULL, err);
}
