/* Alter §7 proxy mode: POST /sdk/proxy makes the provider call from the server with the
 * grant's credential injected, refuses the caller's own credentials and targets off the
 * allow-list, and turns a provider that hangs or refuses into a clear 502 upstream_error. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tenant T;

/* An agent and a grant delegated to it, and a provider expecting that grant's credential. */
struct setup {
    cJSON *agent, *grant;
    const char *key, *grant_id;
    struct fake_provider p;
};

static void set_up(struct setup *s, const char *token) {
    tenant_new(&T);
    s->agent = vault_agent(&T, "proxied", NULL);
    s->grant = vault_user_grant(&T, fmt("[\"%s\"]", jstr(s->agent, "id")), token);
    s->key = jstr(s->agent, "api_key");
    s->grant_id = jstr(s->grant, "grant_id");
    fake_provider_start(&s->p, fmt("Bearer %s", token));
}

static void tear_down(struct setup *s) {
    fake_provider_stop(&s->p);
    cJSON_Delete(s->grant);
    cJSON_Delete(s->agent);
}

Test(alter_vault_proxy, the_call_reaches_the_provider_with_the_credential_and_comes_back) {
    struct setup s;
    set_up(&s, "gho_proxy_1");
    const char *trace[] = {"X-Alter-Run-Id: run-proxy", "X-Alter-Parent-Run-Id: run-root",
                           "X-Alter-Trace-tool: github", NULL};
    struct http_resp r;
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "POST", fmt("%s/echo/issues?state=open", s.p.url),
                          "\"headers\": {\"Content-Type\": \"application/json\", "
                          "\"X-Custom\": \"yes\"}, \"body_b64\": \"eyJ0aXRsZSI6ImJ1ZyJ9\", "
                          "\"reason\": \"file the bug\""),
               trace, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "status_code"), 200, "the provider refused: %s", resp_excerpt(&r));
    cr_assert(!jbool(r.json, "body_truncated"));
    cr_assert_str_eq(jstr(jobj(r.json, "headers"), "X-Provider"), "fake");
    cJSON *echo = vault_echo_of(r.json);
    cr_assert_str_eq(jstr(echo, "authorization"), "Bearer gho_proxy_1");
    cr_assert_str_eq(jstr(echo, "method"), "POST");
    cr_assert_str_eq(jstr(echo, "path"), "/echo/issues");
    cr_assert_str_eq(jstr(echo, "query"), "state=open");
    cr_assert_str_eq(jstr(jobj(echo, "headers"), "x-custom"), "yes");
    cr_assert_str_eq(jstr(jobj(echo, "headers"), "content-type"), "application/json");
    cr_assert_str_eq(jstr(echo, "body_b64"), "eyJ0aXRsZSI6ImJ1ZyJ9"); /* {"title":"bug"} */
    /* the audit row: proxy.executed with the trace, the grant and what was called */
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "proxy.executed");
    cr_assert_str_eq(jstr(row, "outcome"), "success");
    cr_assert_str_eq(jstr(row, "grant_id"), s.grant_id);
    cr_assert_str_eq(jstr(row, "run_id"), "run-proxy");
    cr_assert_str_eq(jstr(row, "parent_run_id"), "run-root");
    cr_assert_str_eq(jstr(jobj(row, "trace"), "tool"), "github");
    const cJSON *details = jobj(row, "details");
    cr_assert_str_eq(jstr(details, "url"), fmt("%s/echo/issues?state=open", s.p.url));
    cr_assert_str_eq(jstr(details, "reason"), "file the bug");
    const cJSON *upstream = jobj(details, "upstream");
    cr_assert_eq(jnum(upstream, "status_code"), 200);
    cr_assert_str_eq(jstr(upstream, "request_body_b64"), "eyJ0aXRsZSI6ImJ1ZyJ9");
    cr_assert_str_eq(jstr(upstream, "response_body_b64"), jstr(r.json, "body_b64"));
    cJSON_Delete(row);
    cJSON_Delete(echo);
    http_resp_free(&r);
    /* a provider error is an answer like any other: 200 with its status */
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "DELETE", fmt("%s/status/404", s.p.url), NULL), NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "status_code"), 404);
    http_resp_free(&r);
    cJSON *verify = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(verify, "valid"), "the chain does not verify after proxy calls");
    cJSON_Delete(verify);
    tear_down(&s);
}

