/* §6 webhook endpoints: register, list, get, update, delete, admin-only access, every
 * validation rule, and the sandbox's delivery settings (the allow-list and forwarding are in
 * webhooks_sandbox.c). */
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

#define HOOK_URL "http://127.0.0.1:9/hook"

static void expect_webhook_shape(const cJSON *w, const char *org_id) {
    char *s = cJSON_PrintUnformatted(w);
    cr_assert(has_prefix_alnum(jstr(w, "id"), "wh_"), "id: %s", s);
    if (org_id[0]) cr_assert_str_eq(jstr(w, "org_id"), org_id, "%s", s);
    cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(w, "url")), "url: %s", s);
    cr_assert(cJSON_GetArraySize(jarr(w, "events")) >= 1, "events: %s", s);
    cr_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(w, "active")), "active: %s", s);
    cr_assert(jnum(w, "consecutive_failures") >= 0, "%s", s);
    cr_assert(is_rfc3339_utc_seconds(jstr(w, "created_at")), "created_at: %s", s);
    cr_assert(is_rfc3339_utc_seconds(jstr(w, "updated_at")), "updated_at: %s", s);
    free(s);
}

static void expect_no_secret(const cJSON *w, const char *where) {
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(w, "secret"), "%s shows the secret", where);
}

/* The endpoints of t with exactly this url.  A live tenant is shared (endpoints from earlier
 * runs, tests running in parallel): a test that checks what was stored gives its endpoints a
 * url of its own (own_hook_url) and counts those, never the whole list. */
static int webhooks_with_url(struct tenant *t, const char *url) {
    struct http_resp r;
    http_call("GET", "/webhooks", tkey_min(t, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    int n = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, jarr(r.json, "data")) n += !strcmp(jstr(w, "url"), url);
    http_resp_free(&r);
    return n;
}

/* HOOK_URL with the tenant's random tag: no other test or run uses it. */
static const char *own_hook_url(const struct tenant *t) {
    return fmt(HOOK_URL "/%s", t->tag);
}

/* The position of the endpoint with that id in a list's data, or -1. */
static int index_of(const cJSON *data, const char *id) {
    int i = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, data) {
        if (!strcmp(jstr(w, "id"), id)) return i;
        i++;
    }
    return -1;
}

Test(webhooks, register_returns_the_endpoint_and_its_secret_once) {
    tenant_new(&T);
    cJSON *w = webhook_create(&T, HOOK_URL, "[\"agent.registered\",\"agent.deleted\"]");
    expect_webhook_shape(w, T.org_id);
    cr_assert_str_eq(jstr(w, "url"), HOOK_URL);
    const cJSON *events = jarr(w, "events");
    cr_assert_eq(cJSON_GetArraySize(events), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(events, 0)->valuestring, "agent.registered");
    cr_assert_str_eq(cJSON_GetArrayItem(events, 1)->valuestring, "agent.deleted");
    cr_assert(jbool(w, "active"));
    cr_assert_eq(jnum(w, "consecutive_failures"), 0);
    const char *secret = jstr(w, "secret");
    cr_assert(strlen(secret) == 38 && !strncmp(secret, "whsec_", 6) &&
                  strspn(secret + 6, "0123456789abcdef") == 32,
              "secret is not whsec_ + 32 hex: %s", secret);

    if (!ext_skipped()) {
        cJSON *g = webhook_get(&T, jstr(w, "id"));
        expect_no_secret(g, "GET /webhooks/{id}");
        cr_assert_str_eq(jstr(g, "id"), jstr(w, "id"));
        cr_assert_str_eq(jstr(g, "created_at"), jstr(w, "created_at"));
        cJSON_Delete(g);
        struct http_resp r;
        http_call("GET", "/webhooks", tkey_min(&T, KEY_ADMIN), NULL, NULL, &r);
        expect_status(&r, 200);
        expect_no_secret(cJSON_GetArrayItem(jarr(r.json, "data"), 0), "GET /webhooks");
        http_resp_free(&r);
        http_call("PATCH", fmt("/webhooks/%s", jstr(w, "id")), tkey_min(&T, KEY_ADMIN),
                  "{\"events\":[\"*\"]}", NULL, &r);
        expect_status(&r, 200);
        expect_no_secret(r.json, "PATCH /webhooks/{id}");
        http_resp_free(&r);
    }
    cJSON_Delete(w);
}

