#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "alter/audit.h"
#include "core/clock.h"
#include "core/cors.h"
#include "core/http_framing.h"
#include "core/json_parse.h"
#include "core/log.h"
#include "core/peer.h"
#include "sandbox/faults.h"
#include "sandbox/idempotency.h"
#include "sandbox/journal.h"
#include "sandbox/rate_limit.h"
#include "sandbox/report.h"
#include "store/tenant.h"

#define MAX_SEGMENTS 10
/* A request answered faster than this is not checked for a client that gave up on it: no
 * client timeout is that short, and the check scans descriptors. */
#define CLIENT_GONE_CHECK_MS 20

size_t router_max_body = 1024 * 1024;
extern const authenticate_fn authenticators[]; /* routes.c, indexed by enum api */
extern const char *const rate_limit_codes[];   /* routes.c: each api's 429 error code */

struct compiled_route {
    int n;
    const char *seg[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    bool param[MAX_SEGMENTS];
    unsigned specificity; /* literal segments, earlier ones weigh more: /x/me beats /x/{id} */
    size_t pattern_id;    /* the first route with this pattern: the methods of one path */
};
static struct compiled_route *compiled;

/* Splits a path into segments, skipping empty ones ("/agents/" = "/agents"). */
static int split(const char *path, const char **seg, size_t *len) {
    int n = 0;
    for (const char *p = path; *p;) {
        while (*p == '/') p++;
        if (!*p) break;
        if (n == MAX_SEGMENTS) return -1;
        const char *end = strchr(p, '/');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        seg[n] = p;
        len[n++] = l;
        p += l;
    }
    return n;
}

void router_init(void) {
    free(compiled);
    compiled = calloc(n_routes, sizeof *compiled);
    for (size_t i = 0; i < n_routes; i++) {
        struct compiled_route *c = &compiled[i];
        c->n = split(routes[i].pattern, c->seg, c->len);
        for (int s = 0; s < c->n; s++) {
            c->param[s] = c->seg[s][0] == '{';
            if (!c->param[s]) c->specificity |= 1u << (MAX_SEGMENTS - s);
        }
        c->pattern_id = i;
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(routes[j].pattern, routes[i].pattern)) {
                c->pattern_id = j;
                break;
            }
        }
    }
}

/* Finds the route for r.  When the path matches a pattern but not with this method, returns
 * NULL and fills allow ("GET, POST"); when nothing matches, returns NULL with allow empty. */
static const struct route *match(struct req *r, char *allow, size_t allow_size) {
    const char *seg[MAX_SEGMENTS];
    size_t len[MAX_SEGMENTS];
    allow[0] = '\0';
    int n = split(r->path, seg, len);
    if (n < 0) return NULL;
    const struct compiled_route *best = NULL;
    for (size_t i = 0; i < n_routes; i++) {
        const struct compiled_route *c = &compiled[i];
        if (c->n != n || (best && c->specificity < best->specificity)) continue;
        int s = 0;
        while (s < n && (c->param[s] ? len[s] > 0 : (len[s] == c->len[s] &&
                                                      memcmp(seg[s], c->seg[s], len[s]) == 0)))
            s++;
        if (s == n && (!best || c->specificity > best->specificity)) best = c;
    }
    if (!best) return NULL;
    const struct route *found = NULL;
    bool head = strcmp(r->method, "HEAD") == 0; /* runs as GET; reply_send leaves out the body */
    for (size_t i = best->pattern_id; i < n_routes; i++) {
        if (compiled[i].pattern_id != best->pattern_id) continue;
        if (strcmp(routes[i].method, r->method) == 0) {
            found = &routes[i];
            break;
        }
        if (head && !found && strcmp(routes[i].method, "GET") == 0) found = &routes[i];
    }
    if (!found) { /* a 405: the path's methods */
        for (size_t i = best->pattern_id; i < n_routes; i++) {
            if (compiled[i].pattern_id != best->pattern_id) continue;
            if (allow[0]) strncat(allow, ", ", allow_size - strlen(allow) - 1);
            strncat(allow, routes[i].method, allow_size - strlen(allow) - 1);
        }
        return NULL;
    }
    r->n_params = 0;
    for (int s = 0; s < n; s++) {
        if (!best->param[s]) continue;
        if (len[s] >= PATH_PARAM_MAX) { /* no id is that long: a 404, not a 405 */
            allow[0] = '\0';
            return NULL;
        }
        memcpy(r->params[r->n_params], seg[s], len[s]);
        r->params[r->n_params++][len[s]] = '\0';
    }
    return found;
}

const struct route *router_match(struct req *r) {
    char allow[128];
    return match(r, allow, sizeof allow);
}

enum api api_of_path(const char *path) {
    if (strncmp(path, "/sdk/", 5) == 0 || strcmp(path, "/sdk") == 0) return API_ALTER;
    if (strncmp(path, "/_mock/", 7) == 0 || strcmp(path, "/_mock") == 0) return API_MOCK;
    return API_ALSORN;
}