Test(alter_vault_proxy, the_callers_own_credentials_are_refused_whatever_their_case) {
    struct setup s;
    set_up(&s, "gho_proxy_2");
    const char *forbidden[] = {
        "Authorization",        "authorization",       "COOKIE", "Cookie", "x-api-key", "X-Api-Key",
        "x-amz-security-token", "X-AMZ-Security-Token"};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        alter_call_field_error(
            "POST", "/sdk/proxy", s.key,
            vault_body(
                s.grant_id, "GET", fmt("%s/echo", s.p.url),
                fmt("\"headers\": {\"X-Fine\": \"1\", \"%s\": \"Bearer mine\"}", forbidden[i])),
            NULL, fmt("headers.%s", forbidden[i]));
    /* and the framing the proxy sets, malformed names and values, duplicates */
    const struct {
        const char *headers, *field;
    } bad[] = {
        {"{\"Host\": \"evil.example\"}", "headers.Host"},
        {"{\"Content-Length\": \"5\"}", "headers.Content-Length"},
        {"{\"Bad Name\": \"x\"}", "headers.Bad Name"},
        {"{\"X-Line\": \"a\\r\\nInjected: 1\"}", "headers.X-Line"},
        {"{\"X-Num\": 5}", "headers.X-Num"},
        {"{\"X-Dup\": \"1\", \"x-dup\": \"2\"}", "headers.x-dup"},
        {"[\"X-A: 1\"]", "headers"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        alter_call_field_error("POST", "/sdk/proxy", s.key,
                               vault_body(s.grant_id, "GET", fmt("%s/echo", s.p.url),
                                          fmt("\"headers\": %s", bad[i].headers)),
                               NULL, bad[i].field);
    cr_assert_eq(fake_provider_hits(&s.p), 0, "a refused call reached the provider");
    tear_down(&s);
}

Test(alter_vault_proxy, only_allow_listed_targets_are_called) {
    struct setup s;
    set_up(&s, "gho_proxy_3");
    /* the default allow-list is loopback: nothing else is even connected to */
    const char *outside[] = {"http://example.com/echo", "https://10.1.2.3/echo",
                             "http://192.168.0.1:8080/", "http://[2001:db8::1]/",
                             "http://localhost.example.com/"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        alter_call_field_error("POST", "/sdk/proxy", s.key,
                               vault_body(s.grant_id, "GET", outside[i], NULL), NULL, "url");
    /* every loopback form is on it: 127.0.0.0/8, localhost */
    struct http_resp r;
    int port = atoi(strrchr(s.p.url, ':') + 1);
    const char *inside[] = {fmt("http://localhost:%d/echo", port),
                            fmt("http://127.0.0.1:%d/echo", port)};
    for (size_t i = 0; i < 2; i++) {
        vault_post("/sdk/proxy", s.key, vault_body(s.grant_id, "GET", inside[i], NULL), NULL, &r);
        expect_status(&r, 200);
        cr_assert_eq(jnum(r.json, "status_code"), 200, "%s: %s", inside[i], resp_excerpt(&r));
        http_resp_free(&r);
    }
    /* other body rules */
    const struct {
        const char *extra, *field;
    } bad[] = {
        {"\"body_b64\": \"not base64!\"", "body_b64"}, {"\"body_b64\": \"YWJj=\"", "body_b64"},
        {"\"timeout_ms\": 0", "timeout_ms"},           {"\"timeout_ms\": 1.5", "timeout_ms"},
        {"\"timeout_ms\": 86400000", "timeout_ms"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        alter_call_field_error("POST", "/sdk/proxy", s.key,
                               vault_body(s.grant_id, "GET", inside[1], bad[i].extra), NULL,
                               bad[i].field);
    tear_down(&s);
}

Test(alter_vault_proxy, a_provider_that_hangs_or_refuses_is_a_502_upstream_error) {
    struct setup s;
    set_up(&s, "gho_proxy_4");
    struct http_resp r;
    double start = vault_now_ms();
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "GET", fmt("%s/hang", s.p.url), "\"timeout_ms\": 300"), NULL,
               &r);
    double took = vault_now_ms() - start;
    expect_alter_error(&r, 502, "upstream_error");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "reason"), "timeout");
    cr_assert_eq(jnum(jobj(r.json, "details"), "timeout_ms"), 300);
    cr_assert(took >= 250 && took < 3000, "a 300 ms timeout took %.0f ms", took);
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "proxy.executed");
    cr_assert_str_eq(jstr(row, "outcome"), "error");
    cr_assert_eq(jnum(row, "status_code"), 502);
    cr_assert_str_eq(jstr(jobj(jobj(row, "details"), "upstream"), "error"), "timeout");
    cJSON_Delete(row);
    http_resp_free(&r);
    /* nothing listens on a port we just closed */
    fake_provider_stop(&s.p);
    vault_post("/sdk/proxy", s.key, vault_body(s.grant_id, "GET", fmt("%s/echo", s.p.url), NULL),
               NULL, &r);
    expect_alter_error(&r, 502, "upstream_error");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "reason"), "connection_refused");
    http_resp_free(&r);
    tear_down(&s);
}

