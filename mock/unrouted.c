#include "unrouted.h"

#include <stdbool.h>
#include <string.h>

#include <civetweb.h>

#include "core/http.h"
#include "core/random.h"
#include "dispatch.h"

/* A reply outside the dispatcher: rendered and sent at once, not journaled (no route, no
 * caller).  path picks the envelope. */
static struct req unrouted_req(struct mg_connection *conn, const char *path) {
    struct req r = {0};
    r.conn = conn;
    r.ri = mg_get_request_info(conn);
    r.method = r.ri->request_method ? r.ri->request_method : "GET";
    r.path = path;
    r.api = api_of_path(path);
    random_hex(r.request_id, sizeof r.request_id, "req_", 12);
    return r;
}

/* Marks a connection answered here (its user data, which CivetWeb clears when it closes):
 * CivetWeb's own error for a target it refused must not get a second answer on close. */
static char answered;

static void finish(struct req *r) {
    r->reply.close = true;
    reply_send(r);
    reply_body_free(&r->reply);
    mg_set_user_connection_data(r->conn, &answered);
}

/* `OPTIONS *` asks what the server supports as a whole (RFC 9110 §9.3.7): every method of the
 * route table, in Allow, and no body. */
static void answer_options_asterisk(struct mg_connection *conn) {
    struct req r = unrouted_req(conn, "/");
    char allow[128] = "";
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
        bool used = !strcmp(methods[m], "HEAD"); /* every GET route answers HEAD */
        for (size_t i = 0; i < n_routes && !used; i++)
            used = !strcmp(routes[i].method, methods[m]);
        if (!used) continue;
        if (allow[0]) strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
        strncat(allow, methods[m], sizeof allow - strlen(allow) - 1);
    }
    reply_empty(&r, 200);
    reply_header(&r, "Allow", "%s", allow);
    finish(&r);
}

/* An absolute-form target for another port or scheme: the mock is no proxy (RFC 9110
 * §15.5.20: 421 for a request this server will not answer for). */
static void answer_misdirected(struct mg_connection *conn, const char *target) {
    const char *authority = strstr(target, "://") + 3;
    const char *path = strchr(authority, '/');
    struct req r = unrouted_req(conn, path ? path : "/");
    reply_error(&r, 421, "misdirected_request",
                "%s is not this server (port %d): send the path alone, or this server's address",
                target, r.ri->server_port);
    finish(&r);
}

void unrouted_connection_close(const struct mg_connection *c) {
    /* CivetWeb drops these without an answer: a target of "*", or an absolute one it did not
     * take as its own (local_uri NULL).  The fields are reset for every request, so a
     * connection that sent nothing has no method. */
    const struct mg_request_info *ri = mg_get_request_info(c);
    if (!ri || !ri->request_method || ri->local_uri || !ri->request_uri ||
        mg_get_user_connection_data(c) == &answered)
        return;
    struct mg_connection *conn = (struct mg_connection *)c; /* still open: written once */
    if (!strcmp(ri->request_uri, "*")) {
        if (!strcmp(ri->request_method, "OPTIONS"))
            answer_options_asterisk(conn);
        else {
            struct req r = unrouted_req(conn, "/");
            reply_error(&r, 400, "bad_request", "Only OPTIONS takes the target *");
            finish(&r);
        }
    } else if (strstr(ri->request_uri, "://")) {
        answer_misdirected(conn, ri->request_uri);
    }
}

int unrouted_http_error(struct mg_connection *conn, int status, const char *message) {
    const struct mg_request_info *ri = mg_get_request_info(conn);
    /* the target picks the envelope; CivetWeb may have stopped before it set local_uri */
    const char *path = !ri               ? "/"
                       : ri->local_uri   ? ri->local_uri
                       : ri->request_uri ? ri->request_uri
                                         : "/";
    struct req r = unrouted_req(conn, path);
    const char *code = status == 413   ? "payload_too_large"
                       : status == 505 ? "http_version_not_supported"
                       : status >= 500 ? "internal_error"
                                       : "bad_request";
    reply_error(&r, status, code, "%s", message && *message ? message : "Bad request");
    finish(&r);
    return 0;
}