/* Reads the whole body, up to the limit.  Returns false after rendering the 413, or the 400
 * of a body cut short. */
static bool read_body(struct req *r) {
    long long declared = r->ri->content_length;
    if (declared > (long long)router_max_body) goto too_large;
    if (declared == 0 || (declared < 0 && !req_header(r, "Transfer-Encoding")))
        return true; /* HTTP/1.1: no length and not chunked means no body */
    /* read up to one byte past the limit: reading it proves the body is too large */
    size_t limit = router_max_body + 1, cap = 0, len = 0;
    bool complete = false;
    size_t first = declared > 0 ? (size_t)declared + 1 : 4096;
    char *buf = NULL;
    for (;;) {
        if (len == cap) {
            if (cap == limit) {
                free(buf);
                goto too_large;
            }
            size_t ncap = cap ? cap * 2 : first;
            if (ncap > limit) ncap = limit;
            char *nb = realloc(buf, ncap + 1); /* + the NUL terminator */
            if (!nb) {
                free(buf);
                reply_error(r, 500, "internal_error", "Out of memory reading the body");
                return false;
            }
            buf = nb;
            cap = ncap;
        }
        int got = req_read(r, buf + len, cap - len);
        if (got < 0) break; /* cut short */
        if (got == 0) {
            complete = true;
            break;
        }
        len += (size_t)got;
    }
    if (len > router_max_body) {
        free(buf);
        goto too_large;
    }
    if (!complete) {
        /* The client went away (or stalled past the request timeout) before the body was
         * whole.  What arrived is a prefix of some other request: running it, or storing
         * its answer under its Idempotency-Key, would be wrong.  Answered like nginx and
         * Apache do (400, connection closed), but the handler and the idempotency store
         * never see it. */
        free(buf);
        r->reply.close = true;
        if (declared > 0)
            reply_error(r, 400, "invalid_json",
                        "The body ended after %zu of its %lld bytes; nothing was done", len,
                        declared);
        else
            reply_error(r, 400, "invalid_json", "The chunked body ended early; nothing was done");
        return false;
    }
    if (len == 0) {
        free(buf);
        return true;
    }
    buf[len] = '\0';
    r->body = buf;
    r->body_len = len;
    return true;
too_large:
    r->reply.close = true; /* the rest of the body is not read: the connection cannot go on */
    reply_error(r, 413, "payload_too_large", "Request body exceeds %zu bytes", router_max_body);
    return false;
}

static bool is_json_type(const char *ct) {
    if (!ct) return false;
    while (*ct == ' ') ct++;
    size_t n = strcspn(ct, "; ");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0) return true;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Parses the body as the route's rule says.  Returns false after rendering the error. */
static bool parse_body(struct req *r) {
    enum body_rule rule = r->route->body;
    if (rule == BODY_IGNORED || rule == BODY_STREAM) return true;
    if (!r->body) {
        if (rule == BODY_OPTIONAL) return true;
        reply_error(r, 400, "invalid_json", "A JSON object body is required");
        return false;
    }
    if (!is_json_type(req_header(r, "Content-Type"))) {
        reply_error(r, 415, "unsupported_media_type", "Send the body as application/json");
        return false;
    }
    if (!utf8_valid(r->body, r->body_len)) {
        reply_error(r, 400, "invalid_json", "The body is not valid UTF-8");
        return false;
    }
    enum json_parse_error why;
    r->json = json_parse_guarded(r->body, r->body_len, JSON_MAX_DEPTH, &why);
    if (!r->json) {
        char text[64];
        reply_error(r, 400, "invalid_json", "The body %s",
                    json_parse_error_text(why, JSON_MAX_DEPTH, text, sizeof text));
        return false;
    }
    if (!cJSON_IsObject(r->json)) {
        reply_error(r, 400, "invalid_json", "The body must be a JSON object");
        return false;
    }
    return true;
}

/* Counts the request against the bucket its authenticator chose (even when authentication
 * failed).  Returns false after replacing whatever was rendered with the 429. */
static bool admit(struct req *r) {
    const struct caller *c = &r->caller;
    if (!c->rate_key[0]) return true;
    struct rate_verdict v;
    rate_limit_take(c->rate_key, c->rate_limit, c->rate_window_seconds, r->now, &v);
    r->sandbox.rl_limit = v.limit;
    r->sandbox.rl_remaining = v.remaining;
    r->sandbox.rl_reset = v.reset;
    if (v.allowed) return true;
    reply_reset(r);
    r->sandbox.retry_after = v.retry_after;
    reply_header(r, "Retry-After", "%ld", v.retry_after);
    reply_error(r, 429, rate_limit_codes[r->api],
                "Rate limit of %ld requests per %d s exceeded; retry in %ld s", v.limit,
                c->rate_window_seconds, v.retry_after);
    return false;
}

/* A path that is no route still counts against the caller's bucket and answers with its
 * X-RateLimit-* headers: the api's authenticator picks the bucket as for a public route
 * (whatever it renders is dropped).  Returns false after rendering the 429. */