/* A provider's header that is no HTTP token, or not UTF-8, cannot be carried in a JSON answer:
 * it is left out, and the answer stays valid UTF-8 JSON. */
Test(alter_vault_proxy, provider_headers_that_are_not_tokens_or_utf8_are_left_out) {
    struct setup s;
    set_up(&s, "gho_proxy_6");
    struct http_resp r;
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "GET", fmt("%s/odd-headers", s.p.url), NULL), NULL, &r);
    expect_status(&r, 200);
    cr_assert_not_null(r.json, "the answer is not JSON: %s", resp_excerpt(&r));
    for (size_t i = 0; i < r.body_len; i++)
        cr_assert((unsigned char)r.body[i] < 0x80, "a byte outside ASCII reached the answer: %s",
                  resp_excerpt(&r));
    const cJSON *headers = jobj(r.json, "headers");
    cr_assert_str_eq(jstr(headers, "X-Good"), "yes");
    const cJSON *h;
    cJSON_ArrayForEach(h, headers) {
        cr_assert(strcmp(h->string, "X Spaced") && strcmp(h->string, "(Paren)") &&
                      strncmp(h->string, "X-Name-", 7) && strcmp(h->string, "X-Value"),
                  "header %s was carried", h->string);
    }
    http_resp_free(&r);
    tear_down(&s);
}

Test(alter_vault_proxy, big_bodies_are_cut_at_10_KiB_on_the_audit_row_and_at_1_MiB_in_the_answer) {
    struct setup s;
    set_up(&s, "gho_proxy_5");
    struct http_resp r;
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "GET", fmt("%s/bytes/20000", s.p.url), NULL), NULL, &r);
    expect_status(&r, 200);
    size_t len = 0;
    free(vault_b64_text(jstr(r.json, "body_b64"), &len));
    cr_assert_eq(len, 20000, "the answer carries the whole body");
    cr_assert(!jbool(r.json, "body_truncated"));
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    const cJSON *upstream = jobj(jobj(row, "details"), "upstream");
    cr_assert(jbool(upstream, "response_body_truncated"));
    free(vault_b64_text(jstr(upstream, "response_body_b64"), &len));
    cr_assert_eq(len, 10240, "the audit row keeps the first 10 KiB");
    cJSON_Delete(row);
    http_resp_free(&r);
    vault_post("/sdk/proxy", s.key,
               vault_body(s.grant_id, "GET", fmt("%s/bytes/1100000", s.p.url), NULL), NULL, &r);
    expect_status(&r, 200);
    free(vault_b64_text(jstr(r.json, "body_b64"), &len));
    cr_assert_eq(len, 1048576);
    cr_assert(jbool(r.json, "body_truncated"), "a body over 1 MiB is cut and says so");
    http_resp_free(&r);
    tear_down(&s);
}
