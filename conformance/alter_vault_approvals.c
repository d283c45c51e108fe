/* Alter §7 approvals: with require_approval a proxy call answers 202 and waits; the sandbox
 * approves (the call runs once, on its own, and its result is readable), denies, or lets it
 * expire on the virtual clock; an upstream that refuses or hangs makes it fail.  Every step is
 * an audit row carrying the asking request's trace. */
#include "alter_vault_harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tenant T;

struct setup {
    cJSON *agent, *grant;
    const char *key, *grant_id;
    struct fake_provider p;
};

static void set_up(struct setup *s) {
    tenant_new(&T);
    s->agent = vault_agent(&T, "gated", "{\"require_approval\": true}");
    s->grant = vault_user_grant(&T, fmt("[\"%s\"]", jstr(s->agent, "id")), "gho_gated");
    s->key = jstr(s->agent, "api_key");
    s->grant_id = jstr(s->grant, "grant_id");
    fake_provider_start(&s->p, "Bearer gho_gated");
}

static void tear_down(struct setup *s) {
    fake_provider_stop(&s->p);
    cJSON_Delete(s->grant);
    cJSON_Delete(s->agent);
}

/* POST /sdk/proxy to url (extra body members may be NULL) with a trace; asserts 202 and
 * returns the pending approval.  rid receives the request's X-Request-Id. */
static cJSON *ask(struct setup *s, const char *url, const char *extra, char rid[64]) {
    const char *trace[] = {fmt("X-Alter-Run-Id: run-%s", T.tag), "X-Alter-Thread-Id: approvals",
                           "X-Alter-Trace-ticket: T-7", NULL};
    struct http_resp r;
    vault_post("/sdk/proxy", s->key, vault_body(s->grant_id, "POST", url, extra), trace, &r);
    cr_assert(r.status == 202 && r.json, "expected 202 pending, got %ld: %s", r.status,
              resp_excerpt(&r));
    snprintf(rid, 64, "%s", resp_header(&r, "X-Request-Id"));
    cJSON *a = r.json;
    r.json = NULL;
    http_resp_free(&r);
    cr_assert(is_uuid_v4(jstr(a, "approval_id")));
    cr_assert_str_eq(jstr(a, "status"), "pending");
    cr_assert(is_rfc3339_utc_seconds(jstr(a, "expires_at")));
    cr_assert(jnull(a, "decided_at") && jnull(a, "executed_at") && jnull(a, "decision_reason"));
    cr_assert(!jbool(a, "has_result"));
    return a;
}

static const char *id_of(const cJSON *approval) {
    return jstr(approval, "approval_id");
}

/* Every row of the request rid carries its trace, agent and grant. */
static void expect_trace_on_rows(const cJSON *rows, struct setup *s) {
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        cr_assert_str_eq(jstr(row, "run_id"), fmt("run-%s", T.tag), "%s", jstr(row, "action"));
        cr_assert_str_eq(jstr(row, "thread_id"), "approvals");
        cr_assert_str_eq(jstr(jobj(row, "trace"), "ticket"), "T-7");
        cr_assert_str_eq(jstr(row, "grant_id"), s->grant_id);
        cr_assert_str_eq(jstr(row, "agent_id"), jstr(s->agent, "id"));
        cr_assert_str_eq(jstr(row, "caller_type"), "agent");
    }
}

