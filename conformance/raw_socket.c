#include "raw_socket.h"

#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* host and port of "http://HOST:PORT" */
static bool target_address(char *host, size_t host_size, int *port) {
    const char *base = target_base_url();
    const char *p = strstr(base, "://");
    p = p ? p + 3 : base;
    const char *colon = strchr(p, ':');
    if (!colon || (size_t)(colon - p) >= host_size) return false;
    memcpy(host, p, (size_t)(colon - p));
    host[colon - p] = '\0';
    *port = atoi(colon + 1);
    return *port > 0;
}

const char *raw_target_authority(void) {
    static char out[160];
    char host[128];
    int port = 0;
    if (!target_address(host, sizeof host, &port)) return "";
    snprintf(out, sizeof out, "%s:%d", host, port);
    return out;
}

int raw_connect(void) {
    char host[128];
    int port = 0;
    cr_assert(target_address(host, sizeof host, &port), "target %s has no host:port",
              target_base_url());
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    cr_assert(inet_pton(AF_INET, host, &sa.sin_addr) == 1, "target host %s is not IPv4", host);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(fd >= 0, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        cr_assert_fail("connect to %s:%d: %s", host, port, strerror(e));
    }
    return fd;
}

bool raw_send(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *raw_header(const struct raw_reply *r, const char *name) {
    static char value[512];
    size_t n = strlen(name);
    const char *end = strstr(r->text, "\r\n\r\n");
    for (const char *line = strstr(r->text, "\r\n"); line && (!end || line < end);
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) != 0 || h[n] != ':') continue;
        h += n + 1;
        while (*h == ' ')
            h++;
        size_t len = strcspn(h, "\r\n");
        if (len >= sizeof value) len = sizeof value - 1;
        memcpy(value, h, len);
        value[len] = '\0';
        return value;
    }
    return NULL;
}

static int read_reply(int fd, int timeout_ms, bool head_only, struct raw_reply *out) {
    memset(out, 0, sizeof *out);
    out->body = "";
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        const char *head_end = strstr(out->text, "\r\n\r\n");
        if (head_end && head_only) break;
        if (head_end) {
            const char *cl = raw_header(out, "Content-Length");
            size_t want = (size_t)(head_end + 4 - out->text) + (cl ? (size_t)atol(cl) : 0);
            if (cl && out->len >= want) break;
        }
        if (out->len + 1 >= sizeof out->text) break;
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            out->timed_out = true;
            break;
        }
        ssize_t n = recv(fd, out->text + out->len, sizeof out->text - 1 - out->len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* closed (or reset) */
        out->len += (size_t)n;
        out->text[out->len] = '\0';
    }
    if (strncmp(out->text, "HTTP/1.", 7) == 0 && out->len >= 12) out->status = atoi(out->text + 9);
    const char *head_end = strstr(out->text, "\r\n\r\n");
    if (head_end) out->body = head_end + 4;
    return out->status;
}

int raw_read_reply(int fd, int timeout_ms, struct raw_reply *out) {
    return read_reply(fd, timeout_ms, false, out);
}

int raw_read_head(int fd, int timeout_ms, struct raw_reply *out) {
    return read_reply(fd, timeout_ms, true, out);
}

int raw_exchange(const char *request, int timeout_ms, struct raw_reply *out) {
    int fd = raw_connect();
    raw_send(fd, request, strlen(request));
    raw_read_reply(fd, timeout_ms, out);
    close(fd);
    return out->status;
}
