#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

void reply_raw(struct req *r, int status, const char *content_type, char *body, size_t len) {
    free(r->reply.body);
    r->reply.status = status;
    r->reply.content_type = content_type;
    r->reply.body = body;
    r->reply.body_len = len;
}

void reply_json(struct req *r, int status, cJSON *body) {
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text) {
        reply_raw(r, 500, "application/json", NULL, 0);
        return;
    }
    reply_raw(r, status, "application/json", text, strlen(text));
}

void reply_empty(struct req *r, int status) { reply_raw(r, status, NULL, NULL, 0); }

/* details: the Alter envelope's details object (taken; NULL = {}); Alsorn has none. */
static void reply_error_body(struct req *r, int status, const char *code, const char *message,
                             cJSON *fields, cJSON *details) {
    cJSON *root = cJSON_CreateObject();
    if (r->api == API_ALTER) {
        /* {"error": code, "message", "details", "request_id"} */
        cJSON_AddStringToObject(root, "error", code);
        cJSON_AddStringToObject(root, "message", message);
        if (!details) details = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "details", details);
        if (fields) cJSON_AddItemToObject(details, "fields", fields);
        cJSON_AddStringToObject(root, "request_id", r->request_id);
    } else {
        /* {"error": {"code", "message", "request_id", "field_errors"?, "details"?}} */
        cJSON *err = cJSON_AddObjectToObject(root, "error");
        cJSON_AddStringToObject(err, "code", code);
        cJSON_AddStringToObject(err, "message", message);
        cJSON_AddStringToObject(err, "request_id", r->request_id);
        if (fields) cJSON_AddItemToObject(err, "field_errors", fields);
        if (details) cJSON_AddItemToObject(err, "details", details);
    }
    reply_json(r, status, root);
}

static void reply_error_v(struct req *r, int status, const char *code, cJSON *details,
                          const char *fmt, va_list ap) {
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    reply_error_body(r, status, code, message, NULL, details);
}

void reply_error(struct req *r, int status, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(r, status, code, NULL, fmt, ap);
    va_end(ap);
}

void reply_error_details(struct req *r, int status, const char *code, cJSON *details,
                         const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(r, status, code, details, fmt, ap);
    va_end(ap);
}

void reply_validation(struct req *r, struct field_errors *fe) {
    cJSON *fields = fe->list;
    fe->list = NULL;
    int n = cJSON_GetArraySize(fields);
    char message[128];
    snprintf(message, sizeof message, "%d field%s failed validation", n, n == 1 ? "" : "s");
    reply_error_body(r, 422, "validation_error", message, fields, NULL);
}

void reply_not_found(struct req *r) { reply_error(r, 404, "not_found", "No such object"); }

void reply_header(struct req *r, const char *name, const char *fmt, ...) {
    struct reply *rep = &r->reply;
    size_t room = sizeof rep->headers - rep->headers_len;
    int n = snprintf(rep->headers + rep->headers_len, room, "%s: ", name);
    if (n < 0 || (size_t)n >= room) return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(rep->headers + rep->headers_len + n, room - n, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)(n + m + 2) >= room) {
        rep->headers[rep->headers_len] = '\0'; /* drop a header that does not fit whole */
        return;
    }
    memcpy(rep->headers + rep->headers_len + n + m, "\r\n", 3);
    rep->headers_len += n + m + 2;
}

void reply_send(struct req *r) {
    struct reply *rep = &r->reply;
    if (rep->sent) return;
    char head[REPLY_HEADERS_MAX + 512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Length: %zu\r\n"
                     "X-Request-Id: %s\r\n"
                     "%s%s%s"
                     "%s"
                     "%s"
                     "\r\n",
                     rep->status, mg_get_response_code_text(r->conn, rep->status), rep->body_len,
                     r->request_id, rep->content_type ? "Content-Type: " : "",
                     rep->content_type ? rep->content_type : "", rep->content_type ? "\r\n" : "",
                     rep->close ? "Connection: close\r\n" : "", rep->headers);
    if ((size_t)n >= sizeof head) n = (int)sizeof head - 1;
    size_t body_len = strcmp(r->method, "HEAD") != 0 ? rep->body_len : 0;
    /* one write for head and body: one packet for small replies */
    char *whole = body_len ? malloc((size_t)n + body_len) : NULL;
    if (whole) {
        memcpy(whole, head, (size_t)n);
        memcpy(whole + n, rep->body, body_len);
        mg_write(r->conn, whole, (size_t)n + body_len);
        free(whole);
    } else {
        mg_write(r->conn, head, (size_t)n);
        if (body_len) mg_write(r->conn, rep->body, body_len);
    }
    rep->sent = true;
}

const char *req_header(const struct req *r, const char *name) {
    return mg_get_header(r->conn, name);
}

int req_query(const struct req *r, const char *name, char *buf, size_t size) {
    if (!r->query) return 0;
    int n = mg_get_var2(r->query, strlen(r->query), name, buf, size, 0);
    if (n == -1) return 0;
    if (n < 0) return -1;
    return 1;
}

void req_query_int(const struct req *r, struct field_errors *fe, const char *name, long min,
                   long max, long def, long *out) {
    char buf[32];
    *out = def;
    int got = req_query(r, name, buf, sizeof buf);
    if (got == 0) return;
    char *end = NULL;
    long v = got > 0 ? strtol(buf, &end, 10) : 0;
    if (got < 0 || end == buf || *end || v < min || v > max) {
        if (max == 0x7fffffffL) field_error_add(fe, name, "must be an integer >= %ld", min);
        else field_error_add(fe, name, "must be an integer from %ld to %ld", min, max);
        return;
    }
    *out = v;
}

int req_query_enum(const struct req *r, struct field_errors *fe, const char *name,
                   const char *const *choices) {
    char buf[64];
    int got = req_query(r, name, buf, sizeof buf);
    if (got == 0) return -1;
    for (int i = 0; got > 0 && choices[i]; i++)
        if (strcmp(buf, choices[i]) == 0) return i;
    field_error_choices(fe, name, choices);
    return -1;
}
