/* §1-§2 HTTP-level rules: unknown paths, methods, media types, body limits, malformed JSON,
 * request ids, and that bad input never takes the server down. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Allow header as a set: every name in want present, none of the names in forbid. */
static void expect_allow(const struct http_resp *r, const char *const *want, const char *const *forbid) {
    const char *allow = resp_header(r, "Allow");
    cr_assert(allow, "%s: 405 without an Allow header", r->request);
    char buf[256];
    snprintf(buf, sizeof buf, ",%s,", allow);
    /* normalise: drop spaces */
    char norm[256];
    size_t o = 0;
    for (const char *p = buf; *p && o < sizeof norm - 1; p++)
        if (*p != ' ' && *p != '\t') norm[o++] = *p;
    norm[o] = '\0';
    for (; *want; want++)
        cr_assert(strstr(norm, fmt(",%s,", *want)), "%s: Allow \"%s\" lacks %s", r->request, allow, *want);
    for (; forbid && *forbid; forbid++)
        cr_assert(!strstr(norm, fmt(",%s,", *forbid)), "%s: Allow \"%s\" lists %s", r->request, allow,
                  *forbid);
}

static void expect_alive(struct tenant *t) {
    struct http_resp r;
    http_call("GET", "/agents", tkey_min(t, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
}

Test(http, unknown_path_is_404_json) {
    struct tenant t;
    tenant_new(&t);
    struct http_resp r;
    http_call("GET", "/no/such/path", tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(http, unknown_path_under_agents_is_404) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Pathy");
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/nonexistent", jstr(a, "id")), tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(http, put_agents_is_405_with_allow) {
    struct tenant t;
    tenant_new(&t);
    struct http_resp r;
    http_call("PUT", "/agents", tkey(&t, KEY_ADMIN), "{}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    expect_allow(&r, (const char *const[]){"GET", "POST", NULL},
                 (const char *const[]){"PUT", "PATCH", "DELETE", NULL});
    http_resp_free(&r);
}

Test(http, delete_agents_collection_is_405) {
    struct tenant t;
    tenant_new(&t);
    struct http_resp r;
    http_call("DELETE", "/agents", tkey(&t, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    expect_allow(&r, (const char *const[]){"GET", "POST", NULL}, (const char *const[]){"DELETE", NULL});
    http_resp_free(&r);
}

Test(http, put_agent_is_405_with_allow) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Putty");
    struct http_resp r;
    http_call("PUT", fmt("/agents/%s", jstr(a, "id")), tkey(&t, KEY_ADMIN), "{}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    expect_allow(&r, (const char *const[]){"GET", "PATCH", NULL}, (const char *const[]){"PUT", "POST", NULL});
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(http, post_verify_is_405_allow_get) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Verifiable");
    struct http_resp r;
    http_call("POST", fmt("/agents/%s/verify", jstr(a, "id")), tkey(&t, KEY_ADMIN), "{}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    expect_allow(&r, (const char *const[]){"GET", NULL}, (const char *const[]){"POST", NULL});
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(http, get_suspend_is_405_allow_post) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Suspendable");
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/suspend", jstr(a, "id")), tkey(&t, KEY_ADMIN), NULL, NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    expect_allow(&r, (const char *const[]){"POST", NULL}, (const char *const[]){"GET", NULL});
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(http, text_plain_body_is_415) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Plain"));
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, "text/plain", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&t), 0, "a 415 request stored an agent");
    free(body);
}

Test(http, body_without_content_type_is_415) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Untyped"));
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, "", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&t), 0, "a 415 request stored an agent");
    free(body);
}

Test(http, form_urlencoded_body_is_415) {
    struct tenant t;
    tenant_new(&t);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), "name=abc&spending_limit=5",
              "application/x-www-form-urlencoded", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
}

Test(http, json_with_charset_is_accepted) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Charset"));
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, "application/json; charset=utf-8", &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    free(body);
}

Test(http, patch_text_plain_is_415) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Patchy");
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", jstr(a, "id")), tkey_min(&t, KEY_WRITE), "{\"name\":\"Renamed\"}",
              "text/plain", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
    cJSON *now = agent_get(&t, jstr(a, "id"));
    cr_assert_str_eq(jstr(now, "name"), jstr(a, "name"), "a 415 PATCH renamed the agent");
    cJSON_Delete(now);
    cJSON_Delete(a);
}

