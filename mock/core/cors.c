#include "core/cors.h"

#include <stdio.h>
#include <string.h>

#include "core/http.h"

/* Headers a page may read from a response: the contracts' own (request id, rate limits,
 * replays, Alter's run id and deprecation flag) and the standard ones a client looks at. */
#define EXPOSED                                                                                \
    "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, " \
    "Idempotent-Replayed, X-Alter-Run-Id, X-Alter-Key-Deprecated, Allow, Location, "           \
    "Content-Disposition"
#define METHODS "GET, POST, PUT, PATCH, DELETE, OPTIONS"
/* Sent when a preflight lists no headers, or lists them in a form not echoed back.  Every
 * header the contracts read; trace metadata headers are free-form, so the echo covers them. */
#define DEFAULT_HEADERS                                                                        \
    "Authorization, Content-Type, x-api-key, Idempotency-Key, X-Alter-Caller, X-Alter-Run-Id, " \
    "X-Alter-Thread-Id, X-Alter-Parent-Run-Id, X-Mock-Admin-Token"
#define ORIGIN_MAX 256

/* Written once at start-up, before any thread reads it. */
static bool enabled = true;
static char response_headers[ORIGIN_MAX + 256] =
    "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: " EXPOSED "\r\n";

/* scheme://host[:port], as a browser sends it in Origin: printable, no spaces, no path. */
static bool origin_valid(const char *o) {
    const char *sep = strstr(o, "://");
    if (!sep || sep == o || strlen(o) >= ORIGIN_MAX || !sep[3]) return false;
    for (const char *p = o; *p; p++)
        if (*p <= ' ' || *p >= 0x7f) return false;
    return !strchr(sep + 3, '/');
}

int cors_configure(const char *origin, char *why, size_t why_size) {
    if (!origin) {
        enabled = false;
        response_headers[0] = '\0';
        return 0;
    }
    if (strcmp(origin, "*") != 0 && !origin_valid(origin)) {
        snprintf(why, why_size, "\"%.80s\" is not * or an origin such as http://localhost:3000",
                 origin);
        return -1;
    }
    enabled = true;
    /* one origin: caches must not hand its answer to a page of another */
    snprintf(response_headers, sizeof response_headers,
             "Access-Control-Allow-Origin: %s\r\n%sAccess-Control-Expose-Headers: " EXPOSED "\r\n",
             origin, strcmp(origin, "*") == 0 ? "" : "Vary: Origin\r\n");
    return 0;
}

const char *cors_response_headers(void) { return response_headers; }

/* A comma-separated list of header names, echoed as the allowed headers. */
static bool header_list_valid(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 512) return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_, ") == n;
}

bool cors_preflight(struct req *r) {
    if (!enabled || strcmp(r->method, "OPTIONS") != 0 || !req_header(r, "Origin") ||
        !req_header(r, "Access-Control-Request-Method"))
        return false;
    const char *asked = req_header(r, "Access-Control-Request-Headers");
    reply_header(r, "Access-Control-Allow-Methods", METHODS);
    reply_header(r, "Access-Control-Allow-Headers", "%s",
                 asked && header_list_valid(asked) ? asked : DEFAULT_HEADERS);
    reply_header(r, "Access-Control-Max-Age", "600");
    reply_empty(r, 204);
    return true;
}
