/* Alter §7 policies on an agent: ip_allowlist, time_window (on the virtual clock),
 * rate_limit_rpm and require_approval each deny a vaulted call with 403 policy_violation
 * naming the rule in details.policy_error, on the reply and on the audit row; an agent whose
 * rules all pass is unaffected (rules only restrict). */
#include "alter_vault_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* An agent with policy and a grant delegated to it; *body is a token/proxy body for it. */
static cJSON *agent_with(const char *base, const char *policy, cJSON **grant, const char **body) {
    cJSON *a = vault_agent(&T, base, policy);
    *grant = vault_user_grant(&T, fmt("[\"%s\"]", jstr(a, "id")), "gho_policy");
    *body = vault_body(jstr(*grant, "grant_id"), "GET", "http://127.0.0.1:9/echo", NULL);
    return a;
}

/* The call must be refused by rule; its audit row says policy.denied with the rule. */
static void expect_denied(const char *path, const char *key, const char *body, const char *rule,
                          const char *grant_id) {
    struct http_resp r;
    vault_post(path, key, body, NULL, &r);
    expect_alter_error(&r, 403, "policy_violation");
    cr_assert_str_eq(jstr(jobj(r.json, "details"), "policy_error"), rule, "%s", resp_excerpt(&r));
    cJSON *row = alter_audit_row_of(&T, resp_header(&r, "X-Request-Id"));
    cr_assert_str_eq(jstr(row, "action"), "policy.denied");
    cr_assert_str_eq(jstr(row, "outcome"), "denied");
    cr_assert_eq(jnum(row, "status_code"), 403);
    cr_assert_str_eq(jstr(row, "grant_id"), grant_id);
    cr_assert_str_eq(jstr(jobj(row, "details"), "policy_error"), rule);
    cJSON_Delete(row);
    http_resp_free(&r);
}

static void expect_allowed(const char *key, const char *body) {
    cJSON *tok = alter_expect("POST", "/sdk/token", key, body, 200);
    cJSON_Delete(tok);
}

Test(alter_vault_policy, ip_allowlist_denies_a_client_address_outside_it) {
    tenant_new(&T);
    cJSON *g, *ok_g;
    const char *body, *ok_body;
    cJSON *a = agent_with("ip-outside", "{\"ip_allowlist\": [\"10.0.0.0/8\", \"2001:db8::/32\"]}",
                          &g, &body);
    expect_denied("/sdk/token", jstr(a, "api_key"), body, "ip_allowlist", jstr(g, "grant_id"));
    expect_denied("/sdk/proxy", jstr(a, "api_key"), body, "ip_allowlist", jstr(g, "grant_id"));
    /* the suite calls from loopback: a list holding it lets the call through */
    cJSON *ok = agent_with("ip-inside", "{\"ip_allowlist\": [\"10.0.0.0/8\", \"127.0.0.0/8\"]}",
                           &ok_g, &ok_body);
    expect_allowed(jstr(ok, "api_key"), ok_body);
    /* rules are read on every call: widening the list lets the first agent in */
    cJSON *patched = alter_expect("PATCH", fmt("/sdk/agents/%s", jstr(a, "id")), alter_key(&T),
                                  "{\"policy\": {\"ip_allowlist\": [\"127.0.0.1\"]}}", 200);
    expect_allowed(jstr(a, "api_key"), body);
    VAULT_DELETE(a, g, ok, ok_g, patched);
}

/* "HH:MM" of the virtual clock's time of day plus minutes (wrapping at midnight). */
static const char *hhmm(int minute_of_day, int plus) {
    int m = ((minute_of_day + plus) % 1440 + 1440) % 1440;
    return fmt("%02d:%02d", m / 60, m % 60);
}

static int virtual_minute_of_day(void) {
    cJSON *clock = vault_admin("GET", "/_mock/clock", NULL, 200);
    const char *now = jstr(clock, "now"); /* 2026-11-23T15:24:29Z */
    int minute = atoi(now + 11) * 60 + atoi(now + 14);
    cJSON_Delete(clock);
    return minute;
}