/* A valid registration padded with an ignored field to exactly `size` bytes. */
static char *padded_body(const char *name, size_t size) {
    char *head = agent_body(name);
    size_t hl = strlen(head); /* ends with '}' */
    const char *mid = ",\"padding\":\"";
    size_t fixed = (hl - 1) + strlen(mid) + 2; /* + closing quote and brace */
    cr_assert(size > fixed, "padded_body: size too small");
    char *b = malloc(size + 1);
    memcpy(b, head, hl - 1);
    size_t o = hl - 1;
    memcpy(b + o, mid, strlen(mid));
    o += strlen(mid);
    size_t pad = size - fixed;
    memset(b + o, 'a', pad);
    o += pad;
    b[o++] = '"';
    b[o++] = '}';
    b[o] = '\0';
    cr_assert_eq(o, size);
    free(head);
    return b;
}

Test(http, body_over_1mib_is_413) {
    struct tenant t;
    tenant_new(&t);
    char *body = padded_body(tname(&t, "Huge"), 1048576 + 1);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_error(&r, 413, "payload_too_large");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&t), 0, "a 413 request stored an agent");
    free(body);
}

Test(http, body_of_8mib_is_413_and_server_alive) {
    struct tenant t;
    tenant_new(&t);
    char *body = padded_body(tname(&t, "Huger"), 8u << 20);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_error(&r, 413, "payload_too_large");
    http_resp_free(&r);
    free(body);
    expect_alive(&t);
}

Test(http, body_of_exactly_1mib_is_accepted) {
    struct tenant t;
    tenant_new(&t);
    char *body = padded_body(tname(&t, "Limit"), 1048576);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_status(&r, 201); /* "over the limit (default 1 MiB)": 1 MiB itself is not over */
    http_resp_free(&r);
    free(body);
}

static void expect_invalid_json(const char *body, size_t len) {
    struct tenant t;
    tenant_new(&t);
    struct http_req req = {.method = "POST", .path = "/agents", .api_key = tkey_min(&t, KEY_WRITE),
                           .body = body, .body_len = len};
    struct http_resp r;
    http_do(&req, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&t), 0, "an invalid_json request stored an agent");
}