Test(alter_vault_approvals, approved_the_call_runs_once_and_its_result_is_readable) {
    struct setup s;
    set_up(&s);
    char rid[64];
    cJSON *pending = ask(&s, fmt("%s/echo/deploy", s.p.url), "\"body_b64\": \"Z28=\"", rid);
    /* the approval_url is where the sandbox shows it */
    const char *url = jstr(pending, "approval_url");
    cr_assert(strstr(url, fmt("/_mock/alter/approvals/%s", id_of(pending))), "%s", url);
    cJSON *shown = vault_admin("GET", strstr(url, "/_mock/"), NULL, 200);
    cr_assert_str_eq(jstr(shown, "org_id"), T.org_id);
    cr_assert_str_eq(jstr(jobj(shown, "request"), "url"), fmt("%s/echo/deploy", s.p.url));
    /* nothing ran yet: no result, the provider untouched */
    struct http_resp r;
    alter_http("GET", fmt("/sdk/approvals/%s/result", id_of(pending)), s.key, NULL, NULL, &r);
    expect_alter_error(&r, 409, "approval_not_executed");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "status"), "pending");
    http_resp_free(&r);
    cr_assert_eq(fake_provider_hits(&s.p), 0);
    cJSON *decided = vault_admin("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)),
                                 "{\"reason\": \"looks right\"}", 200);
    const char *after = jstr(decided, "status");
    cr_assert(!strcmp(after, "executing") || !strcmp(after, "executed"), "%s", after);
    cr_assert_str_eq(jstr(decided, "decision_reason"), "looks right");
    cJSON *done = vault_await(s.key, id_of(pending), 10000);
    cr_assert_str_eq(jstr(done, "status"), "executed");
    cr_assert(jbool(done, "has_result") && is_rfc3339_utc_seconds(jstr(done, "executed_at")) &&
              is_rfc3339_utc_seconds(jstr(done, "decided_at")) && jnull(done, "error"));
    cJSON *result =
        alter_expect("GET", fmt("/sdk/approvals/%s/result", id_of(pending)), s.key, NULL, 200);
    cr_assert_eq(jnum(result, "status_code"), 200);
    cJSON *echo = vault_echo_of(result);
    cr_assert_str_eq(jstr(echo, "authorization"), "Bearer gho_gated");
    cr_assert_str_eq(jstr(echo, "method"), "POST");
    cr_assert_str_eq(jstr(echo, "body_b64"), "Z28=");
    cr_assert_eq(fake_provider_hits(&s.p), 1, "the approved call ran once");
    /* decided once only */
    http_call("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)), NULL, NULL, NULL,
              &r);
    expect_error(&r, 409, "approval_not_pending");
    http_resp_free(&r);
    http_call("POST", fmt("/_mock/alter/approvals/%s/deny", id_of(pending)), NULL, NULL, NULL, &r);
    expect_error(&r, 409, "approval_not_pending");
    http_resp_free(&r);
    cr_assert_eq(fake_provider_hits(&s.p), 1);
    /* the story on the audit chain, every step with the asking request's trace */
    cJSON *rows = vault_rows_of(&T, rid);
    expect_trace_on_rows(rows, &s);
    const cJSON *requested = vault_row(rows, "approval.requested");
    cr_assert_eq(jnum(requested, "status_code"), 202);
    cr_assert_str_eq(jstr(jobj(requested, "details"), "approval_id"), id_of(pending));
    cr_assert_str_eq(jstr(jobj(vault_row(rows, "approval.approved"), "details"), "reason"),
                     "looks right");
    const cJSON *executed = vault_row(rows, "approval.executed");
    cr_assert_str_eq(jstr(executed, "outcome"), "success");
    cr_assert_eq(jnum(jobj(jobj(executed, "details"), "upstream"), "status_code"), 200);
    cJSON *verify = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(verify, "valid"));
    VAULT_DELETE(pending, shown, decided, done, result, echo, rows, verify);
    tear_down(&s);
}

Test(alter_vault_approvals, denied_the_call_never_runs) {
    struct setup s;
    set_up(&s);
    char rid[64];
    cJSON *pending = ask(&s, fmt("%s/echo", s.p.url), NULL, rid);
    cJSON *denied = vault_admin("POST", fmt("/_mock/alter/approvals/%s/deny", id_of(pending)),
                                "{\"reason\": \"not today\"}", 200);
    cr_assert_str_eq(jstr(denied, "status"), "denied");
    cJSON *read = alter_expect("GET", fmt("/sdk/approvals/%s", id_of(pending)), s.key, NULL, 200);
    cr_assert_str_eq(jstr(read, "status"), "denied");
    cr_assert_str_eq(jstr(read, "decision_reason"), "not today");
    cr_assert(is_rfc3339_utc_seconds(jstr(read, "decided_at")) && jnull(read, "executed_at") &&
              !jbool(read, "has_result"));
    struct http_resp r;
    alter_http("GET", fmt("/sdk/approvals/%s/result", id_of(pending)), s.key, NULL, NULL, &r);
    expect_alter_error(&r, 409, "approval_not_executed");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "status"), "denied");
    http_resp_free(&r);
    http_call("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)), NULL, NULL, NULL,
              &r);
    expect_error(&r, 409, "approval_not_pending");
    cr_assert_str_eq(jstr(jobj(jobj(r.json, "error"), "details"), "status"), "denied");
    http_resp_free(&r);
    cr_assert_eq(fake_provider_hits(&s.p), 0, "a denied call reached the provider");
    cJSON *rows = vault_rows_of(&T, rid);
    expect_trace_on_rows(rows, &s);
    cr_assert_str_eq(jstr(vault_row(rows, "approval.denied"), "outcome"), "denied");
    cJSON_Delete(rows);
    cJSON_Delete(read);
    cJSON_Delete(denied);
    cJSON_Delete(pending);
    tear_down(&s);
}