Test(webhooks, every_route_needs_an_admin_key) {
    tenant_new(&T);
    char url[128];
    snprintf(url, sizeof url, "%s", own_hook_url(&T));
    cJSON *w = webhook_create(&T, url, "[\"*\"]");
    const char *id = jstr(w, "id");
    struct {
        const char *method, *path, *body;
    } calls[] = {
        {"POST", "/webhooks", fmt("{\"url\":\"%s\",\"events\":[\"*\"]}", url)},
        {"GET", "/webhooks", NULL},
        {"GET", fmt("/webhooks/%s", id), NULL},
        {"PATCH", fmt("/webhooks/%s", id), "{\"active\":false}"},
        {"DELETE", fmt("/webhooks/%s", id), NULL},
        {"POST", fmt("/webhooks/%s/test", id), NULL},
        {"GET", fmt("/webhooks/%s/deliveries", id), NULL},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        if (i > 0 && ext_skipped()) break;
        for (int level = KEY_READ; level <= KEY_WRITE; level++) {
            struct http_resp r;
            http_call(calls[i].method, calls[i].path, tkey(&T, level), calls[i].body, NULL, &r);
            expect_error(&r, 403, "forbidden");
            http_resp_free(&r);
        }
        struct http_resp r;
        http_call(calls[i].method, calls[i].path, NULL, calls[i].body, NULL, &r);
        expect_error(&r, 401, "missing_auth");
        http_resp_free(&r);
    }
    if (!ext_skipped()) {
        cr_assert_eq(webhooks_with_url(&T, url), 1, "a refused call stored or removed an endpoint");
        cJSON *g = webhook_get(&T, id);
        cr_assert(jbool(g, "active"), "a refused PATCH changed the endpoint");
        cJSON_Delete(g);
    }
    cJSON_Delete(w);
}

/* POST /webhooks with body must be a 422 naming `field`, and store nothing. */
static void expect_rejected(const char *body, const char *field) {
    struct http_resp r;
    http_call("POST", "/webhooks", tkey_min(&T, KEY_ADMIN), body, NULL, &r);
    if (r.status != 422)
        cr_assert_fail("POST /webhooks %s: expected 422 naming %s, got %ld: %s", body, field,
                       r.status, resp_excerpt(&r));
    expect_field_error(&r, field);
    http_resp_free(&r);
}