Test(http, malformed_json_is_400) { expect_invalid_json("{\"name\": \"Broken\", ", 0); }
Test(http, json_with_trailing_garbage_is_400) {
    expect_invalid_json("{\"name\":\"Ab\",\"authorized_actions\":[\"a\"],\"spending_limit\":1} x", 0);
}
Test(http, json_array_is_400) { expect_invalid_json("[{\"name\":\"Ab\"}]", 0); }
Test(http, json_string_is_400) { expect_invalid_json("\"hello\"", 0); }
Test(http, json_number_is_400) { expect_invalid_json("42", 0); }
Test(http, json_null_is_400) { expect_invalid_json("null", 0); }
Test(http, empty_body_is_400) {
    /* Content-Type: application/json with a zero-length body */
    struct tenant t;
    tenant_new(&t);
    struct http_req req = {.method = "POST", .path = "/agents", .api_key = tkey_min(&t, KEY_WRITE),
                           .content_type = "application/json"};
    struct http_resp r;
    http_do(&req, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
}
Test(http, invalid_utf8_in_string_is_400) {
    static const char body[] =
        "{\"name\":\"Bad \xC3\x28 utf8\",\"authorized_actions\":[\"a\"],\"spending_limit\":1}";
    expect_invalid_json(body, sizeof body - 1);
}
Test(http, overlong_utf8_in_string_is_400) {
    static const char body[] =
        "{\"name\":\"Over\xC0\xAFlong\",\"authorized_actions\":[\"a\"],\"spending_limit\":1}";
    expect_invalid_json(body, sizeof body - 1);
}
Test(http, nul_byte_in_body_is_400) {
    static const char body[] = "{\"name\":\"Nul\0byte\",\"authorized_actions\":[\"a\"],\"spending_limit\":1}";
    expect_invalid_json(body, sizeof body - 1);
}

Test(http, deep_nesting_is_400_and_server_alive) {
    struct tenant t;
    tenant_new(&t);
    size_t n = 10000;
    char *body = malloc(n + 1);
    memset(body, '[', n);
    body[n] = '\0';
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    free(body);
    expect_alive(&t);
}

Test(http, deep_balanced_nesting_inside_object_is_4xx_and_server_alive) {
    struct tenant t;
    tenant_new(&t);
    size_t n = 10000;
    const char *head = "{\"name\":";
    size_t hl = strlen(head);
    char *body = malloc(hl + 2 * n + 2);
    memcpy(body, head, hl);
    memset(body + hl, '[', n);
    memset(body + hl + n, ']', n);
    body[hl + 2 * n] = '}';
    body[hl + 2 * n + 1] = '\0';
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    /* Either the parser refuses the depth (400 invalid_json) or it parses and name is not a
     * string (422 naming name); never a 5xx or a dropped connection. */
    if (r.status == 400) expect_error(&r, 400, "invalid_json");
    else expect_field_error(&r, "name");
    http_resp_free(&r);
    free(body);
    expect_alive(&t);
    cr_assert_eq(agent_count(&t), 0);
}

static bool req_id_shape(const char *v) {
    if (!v || strncmp(v, "req_", 4) || !v[4]) return false;
    for (const char *p = v + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

Test(http, success_responses_carry_request_id) {
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Ided"); /* 201 checked inside */
    const char *paths[] = {"/agents", fmt("/agents/%s", jstr(a, "id")), fmt("/agents/%s/audit", jstr(a, "id"))};
    for (size_t i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("GET", paths[i], tkey_min(&t, KEY_READ), NULL, NULL, &r);
        expect_status(&r, 200);
        cr_assert(req_id_shape(resp_header(&r, "X-Request-Id")), "%s: X-Request-Id missing or not req_<hex>: %s",
                  r.request, resp_header(&r, "X-Request-Id") ? resp_header(&r, "X-Request-Id") : "(none)");
        const char *ct = resp_header(&r, "Content-Type");
        cr_assert(ct && !strncasecmp(ct, "application/json", 16), "%s: Content-Type %s", r.request, ct ? ct : "(none)");
        http_resp_free(&r);
    }
    struct http_resp v;
    http_call("GET", fmt("/agents/%s/verify", jstr(a, "id")), NULL, NULL, NULL, &v);
    expect_status(&v, 200);
    cr_assert(req_id_shape(resp_header(&v, "X-Request-Id")), "verify: X-Request-Id missing");
    http_resp_free(&v);
    cJSON_Delete(a);
}

Test(http, request_ids_are_unique) {
    struct tenant t;
    tenant_new(&t);
    char ids[5][128];
    for (int i = 0; i < 5; i++) {
        struct http_resp r;
        http_call("GET", i % 2 ? "/agents" : "/nope", tkey_min(&t, KEY_READ), NULL, NULL, &r);
        const char *v = expect_request_id(&r);
        snprintf(ids[i], sizeof ids[i], "%s", v);
        for (int j = 0; j < i; j++) cr_assert_str_neq(ids[i], ids[j], "X-Request-Id repeated: %s", ids[i]);
        http_resp_free(&r);
    }
}

Test(http, client_request_id_header_does_not_break_format) {
    /* A caller-sent X-Request-Id is not part of the contract; whatever the server does, its
     * own header must still be req_<hex> and the error body must repeat it. */
    struct http_req req = {.method = "GET", .path = "/agents",
                           .headers = (const char *const[]){"X-Request-Id: not-a-req-id", NULL}};
    struct http_resp r;
    http_do(&req, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
}

Test(http, odd_headers_do_not_crash) {
    struct tenant t;
    tenant_new(&t);
    char *big = malloc(6001);
    memset(big, 'x', 6000);
    big[6000] = '\0';
    char *hdr = malloc(6100);
    snprintf(hdr, 6100, "X-Odd: %s", big);
    struct http_req req = {.method = "GET", .path = "/agents", .api_key = tkey_min(&t, KEY_READ),
                           .headers = (const char *const[]){hdr, "X-Empty;", "Accept: */*", NULL}};
    struct http_resp r;
    http_do(&req, &r);
    cr_assert(r.status > 0 && r.status < 500, "odd headers: got %ld %s", r.status, resp_excerpt(&r));
    http_resp_free(&r);
    free(hdr);
    free(big);
    expect_alive(&t);
}

Test(http, chunked_body_is_read) {
    struct tenant t;
    tenant_new(&t);
    char *body = agent_body(tname(&t, "Chunked"));
    struct http_req req = {.method = "POST", .path = "/agents", .api_key = tkey_min(&t, KEY_WRITE),
                           .body = body, .headers = (const char *const[]){"Transfer-Encoding: chunked", NULL}};
    struct http_resp r;
    http_do(&req, &r);
    expect_status(&r, 201);
    cr_assert_str_eq(jstr(r.json, "name"), tname(&t, "Chunked"));
    http_resp_free(&r);
    free(body);
}

Test(http, chunked_body_over_1mib_is_413) {
    struct tenant t;
    tenant_new(&t);
    char *body = padded_body(tname(&t, "ChunkedHuge"), (1u << 20) + 4096);
    struct http_req req = {.method = "POST", .path = "/agents", .api_key = tkey_min(&t, KEY_WRITE),
                           .body = body, .headers = (const char *const[]){"Transfer-Encoding: chunked", NULL}};
    struct http_resp r;
    http_do(&req, &r);
    expect_error(&r, 413, "payload_too_large");
    http_resp_free(&r);
    free(body);
    expect_alive(&t);
    cr_assert_eq(agent_count(&t), 0);
}