Test(alter_vault_policy, time_window_denies_outside_its_hours_on_the_virtual_clock) {
    require_mock();
    tenant_new(&T);
    int now = virtual_minute_of_day();
    cJSON *g1, *g2, *g3;
    const char *b1, *b2, *b3;
    /* windows are relative to the virtual now, with an hour's margin either side */
    cJSON *later = agent_with("tw-later",
                              fmt("{\"time_window\": {\"start\": \"%s\", \"end\": \"%s\", "
                                  "\"tz\": \"UTC\"}}",
                                  hhmm(now, 120), hhmm(now, 240)),
                              &g1, &b1);
    expect_denied("/sdk/token", jstr(later, "api_key"), b1, "time_window", jstr(g1, "grant_id"));
    expect_denied("/sdk/proxy", jstr(later, "api_key"), b1, "time_window", jstr(g1, "grant_id"));
    cJSON *around = agent_with("tw-around",
                               fmt("{\"time_window\": {\"start\": \"%s\", \"end\": \"%s\"}}",
                                   hhmm(now, -60), hhmm(now, 60)),
                               &g2, &b2);
    expect_allowed(jstr(around, "api_key"), b2);
    /* a window that wraps past midnight: from an hour ago to almost an hour ago */
    cJSON *wrapping = agent_with("tw-wrap",
                                 fmt("{\"time_window\": {\"start\": \"%s\", \"end\": \"%s\"}}",
                                     hhmm(now, -60), hhmm(now, -61)),
                                 &g3, &b3);
    expect_allowed(jstr(wrapping, "api_key"), b3);
    VAULT_DELETE(later, around, wrapping, g1, g2, g3);
}

Test(alter_vault_policy, rate_limit_rpm_counts_both_modes_and_denies_past_the_limit) {
    tenant_new(&T);
    cJSON *g;
    const char *body;
    cJSON *a = agent_with("rpm", "{\"rate_limit_rpm\": 2}", &g, &body);
    struct fake_provider p;
    fake_provider_start(&p, "Bearer gho_policy");
    cJSON *first =
        alter_expect("POST", "/sdk/proxy", jstr(a, "api_key"),
                     vault_body(jstr(g, "grant_id"), "GET", fmt("%s/echo", p.url), NULL), 200);
    expect_allowed(jstr(a, "api_key"), body);
    expect_denied("/sdk/token", jstr(a, "api_key"), body, "rate_limit_rpm", jstr(g, "grant_id"));
    expect_denied("/sdk/proxy", jstr(a, "api_key"), body, "rate_limit_rpm", jstr(g, "grant_id"));
    cr_assert_eq(fake_provider_hits(&p), 1, "a denied proxy call reached the provider");
    /* the limit is the agent's: another agent of the app is not affected */
    cJSON *g2;
    const char *body2;
    cJSON *other = agent_with("rpm-other", "{\"rate_limit_rpm\": 2}", &g2, &body2);
    expect_allowed(jstr(other, "api_key"), body2);
    fake_provider_stop(&p);
    VAULT_DELETE(a, g, first, other, g2);
}

Test(alter_vault_policy, require_approval_denies_retrieve_mode_which_cannot_wait) {
    tenant_new(&T);
    cJSON *g;
    const char *body;
    cJSON *a = agent_with("approver", "{\"require_approval\": true}", &g, &body);
    expect_denied("/sdk/token", jstr(a, "api_key"), body, "require_approval", jstr(g, "grant_id"));
    /* require_approval: false restricts nothing */
    cJSON *g2;
    const char *body2;
    cJSON *free_agent = agent_with("no-approval",
                                   "{\"require_approval\": false, "
                                   "\"rate_limit_rpm\": 100}",
                                   &g2, &body2);
    expect_allowed(jstr(free_agent, "api_key"), body2);
    VAULT_DELETE(a, g, free_agent, g2);
}
