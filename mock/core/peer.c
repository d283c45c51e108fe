#include "peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h> /* POLLRDHUP: the build defines _GNU_SOURCE */
#include <string.h>
#include <sys/socket.h>

#include <civetweb.h>

#define FD_SCAN_MAX 4096

static int port_of(const struct sockaddr_storage *a) {
    if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)a)->sin_port);
    if (a->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
    return -1;
}

static bool addr_is(const struct sockaddr_storage *a, const char *text) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (a->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, buf, sizeof buf);
    else if (a->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, buf, sizeof buf);
    return strcmp(buf, text) == 0;
}

bool peer_gone(const struct mg_connection *conn) {
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (!ri) return false;
    for (int fd = 3; fd < FD_SCAN_MAX; fd++) {
        struct sockaddr_storage peer, local;
        socklen_t pl = sizeof peer, ll = sizeof local;
        if (getpeername(fd, (struct sockaddr *)&peer, &pl) != 0) continue;
        if (port_of(&peer) != ri->remote_port || !addr_is(&peer, ri->remote_addr)) continue;
        if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0 || port_of(&local) != ri->server_port)
            continue;
        struct pollfd p = {.fd = fd, .events = POLLRDHUP};
        return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
    }
    return false;
}