static bool admit_unrouted(struct req *r) {
    authenticate_fn auth = authenticators[r->api];
    if (r->api == API_MOCK || !auth) return true;
    const struct route public_route = {.method = r->method, .pattern = r->path, .api = r->api};
    r->route = &public_route;
    auth(r);
    r->route = NULL;
    reply_reset(r);
    return admit(r);
}

static void sleep_ms(int ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* framing → match → authenticate → rate limit → read body → injected faults → injected
 * latency → idempotency → parse body → handler.  Faults come before idempotency so an injected
 * 503 is never stored as a key's answer; latency too, so a key is claimed only for the time
 * its request really runs (a duplicate's bounded wait is not spent on a sleep). */
static void dispatch(struct req *r) {
    char why[96];
    if (!http_framing_ok(r->ri->http_headers, r->ri->num_headers, &r->reply.close, why,
                         sizeof why)) {
        r->reply.close = true; /* where this request ends is unknown: the connection cannot go on */
        reply_error(r, 400, "bad_request", "%s; nothing was done", why);
        return;
    }
    if (cors_preflight(r)) return; /* a browser's preflight carries no key: before anything */
    char allow[128];
    r->route = match(r, allow, sizeof allow);
    if (!r->route) {
        if (!admit_unrouted(r)) return;
        if (allow[0]) {
            reply_header(r, "Allow", "%s", allow);
            reply_error(r, 405, "method_not_allowed", "%s is not allowed here; allowed: %s",
                        r->method, allow);
        } else {
            reply_error(r, 404, "not_found", "No route for %s %s", r->method, r->path);
        }
        return;
    }
    r->api = r->route->api;
    authenticate_fn auth = authenticators[r->api];
    bool authenticated = !auth || auth(r);
    if (!admit(r) || !authenticated) return;
    bool streamed = r->route->body == BODY_STREAM; /* the handler reads the body itself */
    if (!streamed && !read_body(r)) return;
    if (r->api != API_MOCK && !faults_apply(r, rate_limit_codes[r->api])) return;
    if (r->sandbox.latency_ms) sleep_ms(r->sandbox.latency_ms);
    if (r->api == API_ALSORN && r->caller.tenant && strcmp(r->method, "POST") == 0 &&
        !idempotency_start(r))
        return;
    if (!streamed && !parse_body(r)) return;
    r->route->handler(r);
}

const char *request_path(const char *sent, char **owned) {
    *owned = NULL;
    if (!strchr(sent, '%')) return sent;
    size_t len = strlen(sent);
    char *decoded = malloc(len + 1);
    if (!decoded) return sent;
    int n = mg_url_decode(sent, (int)len, decoded, (int)len + 1, 0);
    if (n < 0 || memchr(decoded, '\0', (size_t)n)) {
        free(decoded);
        return sent;
    }
    return *owned = decoded;
}

int router_handle(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    struct req r = {0};
    r.sandbox.started_us = clock_monotonic_us();
    r.conn = conn;
    r.ri = mg_get_request_info(conn);
    r.method = r.ri->request_method;
    char *decoded_path;
    r.path = request_path(r.ri->local_uri ? r.ri->local_uri : "/", &decoded_path);
    r.query = r.ri->query_string;
    r.sandbox.arrived_ms = clock_now_ms();
    r.now = r.sandbox.arrived_ms / 1000;
    r.api = api_of_path(r.path);
    random_hex(r.request_id, sizeof r.request_id, "req_", 12);

    dispatch(&r);
    if (!r.sandbox.dropped && !r.reply.status)
        reply_error(&r, 500, "internal_error", "The handler gave no reply");
    /* Alter's audit row of a routed call is written before the answer is sent */
    if (r.api == API_ALTER && r.route && !r.sandbox.dropped) alter_audit_record(&r);
    idempotency_finish(&r); /* first: waiting duplicates get the answer as early as possible */
    double handled_ms = (double)(clock_monotonic_us() - r.sandbox.started_us) / 1000.0;
    r.sandbox.client_gone = handled_ms >= CLIENT_GONE_CHECK_MS && peer_gone(conn);
    report_record(&r);      /* before sending, so a client's next request sees this one */
    /* also before sending: a client that got its answer finds the request in the journal
     * (duration_ms is the handling time, the send excluded) */
    journal_record(&r, handled_ms);
    reply_send(&r);
    /* the header alone does not end the connection: CivetWeb would read on past a body it had
     * buffered whole and serve the bytes after it as the next request; a stream cut short
     * would be followed by the next answer */
    if (r.reply.close) mg_disable_connection_keep_alive(conn);
    log_debug("%s %s -> %d", r.method, r.path, r.sandbox.dropped ? 0 : r.reply.status);

    free(decoded_path);
    free(r.body);
    cJSON_Delete(r.json);
    cJSON_Delete(r.audit_details); /* when the audit row did not take it */
    reply_body_free(&r.reply);
    tenant_release(r.caller.tenant);
    /* CivetWeb takes any status 1..999 as "handled"; 444 marks a dropped connection in its log */
    return r.sandbox.dropped ? 444 : r.reply.status;
}
