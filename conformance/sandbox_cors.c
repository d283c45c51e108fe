/* CORS (the mock only): a browser page on another origin can call both APIs with their auth
 * headers.  Every response carries Access-Control-Allow-Origin (errors included), a preflight
 * is answered for any route without a key, --cors-origin narrows it to one origin and
 * --no-cors turns it off.  The requests below are the ones a browser sends for
 * fetch(url, {method: "POST", headers: {"x-api-key": ..., "Content-Type": "application/json"}}). */
#include "alter_harness.h"
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct tenant T;

#define PAGE_ORIGIN "http://localhost:5173" /* a dev server on another port */

/* The preflight a browser sends before a cross-origin call with custom headers. */
static void preflight(const char *path, const char *method, const char *asked,
                      struct http_resp *out) {
    const char *headers[] = {"Origin: " PAGE_ORIGIN, fmt("Access-Control-Request-Method: %s", method),
                             asked ? fmt("Access-Control-Request-Headers: %s", asked) : NULL, NULL};
    struct http_req rq = {.method = "OPTIONS", .path = path, .headers = headers};
    http_do(&rq, out);
}

/* The header's value holds name as one of its comma-separated items (any case). */
static bool lists(const char *value, const char *name) {
    if (!value) return false;
    size_t n = strlen(name);
    for (const char *p = value; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ') len--;
        if (len == n && !strncasecmp(p, name, n)) return true;
        p += strcspn(p, ",");
    }
    return false;
}

static void expect_allow_origin(const struct http_resp *r, const char *origin) {
    const char *v = resp_header(r, "Access-Control-Allow-Origin");
    cr_assert(v && !strcmp(v, origin), "%s: Access-Control-Allow-Origin %s, want %s", r->request,
              v ? v : "(none)", origin);
    cr_assert(lists(resp_header(r, "Access-Control-Expose-Headers"), "X-Request-Id"),
              "%s: the page cannot read X-Request-Id", r->request);
}

Test(sandbox_cors, a_browser_preflight_then_call_reaches_both_apis) {
    require_mock();
    tenant_new(&T);
    /* Alter: the page sends x-api-key and a trace header */
    struct http_resp r;
    preflight("/sdk/agents", "POST", "content-type, x-api-key, x-alter-trace-step", &r);
    expect_status(&r, 204);
    expect_allow_origin(&r, "*");
    const char *methods = resp_header(&r, "Access-Control-Allow-Methods");
    cr_assert(lists(methods, "POST") && lists(methods, "PATCH") && lists(methods, "DELETE"),
              "Access-Control-Allow-Methods: %s", methods ? methods : "(none)");
    const char *allowed = resp_header(&r, "Access-Control-Allow-Headers");
    cr_assert(lists(allowed, "x-api-key") && lists(allowed, "content-type") &&
                  lists(allowed, "x-alter-trace-step"),
              "Access-Control-Allow-Headers: %s", allowed ? allowed : "(none)");
    cr_assert_not_null(resp_header(&r, "Access-Control-Max-Age"));
    http_resp_free(&r);
    const char *call_headers[] = {"Origin: " PAGE_ORIGIN, fmt("x-api-key: %s", alter_key(&T)),
                                  "x-alter-trace-step: browser", NULL};
    struct http_req call = {.method = "POST",
                            .path = "/sdk/agents",
                            .body = fmt("{\"name\": \"%s\"}", alter_name(&T, "from-a-page")),
                            .headers = call_headers};
    http_do(&call, &r);
    expect_status(&r, 201);
    expect_allow_origin(&r, "*");
    http_resp_free(&r);

    /* Alsorn: Authorization is never covered by a wildcard, so it must be listed */
    preflight("/agents/agent_x1/verify", "GET", "authorization", &r);
    expect_status(&r, 204);
    cr_assert(lists(resp_header(&r, "Access-Control-Allow-Headers"), "authorization"));
    http_resp_free(&r);
    const char *bearer[] = {"Origin: " PAGE_ORIGIN, NULL};
    struct http_req list = {.method = "GET", .path = "/agents", .api_key = tkey(&T, KEY_READ),
                            .headers = bearer};
    http_do(&list, &r);
    expect_status(&r, 200);
    expect_allow_origin(&r, "*");
    http_resp_free(&r);
    /* a preflight that lists no headers gets the contracts' own */
    preflight("/transactions", "POST", NULL, &r);
    expect_status(&r, 204);
    cr_assert(lists(resp_header(&r, "Access-Control-Allow-Headers"), "Idempotency-Key"));
    http_resp_free(&r);
}

Test(sandbox_cors, errors_and_sandbox_routes_carry_the_headers_too) {
    require_mock();
    const char *origin[] = {"Origin: " PAGE_ORIGIN, NULL};
    struct {
        const char *method, *path;
        long status;
    } cases[] = {
        {"GET", "/agents", 401},          /* no key */
        {"GET", "/sdk/agents", 401},      /* no key */
        {"GET", "/no/such/route", 404},   /* no route */
        {"PUT", "/agents", 405},          /* no such method */
        {"GET", "/_mock/health", 200},    /* sandbox */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_req rq = {.method = cases[i].method, .path = cases[i].path, .headers = origin};
        struct http_resp r;
        http_do(&rq, &r);
        expect_status(&r, cases[i].status);
        expect_allow_origin(&r, "*");
        http_resp_free(&r);
    }
    /* a preflight needs no key, counts against no one, and is answered on unknown paths too */
    struct http_resp r;
    preflight("/_mock/orgs", "POST", "content-type", &r);
    expect_status(&r, 204);
    cr_assert_null(resp_header(&r, "X-RateLimit-Limit"));
    http_resp_free(&r);
    /* an OPTIONS that is no preflight (no Origin) is not answered as one */
    struct http_req plain = {.method = "OPTIONS", .path = "/agents"};
    http_do(&plain, &r);
    cr_assert_neq(r.status, 204, "a plain OPTIONS was answered as a preflight");
    http_resp_free(&r);
}

Test(sandbox_cors, cors_origin_allows_one_origin_and_no_cors_none) {
    require_mock();
    struct mock_process refused;
    cr_assert_not(mock_process_start(&refused, (const char *const[]){"--cors-origin", "not an origin",
                                                                     NULL}),
                  "agentmock started with a malformed --cors-origin");
    own_mock_start((const char *const[]){"--cors-origin", PAGE_ORIGIN, NULL});
    struct http_resp r;
    preflight("/agents", "POST", "authorization, content-type", &r);
    expect_status(&r, 204);
    expect_allow_origin(&r, PAGE_ORIGIN);
    cr_assert(lists(resp_header(&r, "Vary"), "Origin"), "one origin: caches must vary on it");
    http_resp_free(&r);
    const char *origin[] = {"Origin: " PAGE_ORIGIN, NULL};
    struct http_req rq = {.method = "GET", .path = "/agents", .headers = origin};
    http_do(&rq, &r);
    expect_status(&r, 401);
    expect_allow_origin(&r, PAGE_ORIGIN);
    http_resp_free(&r);
    own_mock_stop();

    own_mock_start((const char *const[]){"--no-cors", NULL});
    preflight("/agents", "POST", "authorization", &r);
    cr_assert_neq(r.status, 204, "--no-cors still answers preflights");
    cr_assert_null(resp_header(&r, "Access-Control-Allow-Origin"));
    http_resp_free(&r);
    http_do(&rq, &r);
    expect_status(&r, 401);
    cr_assert_null(resp_header(&r, "Access-Control-Allow-Origin"), "--no-cors sent CORS headers");
    http_resp_free(&r);
    own_mock_stop();
}