Test(alter_vault_approvals, an_upstream_that_refuses_or_a_revoked_grant_fails_the_approval) {
    struct setup s;
    set_up(&s);
    char rid[64], rid2[64];
    char url[96];
    snprintf(url, sizeof url, "%s/echo", s.p.url);
    fake_provider_stop(&s.p); /* its port now refuses */
    cJSON *pending = ask(&s, url, NULL, rid);
    cJSON *decided =
        vault_admin("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)), NULL, 200);
    cJSON *failed = vault_await(s.key, id_of(pending), 10000);
    cr_assert_str_eq(jstr(failed, "status"), "failed");
    cr_assert(!jbool(failed, "has_result"));
    cr_assert_str_eq(jstr(jobj(failed, "error"), "code"), "upstream_error");
    cr_assert_str_eq(jstr(jobj(jobj(failed, "error"), "details"), "reason"), "connection_refused");
    struct http_resp r;
    alter_http("GET", fmt("/sdk/approvals/%s/result", id_of(pending)), s.key, NULL, NULL, &r);
    expect_alter_error(&r, 409, "approval_not_executed");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "status"), "failed");
    cr_assert_str_eq(jstr(jobj(jobj(r.json, "details"), "error"), "code"), "upstream_error");
    http_resp_free(&r);
    cJSON *rows = vault_rows_of(&T, rid);
    expect_trace_on_rows(rows, &s);
    const cJSON *row = vault_row(rows, "approval.failed");
    cr_assert_str_eq(jstr(row, "outcome"), "error");
    cr_assert_str_eq(jstr(jobj(jobj(row, "details"), "upstream"), "error"), "connection_refused");
    /* a grant revoked while the call waited: approving it fails, nothing is called */
    cJSON *second = ask(&s, url, NULL, rid2);
    cJSON *revoked =
        alter_expect("POST", fmt("/sdk/grants/%s/revoke", s.grant_id), alter_key(&T), NULL, 200);
    cJSON *approved =
        vault_admin("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(second)), NULL, 200);
    cr_assert_str_eq(jstr(approved, "status"), "failed");
    cr_assert_str_eq(jstr(jobj(approved, "error"), "code"), "grant_revoked");
    VAULT_DELETE(pending, decided, failed, rows, second, revoked, approved);
    tear_down(&s);
}

