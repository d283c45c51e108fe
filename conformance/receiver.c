#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "receiver.h"
#include "json_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#define MAX_CONNECTIONS 64
#define MAX_REQUEST     (4 << 20)
#define SCRIPT_MAX      64

struct connection {
    int fd;
    pthread_t thread;
    struct receiver *rc;
};

struct receiver {
    int listen_fd;
    int port;
    pthread_t accept_thread;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t arrived;
    bool stopping;
    int status, delay_ms;
    int script[SCRIPT_MAX];
    size_t script_len, script_next;
    struct received **requests;
    size_t n_requests, cap_requests;
    struct connection conns[MAX_CONNECTIONS];
    size_t n_conns;
};

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool stopping(struct receiver *rc) {
    pthread_mutex_lock(&rc->lock);
    bool s = rc->stopping;
    pthread_mutex_unlock(&rc->lock);
    return s;
}

/* Sleeps in small steps so that stopping is not held up by a long scripted delay. */
static void delay(struct receiver *rc, int ms) {
    double until = mono_ms() + ms;
    while (!stopping(rc) && mono_ms() < until) usleep(5000);
}

static const char *find_crlfcrlf(const char *buf, size_t len) {
    for (size_t i = 0; i + 3 < len; i++)
        if (!memcmp(buf + i, "\r\n\r\n", 4)) return buf + i;
    return NULL;
}

static void received_free(struct received *r) {
    for (size_t h = 0; h < r->n_headers; h++) free(r->headers[h]);
    free(r->headers);
    free(r->body);
    free(r);
}

/* Parses the head in buf[0..head_len) into r; returns the Content-Length (or -1 if bad). */
static long parse_head(char *head, size_t head_len, struct received *r) {
    head[head_len] = '\0';
    char *save = NULL;
    char *line = strtok_r(head, "\r\n", &save);
    if (!line || sscanf(line, "%15s %511s", r->method, r->path) != 2) return -1;
    long content_length = 0;
    while ((line = strtok_r(NULL, "\r\n", &save))) {
        char **h = realloc(r->headers, (r->n_headers + 1) * sizeof *h);
        if (!h) return -1;
        r->headers = h;
        r->headers[r->n_headers++] = strdup(line);
        if (!strncasecmp(line, "Content-Length:", 15)) content_length = strtol(line + 15, NULL, 10);
    }
    return content_length;
}

static void record(struct receiver *rc, struct received *r, int *status, int *delay_ms) {
    pthread_mutex_lock(&rc->lock);
    *status = rc->script_next < rc->script_len ? rc->script[rc->script_next++] : rc->status;
    *delay_ms = rc->delay_ms;
    r->answered = *status;
    if (rc->n_requests == rc->cap_requests) {
        size_t cap = rc->cap_requests ? rc->cap_requests * 2 : 32;
        struct received **grown = realloc(rc->requests, cap * sizeof *grown);
        cr_assert(grown, "receiver: out of memory");
        rc->requests = grown;
        rc->cap_requests = cap;
    }
    rc->requests[rc->n_requests++] = r;
    pthread_cond_broadcast(&rc->arrived);
    pthread_mutex_unlock(&rc->lock);
}

