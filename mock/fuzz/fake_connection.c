#include "fake_connection.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The real CivetWeb symbols, for what needs no connection. */
const char *__real_mg_get_response_code_text(const struct mg_connection *conn, int code);

static struct fake_connection *of(const struct mg_connection *conn) {
    return (struct fake_connection *)conn;
}

const struct mg_request_info *__wrap_mg_get_request_info(const struct mg_connection *conn) {
    return &of(conn)->ri;
}

const char *__wrap_mg_get_header(const struct mg_connection *conn, const char *name) {
    const struct mg_request_info *ri = &of(conn)->ri;
    for (int i = 0; i < ri->num_headers; i++)
        if (strcasecmp(ri->http_headers[i].name, name) == 0) return ri->http_headers[i].value;
    return NULL;
}

int __wrap_mg_read(struct mg_connection *conn, void *buf, size_t len) {
    struct fake_connection *c = of(conn);
    size_t n = c->body_len - c->body_read;
    if (n > len) n = len;
    memcpy(buf, c->body + c->body_read, n);
    c->body_read += n;
    return (int)n;
}

static void out_append(struct fake_connection *c, const void *data, size_t len) {
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len) cap *= 2;
        char *p = realloc(c->out, cap + 1);
        if (!p) abort();
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    c->out[c->out_len] = '\0';
}

int __wrap_mg_write(struct mg_connection *conn, const void *data, size_t len) {
    out_append(of(conn), data, len);
    return (int)len;
}

int __wrap_mg_send_chunk(struct mg_connection *conn, const char *chunk, unsigned len) {
    out_append(of(conn), chunk, len);
    return (int)len + 1;
}

void __wrap_mg_disable_connection_keep_alive(struct mg_connection *conn) {
    of(conn)->keep_alive_disabled = true;
}

/* CivetWeb's text table; its own function would log an unknown code through conn. */
const char *__wrap_mg_get_response_code_text(const struct mg_connection *conn, int code) {
    (void)conn;
    return __real_mg_get_response_code_text(NULL, code);
}

/* CivetWeb's method check (is_valid_http_method) answers anything else itself. */
static bool known_method(const char *m) {
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS",
                                          "PATCH", "CONNECT", "TRACE", NULL};
    for (int i = 0; methods[i]; i++)
        if (strcmp(m, methods[i]) == 0) return true;
    return false;
}

static const char *line_end(const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static char *dup_range(const char *p, size_t n) {
    char *s = malloc(n + 1);
    if (!s) abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

bool fake_connection_parse(struct fake_connection *c, const char *text, size_t len) {
    memset(c, 0, sizeof *c);
    const char *end = text + len, *p = text;
    const char *eol = line_end(p, end);
    size_t line_len = (size_t)(eol - p);
    if (line_len && p[line_len - 1] == '\r') line_len--;
    /* request line: METHOD SP TARGET [SP HTTP/1.x] */
    const char *sp = memchr(p, ' ', line_len);
    if (!sp || sp == p || (size_t)(sp - p) >= sizeof c->method) return false;
    memcpy(c->method, p, (size_t)(sp - p));
    if (!known_method(c->method)) return false;
    const char *target = sp + 1;
    size_t target_len = line_len - (size_t)(target - p);
    const char *sp2 = memchr(target, ' ', target_len);
    if (sp2) target_len = (size_t)(sp2 - target);
    if (!target_len || target[0] != '/' || memchr(target, 0, target_len)) return false;
    const char *q = memchr(target, '?', target_len);
    size_t path_len = q ? (size_t)(q - target) : target_len;
    c->uri = dup_range(target, path_len); /* as sent: the server runs with decode_url=no */
    if (q) c->query = dup_range(q + 1, target_len - path_len - 1);

    /* headers, up to the empty line: each "Name: value" kept NUL-terminated in header_text */
    p = eol < end ? eol + 1 : end;
    const char *headers = p;
    while (p < end) {
        eol = line_end(p, end);
        size_t n = (size_t)(eol - p);
        if (n && p[n - 1] == '\r') n--;
        p = eol < end ? eol + 1 : end;
        if (n == 0) break;
    }
    c->header_text = dup_range(headers, (size_t)(p - headers));
    c->body = p;
    size_t present = (size_t)(end - p);
    long long declared = -1;
    bool chunked = false, seen_length = false, seen_coding = false;
    for (char *h = c->header_text; *h;) {
        char *nl = strchr(h, '\n');
        char *next = nl ? nl + 1 : h + strlen(h);
        if (nl) *nl = '\0';
        if (nl && nl > h && nl[-1] == '\r') nl[-1] = '\0';
        char *colon = strchr(h, ':');
        if (*h && colon && colon > h) {
            if (c->ri.num_headers == MG_MAX_HEADERS) goto refused;
            *colon = '\0';
            char *value = colon + 1;
            while (*value == ' ' || *value == '\t') value++;
            c->ri.http_headers[c->ri.num_headers].name = h;
            c->ri.http_headers[c->ri.num_headers++].value = value;
            /* as CivetWeb 1.15 reads them: the first Content-Length as far as its digits go
             * (411 without any), the first Transfer-Encoding (identity ignored, anything but
             * chunked 400); the dispatcher refuses what this reading lets through */
            if (strcasecmp(h, "Content-Length") == 0 && !seen_length) {
                char *e;
                declared = strtoll(value, &e, 10);
                if (e == value || declared < 0) goto refused;
                seen_length = true;
            } else if (strcasecmp(h, "Transfer-Encoding") == 0 && !seen_coding) {
                seen_coding = true;
                if (strcasecmp(value, "chunked") == 0) chunked = true;
                else if (strcasecmp(value, "identity") != 0) goto refused;
            }
        }
        h = next;
    }
    if (chunked) declared = -1; /* CivetWeb: a chunked body has no length */
    else if (declared < 0) declared = (long long)present;
    c->body_len = declared >= 0 && (size_t)declared < present ? (size_t)declared : present;
    c->ri.request_method = c->method;
    c->ri.request_uri = c->uri;
    c->ri.local_uri = c->uri;
    c->ri.local_uri_raw = c->uri;
    c->ri.http_version = "1.1";
    c->ri.query_string = c->query;
    c->ri.content_length = declared;
    strcpy(c->ri.remote_addr, "127.0.0.1");
    c->ri.remote_port = 40000;
    c->ri.server_port = 4010;
    return true;
refused:
    fake_connection_free(c);
    return false;
}

void fake_connection_free(struct fake_connection *c) {
    free(c->uri);
    free(c->query);
    free(c->header_text);
    free(c->out);
    memset(c, 0, sizeof *c);
}