Test(webhooks, register_validates_url_and_events) {
    tenant_new(&T);
    char url[128]; /* %s in the bodies below */
    snprintf(url, sizeof url, "%s", own_hook_url(&T));
    char long_url[2100];
    snprintf(long_url, sizeof long_url, "{\"url\":\"http://127.0.0.1/%02040d\",\"events\":[\"*\"]}", 0);
    struct {
        const char *body, *field;
    } cases[] = {
        {"{\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"%s\"}", "events"},
        {"{\"url\":42,\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"/hook\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"127.0.0.1:9/hook\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"ftp://127.0.0.1/hook\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"http://\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"\",\"events\":[\"*\"]}", "url"},
        {long_url, "url"},
        {"{\"url\":\"%s\",\"events\":[]}", "events"},
        {"{\"url\":\"%s\",\"events\":\"agent.registered\"}", "events"},
        {"{\"url\":\"%s\",\"events\":null}", "events"},
        {"{\"url\":\"%s\",\"events\":[\"agent.registered\",\"agent.updated\",\"agent.nope\"]}",
         "events[2]"},
        {"{\"url\":\"%s\",\"events\":[\"agent.registered\",7]}", "events[1]"},
        {"{\"url\":\"%s\",\"events\":[\"agent.registered\",\"*\"]}", "events[1]"},
        {"{\"url\":\"%s\",\"events\":[\"agent.deleted\",\"agent.deleted\"]}", "events[1]"},
        {"{\"url\":\"%s\",\"events\":[\"AGENT.REGISTERED\"]}", "events[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_rejected(fmt(cases[i].body, url), cases[i].field);
    /* every invalid element is named, not only the first */
    struct http_resp r;
    http_call("POST", "/webhooks", tkey_min(&T, KEY_ADMIN),
              "{\"url\":\"nope\",\"events\":[\"x\",\"agent.registered\",\"y\"]}", NULL, &r);
    expect_field_error(&r, "url");
    expect_field_error(&r, "events[0]");
    expect_field_error(&r, "events[2]");
    http_resp_free(&r);
    if (!ext_skipped())
        cr_assert_eq(webhooks_with_url(&T, url), 0, "a rejected registration was stored");
    /* the longest URL allowed is accepted */
    char ok_body[2200];
    snprintf(ok_body, sizeof ok_body, "{\"url\":\"http://127.0.0.1/%02031d\",\"events\":[\"*\"]}", 0);
    http_call("POST", "/webhooks", tkey_min(&T, KEY_ADMIN), ok_body, NULL, &r);
    expect_status(&r, 201);
    cr_assert_eq(strlen(jstr(r.json, "url")), 2048);
    http_resp_free(&r);
}

Test(webhooks, every_known_event_and_the_wildcard_are_accepted) {
    tenant_new(&T);
    cJSON *w = webhook_create(&T, HOOK_URL,
                              "[\"agent.registered\",\"agent.updated\",\"agent.suspended\","
                              "\"agent.reactivated\",\"agent.deleted\",\"transaction.completed\","
                              "\"transaction.failed\",\"transaction.reversed\","
                              "\"trust.score_changed\",\"trust.dispute_filed\"]");
    cr_assert_eq(cJSON_GetArraySize(jarr(w, "events")), 10);
    cJSON *all = webhook_create(&T, HOOK_URL, "[\"*\"]");
    cr_assert_str_eq(cJSON_GetArrayItem(jarr(all, "events"), 0)->valuestring, "*");
    cJSON_Delete(w);
    cJSON_Delete(all);
}

Test(webhooks, list_is_newest_first_and_per_org) {
    require_ext();
    tenant_new(&T);
    cJSON *a = webhook_create(&T, "http://127.0.0.1:9/a", "[\"*\"]");
    cJSON *b = webhook_create(&T, "http://127.0.0.1:9/b", "[\"*\"]");
    struct tenant other;
    tenant_other(&other);
    cJSON *o = webhook_create(&other, "http://127.0.0.1:9/other", "[\"*\"]");
    struct http_resp r;
    http_call("GET", "/webhooks", tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    const cJSON *data = jarr(r.json, "data");
    /* a live tenant may hold other endpoints, some made while this test runs: positions and
     * membership are checked, the length only on a fresh mock org */
    if (target_is_mock()) cr_assert_eq(cJSON_GetArraySize(data), 2, "%s", resp_excerpt(&r));
    int ia = index_of(data, jstr(a, "id")), ib = index_of(data, jstr(b, "id"));
    cr_assert(ib >= 0 && ia > ib, "newest first: b at %d, a at %d: %s", ib, ia, resp_excerpt(&r));
    cr_assert_eq(index_of(data, jstr(o, "id")), -1, "another org's endpoint is listed");
    expect_webhook_shape(cJSON_GetArrayItem(data, ib), T.org_id);
    http_resp_free(&r);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(o);
}

Test(webhooks, another_orgs_endpoint_is_not_found) {
    require_ext();
    tenant_new(&T);
    struct tenant other;
    tenant_other(&other);
    cJSON *w = webhook_create(&other, HOOK_URL, "[\"*\"]");
    const char *id = jstr(w, "id");
    struct {
        const char *method, *path, *body;
    } calls[] = {
        {"GET", fmt("/webhooks/%s", id), NULL},
        {"PATCH", fmt("/webhooks/%s", id), "{\"active\":false}"},
        {"POST", fmt("/webhooks/%s/test", id), NULL},
        {"GET", fmt("/webhooks/%s/deliveries", id), NULL},
        {"DELETE", fmt("/webhooks/%s", id), NULL},
        {"GET", "/webhooks/wh_0000000000000000", NULL},
        {"GET", "/webhooks/not-an-id", NULL},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        struct http_resp r;
        http_call(calls[i].method, calls[i].path, tkey(&T, KEY_ADMIN), calls[i].body, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
    cJSON *g = webhook_get(&other, id);
    cr_assert(jbool(g, "active"), "another org's PATCH reached the endpoint");
    cJSON_Delete(g);
    cJSON_Delete(w);
}

Test(webhooks, update_changes_url_events_and_active) {
    require_ext();
    tenant_new(&T);
    cJSON *w = webhook_create(&T, HOOK_URL, "[\"agent.registered\"]");
    const char *id = jstr(w, "id");
    cJSON *u = NULL;
    struct http_resp r;
    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN),
              "{\"url\":\"http://localhost:9/new\",\"events\":[\"agent.suspended\",\"agent.deleted\"]}",
              NULL, &r);
    expect_status(&r, 200);
    u = r.json;
    expect_webhook_shape(u, T.org_id);
    cr_assert_str_eq(jstr(u, "url"), "http://localhost:9/new");
    cr_assert_eq(cJSON_GetArraySize(jarr(u, "events")), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(jarr(u, "events"), 1)->valuestring, "agent.deleted");
    cr_assert_str_eq(jstr(u, "id"), id);
    cr_assert_str_eq(jstr(u, "created_at"), jstr(w, "created_at"));
    cr_assert(strcmp(jstr(u, "updated_at"), jstr(w, "updated_at")) >= 0);
    http_resp_free(&r);

    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), "{\"active\":false}", NULL, &r);
    expect_status(&r, 200);
    cr_assert_not(jbool(r.json, "active"));
    cr_assert_str_eq(jstr(r.json, "url"), "http://localhost:9/new", "PATCH changed what it was not given");
    http_resp_free(&r);
    cJSON *g = webhook_get(&T, id);
    cr_assert_not(jbool(g, "active"));
    cJSON_Delete(g);

    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), "{\"active\":true}", NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "active"));
    cr_assert_eq(jnum(r.json, "consecutive_failures"), 0);
    http_resp_free(&r);
    cJSON_Delete(w);
}

