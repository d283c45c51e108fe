/* --admin-token: every /_mock/ route but health needs the token (X-Mock-Admin-Token or
 * Authorization: Bearer); the APIs themselves are not affected. */
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>

static void call_with(const char *method, const char *path, const char *body, const char *header,
                      struct http_resp *r) {
    const char *headers[] = {header, NULL};
    struct http_req req = {.method = method, .path = path, .body = body,
                           .headers = header ? headers : NULL};
    http_do(&req, r);
}

Test(admin_token, guards_every_sandbox_route_but_health, .timeout = 60) {
    static const char *const flags[] = {"--admin-token", "s3cret-token", NULL};
    own_mock_start(flags);
    struct http_resp r;
    call_with("GET", "/_mock/health", NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);

    struct { const char *method, *path, *body; } routes[] = {
        {"POST", "/_mock/orgs", "{}"}, {"GET", "/_mock/orgs/org_acme0sandbox01", NULL},
        {"PATCH", "/_mock/orgs/org_acme0sandbox01", "{\"plan\": \"starter\"}"},
        {"POST", "/_mock/keys/revoke", "{\"key\": \"als_x\"}"}, {"POST", "/_mock/reset", NULL},
        {"GET", "/_mock/clock", NULL}, {"POST", "/_mock/clock", "{\"advance_seconds\": 60}"},
        {"POST", "/_mock/faults", "{\"action\": \"reset\"}"}, {"GET", "/_mock/faults", NULL},
        {"DELETE", "/_mock/faults", NULL}, {"GET", "/_mock/requests", NULL},
        {"DELETE", "/_mock/requests", NULL}, {"GET", "/_mock/report", NULL},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        call_with(routes[i].method, routes[i].path, routes[i].body, NULL, &r);
        expect_error(&r, 401, "missing_auth");
        http_resp_free(&r);
        call_with(routes[i].method, routes[i].path, routes[i].body, "X-Mock-Admin-Token: wrong", &r);
        expect_error(&r, 401, "invalid_admin_token");
        http_resp_free(&r);
    }
    call_with("POST", "/_mock/orgs", "{}", "Authorization: Bearer s3cret-tokenX", &r);
    expect_error(&r, 401, "invalid_admin_token");
    http_resp_free(&r);

    /* nothing above happened: the seeded org is there, the clock did not move */
    const char *seeded = "als_7d000c63d2ffd7422886f26caab11839703ca0ee9de57ca7432053bf9b129cd3";
    http_call("GET", "/agents", seeded, NULL, NULL, &r);
    expect_status(&r, 200); /* and the API does not want the token */
    http_resp_free(&r);

    call_with("GET", "/_mock/clock", NULL, "Authorization: Bearer s3cret-token", &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "offset_seconds"), 0);
    http_resp_free(&r);
    call_with("POST", "/_mock/orgs", "{}", "X-Mock-Admin-Token: s3cret-token", &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    setenv("AGENTMOCK_ADMIN_TOKEN", "s3cret-token", 1); /* the suite's helpers send it */
    struct tenant t;
    tenant_new(&t);
    cr_assert_eq(agent_count(&t), 0);
    unsetenv("AGENTMOCK_ADMIN_TOKEN");
    own_mock_stop();
}