Test(alter_vault_approvals, approving_a_call_to_a_hanging_upstream_answers_at_once) {
    struct setup s;
    set_up(&s);
    char rid[64];
    cJSON *pending = ask(&s, fmt("%s/hang", s.p.url), "\"timeout_ms\": 800", rid);
    double start = vault_now_ms();
    cJSON *decided =
        vault_admin("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)), NULL, 200);
    double took = vault_now_ms() - start;
    cr_assert(took < 500, "the approve call waited %.0f ms for the upstream", took);
    cr_assert_str_eq(jstr(decided, "status"), "executing");
    cJSON *failed = vault_await(s.key, id_of(pending), 10000);
    cr_assert_str_eq(jstr(failed, "status"), "failed");
    cr_assert_str_eq(jstr(jobj(jobj(failed, "error"), "details"), "reason"), "timeout");
    cJSON_Delete(failed);
    cJSON_Delete(decided);
    cJSON_Delete(pending);
    tear_down(&s);
}

Test(alter_vault_approvals, only_the_asking_agent_and_its_app_see_an_approval) {
    struct setup s;
    set_up(&s);
    char rid[64];
    cJSON *pending = ask(&s, fmt("%s/echo", s.p.url), NULL, rid);
    cJSON *other = vault_agent(&T, "nosy", NULL);
    const char *id = id_of(pending);
    alter_call_error("GET", fmt("/sdk/approvals/%s", id), jstr(other, "api_key"), NULL, NULL, 404,
                     "approval_not_found");
    alter_call_error("GET", fmt("/sdk/approvals/%s/result", id), jstr(other, "api_key"), NULL, NULL,
                     404, "approval_not_found");
    cJSON *by_app = alter_expect("GET", fmt("/sdk/approvals/%s", id), alter_key(&T), NULL, 200);
    cr_assert_str_eq(jstr(by_app, "agent_id"), jstr(s.agent, "id"));
    /* another app does not see it at all */
    struct tenant other_app;
    alter_call_error("GET", fmt("/sdk/approvals/%s", id), alter_other_key(&other_app), NULL, NULL,
                     404, "approval_not_found");
    const char *unknown = "00000000-0000-4000-8000-000000000000";
    alter_call_error("GET", fmt("/sdk/approvals/%s", unknown), s.key, NULL, NULL, 404,
                     "approval_not_found");
    struct http_resp r;
    const char *admin[] = {"/_mock/alter/approvals/%s", "/_mock/alter/approvals/%s/approve",
                           "/_mock/alter/approvals/%s/deny"};
    for (int i = 0; i < 3; i++) {
        http_call(i ? "POST" : "GET", fmt(admin[i], unknown), NULL, NULL, NULL, &r);
        expect_error(&r, 404, "approval_not_found");
        http_resp_free(&r);
    }
    http_call("POST", fmt("/_mock/alter/approvals/%s/deny", id), NULL, "{\"reason\": 1}", NULL, &r);
    expect_field_error(&r, "reason");
    http_resp_free(&r);
    char scoped[96];
    alter_call_error("GET", fmt("/sdk/approvals/%s", id),
                     alter_scoped_key(&T, "[\"audit_logs:read\"]", scoped), NULL, NULL, 403,
                     "insufficient_scope");
    cJSON_Delete(by_app);
    cJSON_Delete(other);
    cJSON_Delete(pending);
    tear_down(&s);
}

Test(alter_vault_approvals, an_approval_left_pending_expires_on_the_virtual_clock) {
    struct mock_process m = {.pid = -1};
    vault_private_mock(&m, NULL); /* its clock is its own: moving it touches no other test */
    struct setup s;
    set_up(&s);
    char rid[64];
    cJSON *pending = ask(&s, fmt("%s/echo", s.p.url), NULL, rid);
    cJSON *clock = vault_admin("POST", "/_mock/clock", "{\"advance_seconds\": 3599}", 200);
    cJSON *still = alter_expect("GET", fmt("/sdk/approvals/%s", id_of(pending)), s.key, NULL, 200);
    cr_assert_str_eq(jstr(still, "status"), "pending", "expired before its hour");
    cJSON_Delete(vault_admin("POST", "/_mock/clock", "{\"advance_seconds\": 2}", 200));
    cJSON *expired =
        alter_expect("GET", fmt("/sdk/approvals/%s", id_of(pending)), s.key, NULL, 200);
    cr_assert_str_eq(jstr(expired, "status"), "expired");
    cr_assert(jnull(expired, "decided_at") && !jbool(expired, "has_result"));
    struct http_resp r;
    http_call("POST", fmt("/_mock/alter/approvals/%s/approve", id_of(pending)), NULL, NULL, NULL,
              &r);
    expect_error(&r, 409, "approval_not_pending");
    http_resp_free(&r);
    alter_http("GET", fmt("/sdk/approvals/%s/result", id_of(pending)), s.key, NULL, NULL, &r);
    expect_alter_error(&r, 409, "approval_not_executed");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "status"), "expired");
    http_resp_free(&r);
    cr_assert_eq(fake_provider_hits(&s.p), 0);
    cJSON *rows = vault_rows_of(&T, rid);
    expect_trace_on_rows(rows, &s);
    const cJSON *row = vault_row(rows, "approval.expired");
    cr_assert_str_eq(jstr(row, "created_at"), jstr(pending, "expires_at"),
                     "the expiry row is dated when it expired");
    VAULT_DELETE(pending, clock, still, expired, rows);
    tear_down(&s);
    vault_private_mock_stop(&m);
}