Test(webhooks, update_validates_and_changes_nothing_when_invalid) {
    require_ext();
    tenant_new(&T);
    cJSON *w = webhook_create(&T, HOOK_URL, "[\"agent.registered\"]");
    const char *id = jstr(w, "id");
    struct {
        const char *body, *field;
    } cases[] = {
        {"{\"active\":\"yes\"}", "active"},
        {"{\"active\":null}", "active"},
        {"{\"events\":[]}", "events"},
        {"{\"events\":[\"agent.registered\",\"nope\"]}", "events[1]"},
        {"{\"url\":\"mailto:a@b.c\"}", "url"},
        {"{\"url\":null}", "url"},
        {"{\"secret\":\"whsec_00000000000000000000000000000000\"}", "secret"},
        {"{\"id\":\"wh_other\"}", "id"},
        {"{\"consecutive_failures\":0}", "consecutive_failures"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_resp r;
        http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), cases[i].body, NULL, &r);
        if (r.status != 422)
            cr_assert_fail("PATCH %s: expected 422 naming %s, got %ld: %s", cases[i].body,
                           cases[i].field, r.status, resp_excerpt(&r));
        expect_field_error(&r, cases[i].field);
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), "[1]", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("PATCH", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), "{\"active\":false}",
              "text/plain", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
    cJSON *g = webhook_get(&T, id);
    cr_assert(jbool(g, "active"));
    cr_assert_str_eq(jstr(g, "url"), HOOK_URL);
    cr_assert_eq(cJSON_GetArraySize(jarr(g, "events")), 1);
    cr_assert_str_eq(cJSON_GetArrayItem(jarr(g, "events"), 0)->valuestring, "agent.registered");
    cJSON_Delete(g);
    cJSON_Delete(w);
}