static void *serve(void *arg) {
    struct connection *c = arg;
    struct receiver *rc = c->rc;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    while (buf && !stopping(rc)) {
        const char *end = find_crlfcrlf(buf, len);
        if (!end) {
            if (len == cap) {
                if (cap >= MAX_REQUEST) break;
                char *grown = realloc(buf, cap * 2 + 1);
                if (!grown) break;
                buf = grown;
                cap *= 2;
            }
            ssize_t n = recv(c->fd, buf + len, cap - len, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            len += (size_t)n;
            continue;
        }
        size_t head_len = (size_t)(end - buf);
        struct received *r = calloc(1, sizeof *r);
        char *head = malloc(head_len + 1);
        memcpy(head, buf, head_len);
        long body_len = parse_head(head, head_len, r);
        free(head);
        if (body_len < 0 || body_len > MAX_REQUEST) {
            received_free(r);
            break;
        }
        size_t need = head_len + 4 + (size_t)body_len;
        while (len < need && !stopping(rc)) {
            if (need > cap) {
                char *grown = realloc(buf, need + 1);
                if (!grown) break;
                buf = grown;
                cap = need;
            }
            ssize_t n = recv(c->fd, buf + len, cap - len, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            len += (size_t)n;
        }
        if (len < need) {
            received_free(r);
            break;
        }
        r->body = malloc((size_t)body_len + 1);
        memcpy(r->body, buf + head_len + 4, (size_t)body_len);
        r->body[body_len] = '\0';
        r->body_len = (size_t)body_len;
        r->at_ms = mono_ms();
        memmove(buf, buf + need, len - need);
        len -= need;

        int status, delay_ms;
        record(rc, r, &status, &delay_ms);
        delay(rc, delay_ms);
        char reply[128];
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
                         status);
        if (send(c->fd, reply, (size_t)n, MSG_NOSIGNAL) != n) break;
    }
    free(buf);
    shutdown(c->fd, SHUT_RDWR);
    return NULL;
}

static void *accept_loop(void *arg) {
    struct receiver *rc = arg;
    while (!stopping(rc)) {
        struct pollfd p = {.fd = rc->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) continue;
        int fd = accept(rc->listen_fd, NULL, NULL);
        if (fd < 0) continue;
        pthread_mutex_lock(&rc->lock);
        if (rc->stopping || rc->n_conns == MAX_CONNECTIONS) {
            pthread_mutex_unlock(&rc->lock);
            close(fd);
            continue;
        }
        struct connection *c = &rc->conns[rc->n_conns];
        c->fd = fd;
        c->rc = rc;
        if (pthread_create(&c->thread, NULL, serve, c) == 0) rc->n_conns++;
        else close(fd);
        pthread_mutex_unlock(&rc->lock);
    }
    return NULL;
}

struct receiver *receiver_start(void) {
    struct receiver *rc = calloc(1, sizeof *rc);
    cr_assert(rc, "receiver: out of memory");
    pthread_mutex_init(&rc->lock, NULL);
    pthread_cond_init(&rc->arrived, NULL);
    rc->status = 200;
    rc->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(rc->listen_fd >= 0, "receiver: socket: %s", strerror(errno));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    cr_assert(bind(rc->listen_fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
                  listen(rc->listen_fd, 128) == 0 &&
                  getsockname(rc->listen_fd, (struct sockaddr *)&addr, &alen) == 0,
              "receiver: cannot listen on 127.0.0.1: %s", strerror(errno));
    rc->port = ntohs(addr.sin_port);
    cr_assert(pthread_create(&rc->accept_thread, NULL, accept_loop, rc) == 0,
              "receiver: cannot start a thread");
    return rc;
}

void receiver_stop(struct receiver *rc) {
    if (!rc) return;
    pthread_mutex_lock(&rc->lock);
    rc->stopping = true;
    pthread_mutex_unlock(&rc->lock);
    pthread_join(rc->accept_thread, NULL);
    close(rc->listen_fd);
    /* n_conns no longer changes: the accept loop has ended */
    for (size_t i = 0; i < rc->n_conns; i++) shutdown(rc->conns[i].fd, SHUT_RDWR);
    for (size_t i = 0; i < rc->n_conns; i++) {
        pthread_join(rc->conns[i].thread, NULL);
        close(rc->conns[i].fd);
    }
    for (size_t i = 0; i < rc->n_requests; i++) received_free(rc->requests[i]);
    free(rc->requests);
    pthread_cond_destroy(&rc->arrived);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}

const char *receiver_url(const struct receiver *rc, const char *path) {
    static char bufs[8][600];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "http://127.0.0.1:%d%s", rc->port, path);
    return b;
}

void receiver_reply(struct receiver *rc, int status, int delay_ms) {
    pthread_mutex_lock(&rc->lock);
    rc->status = status;
    rc->delay_ms = delay_ms;
    pthread_mutex_unlock(&rc->lock);
}

void receiver_script(struct receiver *rc, const int *statuses, size_t n) {
    cr_assert(n <= SCRIPT_MAX, "receiver: script too long");
    pthread_mutex_lock(&rc->lock);
    memcpy(rc->script, statuses, n * sizeof *statuses);
    rc->script_len = n;
    rc->script_next = 0;
    pthread_mutex_unlock(&rc->lock);
}

size_t receiver_count(struct receiver *rc) {
    pthread_mutex_lock(&rc->lock);
    size_t n = rc->n_requests;
    pthread_mutex_unlock(&rc->lock);
    return n;
}

size_t receiver_wait(struct receiver *rc, size_t n, int timeout_ms) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&rc->lock);
    while (rc->n_requests < n &&
           pthread_cond_timedwait(&rc->arrived, &rc->lock, &deadline) != ETIMEDOUT) {
    }
    size_t got = rc->n_requests;
    pthread_mutex_unlock(&rc->lock);
    return got;
}

const struct received *receiver_get(struct receiver *rc, size_t i) {
    pthread_mutex_lock(&rc->lock);
    struct received *r = i < rc->n_requests ? rc->requests[i] : NULL;
    size_t n = rc->n_requests;
    pthread_mutex_unlock(&rc->lock);
    cr_assert(r, "receiver: no request #%zu (got %zu)", i, n);
    return r;
}

const char *received_header(const struct received *r, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *h = r->headers[i];
        if (!strncasecmp(h, name, n) && h[n] == ':') {
            h += n + 1;
            while (*h == ' ' || *h == '\t') h++;
            return h;
        }
    }
    return NULL;
}

cJSON *received_json(const struct received *r) {
    cJSON *j = json_parse_guarded(r->body, r->body_len, JSON_REPLY_MAX_DEPTH, NULL);
    cr_assert(j, "webhook body is not JSON: %.400s", r->body);
    return j;
}
