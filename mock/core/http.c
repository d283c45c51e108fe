#include "http.h"
#include "cors.h"
#include "clock.h"
#include "json_build.h"
#include "json_alloc.h"
#include "validate.h"

#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <civetweb.h>

void reply_body_free(struct reply *rep) {
    if (!rep->body_borrowed) free(rep->body);
    /* what built a reply this large (its cJSON tree) was freed into the thread's malloc arena,
     * which glibc keeps unless asked: beside printing it, the walk over the arenas costs little */
    if (!rep->body_borrowed && rep->body_len > REPLY_BUFFER_KEEP) malloc_trim(0);
    rep->body = NULL;
    rep->body_len = 0;
    rep->body_borrowed = false;
}

void reply_raw(struct req *r, int status, const char *content_type, char *body, size_t len) {
    reply_body_free(&r->reply);
    r->reply.status = status;
    r->reply.content_type = content_type;
    r->reply.body = body;
    r->reply.body_len = len;
}

/* JSON replies are printed into one buffer per worker thread, kept from request to request.
 * Printing a 60 KB page into fresh memory grew it by realloc, and each large allocation made
 * glibc consolidate the thousands of small chunks the page's cJSON tree had just freed: that
 * was a fifth of GET /transactions?limit=100.  The buffer grows to REPLY_BUFFER_KEEP at most
 * and is freed when its thread ends; a larger reply is printed into memory of its own, freed
 * with the reply (kept by their threads, one 50 MB journal page on each of 16 connections
 * held 2.4 GB after they were answered). */
struct print_buffer {
    char *text;
    size_t size;
};
static pthread_key_t print_buffer_key;
static pthread_once_t print_buffer_once = PTHREAD_ONCE_INIT;

static void print_buffer_free(void *p) {
    struct print_buffer *b = p;
    free(b->text);
    free(b);
}

static void print_buffer_key_create(void) {
    pthread_key_create(&print_buffer_key, print_buffer_free);
}

/* this thread's buffer; NULL before its first reply_json */
static struct print_buffer *thread_print_buffer(void) {
    pthread_once(&print_buffer_once, print_buffer_key_create);
    return pthread_getspecific(print_buffer_key);
}

/* body printed into this thread's buffer (grown until it fits, up to REPLY_BUFFER_KEEP), or
 * else into memory of its own (*owned); NULL when out of memory */
static char *print_reply(const cJSON *body, size_t *len, bool *owned) {
    struct print_buffer *b = thread_print_buffer();
    if (!b) {
        if (!(b = calloc(1, sizeof *b))) return NULL;
        pthread_setspecific(print_buffer_key, b);
    }
    *owned = false;
    for (;;) {
        if (b->text && cJSON_PrintPreallocated((cJSON *)body, b->text, (int)b->size, 0)) {
            *len = strlen(b->text);
            return b->text;
        }
        size_t size = b->size ? 2 * b->size : 16384;
        if (size > REPLY_BUFFER_KEEP) break;
        char *text = malloc(size); /* not realloc: the old text need not be copied */
        if (!text) return NULL;
        free(b->text);
        b->text = text;
        b->size = size;
    }
    char *text = cJSON_PrintUnformatted(body);
    if (!text) return NULL;
    *owned = true;
    *len = strlen(text);
    return text;
}

size_t reply_buffer_size(void) {
    struct print_buffer *b = thread_print_buffer();
    return b ? b->size : 0;
}

void reply_json(struct req *r, int status, cJSON *body) {
    size_t len = 0;
    bool owned;
    char *text = print_reply(body, &len, &owned);
    if (!json_scratch_owns(body)) cJSON_Delete(body);
    if (!text) {
        reply_raw(r, 500, "application/json", NULL, 0);
        return;
    }
    reply_raw(r, status, "application/json", text, len);
    r->reply.body_borrowed = !owned;
}

void reply_empty(struct req *r, int status) { reply_raw(r, status, NULL, NULL, 0); }

/* details: the Alter envelope's details object (taken; NULL = {}); Alsorn has none. */
/* extra: members added to Alsorn's error object (e.g. transaction_id); details: Alter's
 * details object, or an Alsorn "details" member.  Both consumed; either may be NULL. */
static void reply_error_body(struct req *r, int status, const char *code, const char *message,
                             cJSON *fields, cJSON *extra, cJSON *details) {
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
        /* {"error": {"code", "message", "request_id", "field_errors"?, "details"?, ...extra}} */
        cJSON *err = cJSON_AddObjectToObject(root, "error");
        cJSON_AddStringToObject(err, "code", code);
        cJSON_AddStringToObject(err, "message", message);
        cJSON_AddStringToObject(err, "request_id", r->request_id);
        if (fields) cJSON_AddItemToObject(err, "field_errors", fields);
        if (details) cJSON_AddItemToObject(err, "details", details);
        for (cJSON *member = extra ? extra->child : NULL; member;) {
            cJSON *next = member->next;
            cJSON_AddItemToObject(err, member->string, cJSON_DetachItemViaPointer(extra, member));
            member = next;
        }
    }
    cJSON_Delete(extra);
    reply_json(r, status, root);
}