Test(webhooks, delete_is_204_and_then_the_endpoint_is_gone) {
    require_ext();
    tenant_new(&T);
    char url[128];
    snprintf(url, sizeof url, "%s", own_hook_url(&T));
    cJSON *w = webhook_create(&T, url, "[\"*\"]");
    const char *id = jstr(w, "id");
    struct http_resp r;
    http_call("DELETE", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 204);
    cr_assert_eq(r.body_len, 0, "204 with a body: %s", r.body);
    http_resp_free(&r);
    http_call("GET", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("DELETE", fmt("/webhooks/%s", id), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cr_assert_eq(webhooks_with_url(&T, url), 0);
    cJSON_Delete(w);
}

Test(webhooks, unsupported_methods_are_405_with_allow) {
    require_ext();
    tenant_new(&T);
    struct http_resp r;
    http_call("PUT", "/webhooks/wh_0000000000000000", tkey(&T, KEY_ADMIN), "{}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    const char *allow = resp_header(&r, "Allow");
    cr_assert(allow && strstr(allow, "GET") && strstr(allow, "PATCH") && strstr(allow, "DELETE"),
              "Allow: %s", allow ? allow : "(none)");
    http_resp_free(&r);
    http_call("DELETE", "/webhooks", tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    http_resp_free(&r);
}

Test(webhooks, deliveries_validates_its_page) {
    require_ext();
    tenant_new(&T);
    cJSON *w = webhook_create(&T, HOOK_URL, "[\"*\"]");
    const char *id = jstr(w, "id");
    const char *bad[][2] = {{"limit=0", "limit"},   {"limit=101", "limit"}, {"page=0", "page"},
                            {"page=-1", "page"},    {"limit=ten", "limit"}, {"page=1.5", "page"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct http_resp r;
        http_call("GET", fmt("/webhooks/%s/deliveries?%s", id, bad[i][0]), tkey(&T, KEY_ADMIN),
                  NULL, NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("GET", fmt("/webhooks/%s/deliveries", id), tkey(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(r.json, "data")), 0);
    const cJSON *p = jobj(r.json, "pagination");
    cr_assert_eq(jnum(p, "page"), 1);
    cr_assert_eq(jnum(p, "limit"), 20);
    cr_assert_eq(jnum(p, "total"), 0);
    http_resp_free(&r);
    cJSON_Delete(w);
}

Test(webhook_settings, sandbox_settings_validate_and_apply) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    http_call("GET", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "retry_base_ms"), 60000, "%s", resp_excerpt(&r));
    cr_assert_eq(jnum(r.json, "max_attempts"), 8);
    cr_assert_eq(jnum(r.json, "timeout_ms"), 10000);
    http_resp_free(&r);

    http_call("PATCH", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL,
              "{\"retry_base_ms\":0,\"max_attempts\":21,\"timeout_ms\":1.5}", NULL, &r);
    expect_field_error(&r, "retry_base_ms");
    expect_field_error(&r, "max_attempts");
    expect_field_error(&r, "timeout_ms");
    http_resp_free(&r);
    http_call("PATCH", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL,
              "{\"max_attempts\":\"3\"}", NULL, &r);
    expect_field_error(&r, "max_attempts");
    http_resp_free(&r);
    http_call("PATCH", "/_mock/orgs/org_doesnotexist00/webhook-settings", NULL,
              "{\"max_attempts\":3}", NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);

    http_call("PATCH", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL,
              "{\"retry_base_ms\":100,\"max_attempts\":3}", NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "retry_base_ms"), 100);
    cr_assert_eq(jnum(r.json, "max_attempts"), 3);
    cr_assert_eq(jnum(r.json, "timeout_ms"), 10000, "a PATCH changed what it was not given");
    http_resp_free(&r);
    http_call("PATCH", fmt("/_mock/orgs/%s/webhook-settings", T.org_id), NULL,
              "{\"retry_base_ms\":null}", NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "retry_base_ms"), 60000, "null goes back to the server default");
    cr_assert_eq(jnum(r.json, "max_attempts"), 3);
    http_resp_free(&r);
}