/* A message may quote input (a path, an id) that is not UTF-8, and vsnprintf may cut a
 * character in two: cJSON prints the bytes as they are, so the text is made valid UTF-8
 * before it goes into the body. */
static void vreply_error(struct req *r, int status, const char *code, cJSON *extra,
                         cJSON *details, const char *fmt, va_list ap) {
    char raw[512], message[512];
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
    utf8_copy_lossy(message, sizeof message, raw, len);
    reply_error_body(r, status, code, message, NULL, extra, details);
}

void reply_error(struct req *r, int status, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreply_error(r, status, code, NULL, NULL, fmt, ap);
    va_end(ap);
}

void reply_error_extra(struct req *r, int status, const char *code, cJSON *extra,
                       const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreply_error(r, status, code, extra, NULL, fmt, ap);
    va_end(ap);
}

void reply_error_details(struct req *r, int status, const char *code, cJSON *details,
                         const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreply_error(r, status, code, NULL, details, fmt, ap);
    va_end(ap);
}

void reply_validation(struct req *r, struct field_errors *fe) {
    cJSON *fields = fe->list;
    fe->list = NULL;
    int n = cJSON_GetArraySize(fields);
    char message[128];
    snprintf(message, sizeof message, "%d field%s failed validation", n, n == 1 ? "" : "s");
    reply_error_body(r, 422, "validation_error", message, fields, NULL, NULL);
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

void reply_reset(struct req *r) {
    reply_body_free(&r->reply);
    r->reply.status = 0;
    r->reply.content_type = NULL;
    r->reply.headers[0] = '\0';
    r->reply.headers_len = 0;
}

/* head + text, kept NUL-terminated and never past size (a head that does not fit is cut) */
struct head {
    char *p;
    size_t n, size;
};

static void put(struct head *h, const char *text) {
    size_t len = strlen(text);
    if (h->n + len >= h->size) len = h->size - 1 - h->n;
    memcpy(h->p + h->n, text, len);
    h->n += len;
    h->p[h->n] = '\0';
}

static void put_number(struct head *h, long long v) {
    char text[32];
    decimal_format(v, 0, text);
    put(h, text);
}

/* The status line and headers (with the rate-limit headers in r->sandbox); length < 0 means
 * a chunked body.  Returns the bytes written.  Written piece by piece: one snprintf of it all
 * cost more than the rest of a GET's reply. */
static size_t format_head(struct req *r, long long length, char *head, size_t size) {
    struct reply *rep = &r->reply;
    struct head h = {head, 0, size};
    put(&h, "HTTP/1.1 ");
    put_number(&h, rep->status);
    put(&h, " ");
    put(&h, mg_get_response_code_text(r->conn, rep->status));
    if (length < 0) {
        put(&h, "\r\nTransfer-Encoding: chunked");
    } else {
        put(&h, "\r\nContent-Length: ");
        put_number(&h, length);
    }
    put(&h, "\r\nX-Request-Id: ");
    put(&h, r->request_id);
    put(&h, "\r\n");
    if (rep->content_type) {
        put(&h, "Content-Type: ");
        put(&h, rep->content_type);
        put(&h, "\r\n");
    }
    if (rep->close) put(&h, "Connection: close\r\n");
    const struct sandbox_state *sb = &r->sandbox;
    if (sb->rl_limit > 0) {
        put(&h, "X-RateLimit-Limit: ");
        put_number(&h, sb->rl_limit);
        put(&h, "\r\nX-RateLimit-Remaining: ");
        put_number(&h, sb->rl_remaining);
        /* on the wall clock, as a client reads it: Reset - now = Retry-After even when the
         * virtual clock has been moved (the window itself runs on the virtual clock) */
        put(&h, "\r\nX-RateLimit-Reset: ");
        put_number(&h, (long long)(sb->rl_reset - clock_offset()));
        put(&h, "\r\n");
    }
    put(&h, cors_response_headers());
    put(&h, rep->headers);
    put(&h, "\r\n");
    return h.n;
}

/* HEAD: the head only; the handler still renders, and nothing of the body goes out */
static bool is_head(const struct req *r) { return strcmp(r->method, "HEAD") == 0; }

static void drop_now(struct req *r);

void reply_send(struct req *r) {
    struct reply *rep = &r->reply;
    if (rep->sent) return;
    if (r->sandbox.dropped) {
        drop_now(r);
        rep->sent = true;
        return;
    }
    char head[REPLY_HEADERS_MAX + 1280]; /* + status line, fixed and CORS headers */
    size_t n = format_head(r, (long long)rep->body_len, head, sizeof head);
    size_t body_len = is_head(r) ? 0 : rep->body_len;
    /* one write for head and body: one packet for small replies (a large one is several
     * packets anyway, and copying it would cost a large allocation) */
    char whole[16384];
    if (body_len && n + body_len <= sizeof whole) {
        memcpy(whole, head, n);
        memcpy(whole + n, rep->body, body_len);
        mg_write(r->conn, whole, n + body_len);
    } else {
        mg_write(r->conn, head, n);
        if (body_len) mg_write(r->conn, rep->body, body_len);
    }
    rep->sent = true;
}

void reply_stream_start(struct req *r, int status, const char *content_type) {
    r->reply.status = status;
    r->reply.content_type = content_type;
    char head[REPLY_HEADERS_MAX + 1280]; /* + status line, fixed and CORS headers */
    mg_write(r->conn, head, format_head(r, -1, head, sizeof head));
    r->reply.sent = true;
}

bool reply_stream_chunk(struct req *r, const char *data, size_t len) {
    if (len == 0 || is_head(r)) return true; /* an empty chunk would end the body */
    return mg_send_chunk(r->conn, data, (unsigned)len) > 0;
}

void reply_stream_end(struct req *r) {
    if (!is_head(r)) mg_send_chunk(r->conn, "", 0);
}

static int port_of(const struct sockaddr_storage *sa) {
    if (sa->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -1;
}

static void address_of(const struct sockaddr_storage *sa, char *out, size_t size) {
    out[0] = '\0';
    if (sa->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

/* True when fd is the TCP connection from remote_addr:remote_port to our local_port. */
static bool is_connection(int fd, int local_port, const char *remote_addr, int remote_port) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
    struct sockaddr_storage local, peer;
    socklen_t llen = sizeof local, plen = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0 ||
        getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
        return false;
    if (port_of(&local) != local_port || port_of(&peer) != remote_port) return false;
    char addr[64];
    address_of(&peer, addr, sizeof addr);
    return strcmp(addr, remote_addr) == 0;
}

/* CivetWeb 1.15 has no call that closes a connection without answering, nor one that gives
 * its socket, so find the socket among the process's descriptors by its address and ports
 * and shut it down; CivetWeb then reads EOF and closes it. */
void reply_drop_connection(struct req *r) { r->sandbox.dropped = true; }

/* The drop itself, when the reply would be sent: after the journal and the report have the
 * request, so a client that saw the connection close finds it there. */
static void drop_now(struct req *r) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    int self = dirfd(d);
    for (struct dirent *e; (e = readdir(d));) {
        int fd = atoi(e->d_name);
        if (fd <= 2 || fd == self) continue;
        if (is_connection(fd, r->ri->server_port, r->ri->remote_addr, r->ri->remote_port)) {
            shutdown(fd, SHUT_RDWR);
            break;
        }
    }
    closedir(d);
}

const char *req_header(const struct req *r, const char *name) {
    return mg_get_header(r->conn, name);
}

int req_read(struct req *r, char *buf, size_t size) {
    int got = mg_read(r->conn, buf, size);
    if (got > 0) r->body_read += (size_t)got;
    long long declared = r->ri->content_length;
    if (got == 0 && declared > 0 && r->body_read < (size_t)declared) return -1;
    return got < 0 ? -1 : got;
}

/* The value of name's first occurrence as sent (not decoded), found as mg_get_var2 finds it:
 * 1 = copied, -1 = too long for buf. */
static int query_value_as_sent(const char *query, const char *name, char *buf, size_t size) {
    size_t name_len = strlen(name);
    for (const char *p = query; *p; p += strcspn(p, "&") + (p[strcspn(p, "&")] == '&')) {
        if (strncasecmp(p, name, name_len) != 0 || p[name_len] != '=') continue;
        const char *value = p + name_len + 1;
        size_t len = strcspn(value, "&");
        if (len >= size) return -1;
        memcpy(buf, value, len);
        buf[len] = '\0';
        return 1;
    }
    return -1; /* not reached: mg_get_var2 found it */
}

int req_query(const struct req *r, const char *name, char *buf, size_t size) {
    if (!r->query) return 0;
    int n = mg_get_var2(r->query, strlen(r->query), name, buf, size, 0);
    if (n == -1) return 0;
    if (n < 0) return -1;
    /* a value that decodes to a NUL would be cut short ("limit=1%00" read as 1): taken as
     * sent instead, so it fails its field's rule or matches nothing */
    if (memchr(buf, '\0', (size_t)n)) return query_value_as_sent(r->query, name, buf, size);
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
