/* The vault's pieces on their own (alter.md §7): policy verdicts (address blocks, time windows
 * across midnight, the rate window), the proxy's allow-list, base64, grant pages by agent and
 * provider, and approvals expiring on the virtual clock with their audit rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alter/agents.h"
#include "alter/app.h"
#include "alter/proxy_allow.h"
#include "core/base64.h"
#include "core/cidr.h"
#include "store/store.h"
#include "tenant_parts.h"

#define T0 1800000000LL /* 2027-01-15T08:00:00Z */

static enum alter_policy_verdict verdict(const char *policy_json, const char *addr, int64_t now,
                                         struct alter_rate_window *rate, const char **rule) {
    cJSON *policy = cJSON_Parse(policy_json);
    struct field_errors fe = {0};
    alter_policy_validate(policy, &fe);
    cr_assert(!field_errors_any(&fe), "test policy %s is malformed", policy_json);
    struct alter_rate_window scratch = {0};
    struct alter_policy_denial denial = {0};
    enum alter_policy_verdict v =
        alter_policy_evaluate(policy, addr, now, rate ? rate : &scratch, &denial);
    *rule = v == ALTER_POLICY_DENY ? denial.rule : NULL;
    if (v == ALTER_POLICY_DENY) cr_assert(denial.message[0], "a denial without a message");
    cJSON_Delete(policy);
    return v;
}

Test(alter_policy, ip_allowlist_matches_v4_v6_and_mapped_addresses) {
    const char *rule;
    const char *list = "{\"ip_allowlist\": [\"10.0.0.0/8\", \"192.168.1.7\", \"2001:db8::/32\"]}";
    cr_assert_eq(verdict(list, "10.200.3.4", T0, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(list, "192.168.1.7", T0, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(list, "::ffff:10.1.1.1", T0, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(list, "2001:db8:ffff::1", T0, NULL, &rule), ALTER_POLICY_ALLOW);
    const char *outside[] = {"11.0.0.1",  "192.168.1.8", "2001:db9::1",
                             "127.0.0.1", "garbage",     NULL};
    for (int i = 0; outside[i]; i++) {
        cr_assert_eq(verdict(list, outside[i], T0, NULL, &rule), ALTER_POLICY_DENY, "%s",
                     outside[i]);
        cr_assert_str_eq(rule, "ip_allowlist");
    }
    cr_assert_eq(verdict("{\"ip_allowlist\": []}", "10.0.0.1", T0, NULL, &rule), ALTER_POLICY_DENY,
                 "an empty list lets nobody in");
    struct cidr c;
    struct ip_addr a;
    cr_assert(cidr_parse("0.0.0.0/0", &c) && ip_parse("8.8.8.8", &a) && cidr_contains(&c, &a));
    cr_assert(cidr_parse("10.0.0.0/9", &c) && ip_parse("10.127.0.1", &a) && cidr_contains(&c, &a));
    cr_assert(ip_parse("10.128.0.1", &a) && !cidr_contains(&c, &a), "a /9 ends at 10.127");
    cr_assert(!cidr_parse("10.0.0.0/33", &c) && !cidr_parse("10.0.0.0/", &c) &&
              !cidr_parse("10.0.0.0/+8", &c) && !cidr_parse("::1/129", &c));
}

Test(alter_policy, time_window_is_half_open_and_may_wrap_past_midnight) {
    const char *rule;
    int64_t midnight = T0 - T0 % 86400;
    const char *day = "{\"time_window\": {\"start\": \"09:00\", \"end\": \"17:00\"}}";
    cr_assert_eq(verdict(day, "1.1.1.1", midnight + 9 * 3600, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(day, "1.1.1.1", midnight + 17 * 3600 - 1, NULL, &rule),
                 ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(day, "1.1.1.1", midnight + 17 * 3600, NULL, &rule), ALTER_POLICY_DENY);
    cr_assert_str_eq(rule, "time_window");
    cr_assert_eq(verdict(day, "1.1.1.1", midnight + 9 * 3600 - 1, NULL, &rule), ALTER_POLICY_DENY);
    const char *night =
        "{\"time_window\": {\"start\": \"22:00\", \"end\": \"06:00\", \"tz\": \"UTC\"}}";
    cr_assert_eq(verdict(night, "1.1.1.1", midnight + 23 * 3600, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(night, "1.1.1.1", midnight + 3600, NULL, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(night, "1.1.1.1", midnight + 12 * 3600, NULL, &rule), ALTER_POLICY_DENY);
    const char *all_day = "{\"time_window\": {\"start\": \"05:00\", \"end\": \"05:00\"}}";
    cr_assert_eq(verdict(all_day, "1.1.1.1", midnight + 12 * 3600, NULL, &rule),
                 ALTER_POLICY_ALLOW);
}

Test(alter_policy, rate_window_opens_at_the_first_call_and_counts_only_allowed_ones) {
    const char *rule;
    struct alter_rate_window rate = {0};
    const char *p = "{\"rate_limit_rpm\": 2, \"ip_allowlist\": [\"10.0.0.0/8\"]}";
    cr_assert_eq(verdict(p, "11.0.0.1", T0, &rate, &rule), ALTER_POLICY_DENY); /* not counted */
    cr_assert_eq(verdict(p, "10.0.0.1", T0 + 30, &rate, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(p, "10.0.0.1", T0 + 31, &rate, &rule), ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict(p, "10.0.0.1", T0 + 89, &rate, &rule), ALTER_POLICY_DENY);
    cr_assert_str_eq(rule, "rate_limit_rpm");
    cr_assert_eq(verdict(p, "10.0.0.1", T0 + 90, &rate, &rule), ALTER_POLICY_ALLOW,
                 "a minute after the window opened it opens again");
    cr_assert_eq(
        verdict("{\"require_approval\": true, \"rate_limit_rpm\": 5}", "1.1.1.1", T0, NULL, &rule),
        ALTER_POLICY_NEEDS_APPROVAL);
    cr_assert_eq(verdict("{\"require_approval\": false}", "1.1.1.1", T0, NULL, &rule),
                 ALTER_POLICY_ALLOW);
    cr_assert_eq(verdict("{}", NULL, T0, NULL, &rule), ALTER_POLICY_ALLOW, "no rules, no limits");
}

Test(alter_proxy_allow, loopback_blocks_and_names) {
    char err[160];
    cr_assert_eq(proxy_allow_set("loopback", err, sizeof err), 0);
    cr_assert(proxy_allow_host("127.0.0.1") && proxy_allow_host("127.9.9.9") &&
              proxy_allow_host("::1") && proxy_allow_host("LOCALHOST"));
    cr_assert(!proxy_allow_host("10.0.0.1") && !proxy_allow_host("example.com") &&
              !proxy_allow_host("localhost.example.com") && !proxy_allow_host("::ffff:8.8.8.8"));
    struct ip_addr loop, far;
    ip_parse("127.0.0.1", &loop);
    ip_parse("93.184.216.34", &far);
    cr_assert(proxy_allow_connect("localhost", &loop));
    cr_assert(!proxy_allow_connect("localhost", &far), "localhost must resolve to loopback");
    cr_assert_eq(proxy_allow_set("api.example.test, 10.0.0.0/8", err, sizeof err), 0);
    cr_assert(proxy_allow_host("API.example.test") && proxy_allow_host("10.2.3.4"));
    cr_assert(!proxy_allow_host("127.0.0.1") && !proxy_allow_host("localhost"));
    cr_assert(proxy_allow_connect("api.example.test", &far), "a listed name may go anywhere");
    cr_assert(!proxy_allow_connect("10.2.3.4", &far));
    cr_assert_neq(proxy_allow_set("loopback,bad host", err, sizeof err), 0);
    cr_assert(strstr(err, "bad host"), "%s", err);
    cr_assert_eq(proxy_allow_set(PROXY_ALLOW_DEFAULT, err, sizeof err), 0);
}

Test(alter_base64, round_trips_and_refuses_what_is_not_base64) {
    const char *text = "any carnal pleas\xff\x00z";
    for (size_t n = 0; n <= 18; n++) {
        char *b64 = base64_encode(text, n);
        unsigned char *back = NULL;
        size_t len = 99;
        cr_assert(base64_decode(b64, &back, &len), "%zu: %s", n, b64);
        cr_assert_eq(len, n);
        cr_assert(!memcmp(back, text, n));
        free(back);
        free(b64);
    }
    const char *bad[] = {"abc", "ab=c", "a===", "YWJj=", " YWJj", "YW Jj", "YW\nJj", "****", NULL};
    for (int i = 0; bad[i]; i++) {
        unsigned char *out = (unsigned char *)"x";
        size_t len;
        cr_assert(!base64_decode(bad[i], &out, &len), "accepted \"%s\"", bad[i]);
        cr_assert_null(out);
    }
}

/* A tenant with agents a1, a2 (no policy) for the store tests; caller releases. */
static struct tenant *vault_tenant(struct alter_agent **a1, struct alter_agent **a2) {
    struct tenant *t = tenant_new("vault", PLAN_ENTERPRISE, false);
    cr_assert_not_null(t);
    struct alter_agent **out[] = {a1, a2};
    for (int i = 0; i < 2; i++) {
        struct field_errors fe = {0};
        char key[ALTER_KEY_MAX];
        char body[64];
        snprintf(body, sizeof body, "{\"name\": \"agent-%d\"}", i);
        cJSON *json = cJSON_Parse(body);
        cr_assert_eq(alter_agent_add(t, json, NULL, NULL, T0, &fe, out[i], key), ALTER_CREATE_OK);
        cJSON_Delete(json);
    }
    return t;
}

static struct alter_grant *add_grant(struct tenant *t, const char *fmt_json, ...) {
    char body[512];
    va_list ap;
    va_start(ap, fmt_json);
    vsnprintf(body, sizeof body, fmt_json, ap);
    va_end(ap);
    cJSON *json = cJSON_Parse(body);
    struct field_errors fe = {0};
    struct alter_grant *g = NULL;
    enum alter_grant_result res = alter_grant_add(t, json, T0, &fe, &g);
    char *why = fe.list ? cJSON_PrintUnformatted(fe.list) : NULL;
    cr_assert_eq(res, ALTER_GRANT_OK, "%s: %s", body, why ? why : "");
    cJSON_Delete(json);
    return g;
}

Test(alter_grants, pages_by_agent_and_provider_read_only_their_postings) {
    store_init(&tenant_parts);
    struct alter_agent *a1, *a2;
    struct tenant *t = vault_tenant(&a1, &a2);
    struct alter_grant *g[5];
    g[0] = add_grant(t,
                     "{\"provider_id\": \"github\", \"account_identifier\": \"x\", "
                     "\"principal_type\": \"user\", \"delegated_agent_ids\": [\"%s\"], "
                     "\"upstream_token\": \"t0\"}",
                     a1->id);
    g[1] = add_grant(t,
                     "{\"provider_id\": \"stripe\", \"account_identifier\": \"x\", "
                     "\"principal_type\": \"agent\", \"owner_agent_id\": \"%s\", "
                     "\"delegated_agent_ids\": [\"%s\", \"%s\"], \"upstream_token\": \"t1\"}",
                     a2->id, a2->id, a1->id);
    g[2] = add_grant(t, "{\"provider_id\": \"github\", \"account_identifier\": \"x\", "
                        "\"principal_type\": \"user\", \"upstream_token\": \"t2\"}");
    g[3] = add_grant(t,
                     "{\"provider_id\": \"github\", \"account_identifier\": \"x\", "
                     "\"principal_type\": \"user\", \"delegated_agent_ids\": [\"%s\"], "
                     "\"upstream_token\": \"t3\"}",
                     a1->id);
    g[4] = add_grant(t,
                     "{\"provider_id\": \"slack\", \"account_identifier\": \"x\", "
                     "\"principal_type\": \"user\", \"delegated_agent_ids\": [\"%s\"], "
                     "\"upstream_token\": \"t4\"}",
                     a2->id);
    struct alter_grants *grants = &t->alter->grants;
    alter_grant_mark_revoked(grants, g[3], "gone", T0 + 5);
    struct alter_grant *out[8];
    size_t total;
    struct {
        struct alter_grant_filter f;
        size_t offset, limit, total, n;
        int first;
    } cases[] = {
        {{NULL, NULL, false}, 0, 8, 4, 4, 0},
        {{NULL, NULL, true}, 0, 8, 5, 5, 0},
        {{NULL, NULL, false}, 3, 8, 4, 1, 4},
        {{a1->id, NULL, false}, 0, 8, 2, 2, 0},
        {{a1->id, NULL, true}, 1, 1, 3, 1, 1},
        {{a2->id, NULL, false}, 0, 8, 2, 2, 1},
        {{NULL, "github", false}, 0, 8, 2, 2, 0},
        {{a1->id, "github", true}, 0, 8, 2, 2, 0},
        {{a2->id, "github", false}, 0, 8, 0, 0, -1},
        {{"no-such-agent", NULL, true}, 0, 8, 0, 0, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n =
            alter_grants_page(grants, &cases[i].f, cases[i].offset, cases[i].limit, out, &total);
        cr_assert_eq(total, cases[i].total, "case %zu total", i);
        cr_assert_eq(n, cases[i].n, "case %zu count", i);
        if (n) cr_assert_eq(out[0], g[cases[i].first], "case %zu first", i);
    }
    cr_assert(alter_grant_usable_by(g[1], a1->id) && alter_grant_usable_by(g[1], a2->id));
    cr_assert(!alter_grant_usable_by(g[2], a1->id));
    struct tenant *owner = store_alter_object_owner(g[0]->id);
    cr_assert_eq(owner, t, "grants are found by id in the directory");
    tenant_release(owner);
    store_clear();
    tenant_release(t);
}

Test(alter_approvals, a_pending_approval_expires_on_the_virtual_clock_with_its_row) {
    store_init(&tenant_parts);
    struct alter_agent *a1, *a2;
    struct tenant *t = vault_tenant(&a1, &a2);
    struct alter_grant *g =
        add_grant(t, "{\"provider_id\": \"p\", \"account_identifier\": \"x\", "
                     "\"principal_type\": \"user\", \"upstream_token\": \"t\"}");
    struct proxy_call call = {
        .url = strdup("http://127.0.0.1:9/"), .headers = cJSON_CreateObject(), .timeout_ms = 100};
    snprintf(call.method, sizeof call.method, "GET");
    struct alter_audit_row *origin = calloc(1, sizeof *origin);
    snprintf(origin->request_id, sizeof origin->request_id, "req_origin");
    origin->run_id = strdup("run-1");
    origin->trace = cJSON_CreateObject();
    origin->method = strdup("POST");
    origin->path = strdup("/sdk/proxy");
    struct alter_approval *a =
        alter_approval_create(t, g->id, a1->id, &call, origin, "http://x/approvals", T0);
    cr_assert_not_null(a);
    cr_assert_null(call.url, "the call was taken");
    cr_assert_eq(alter_approval_find(t, a->id, T0 + ALTER_APPROVAL_TTL - 1), a);
    cr_assert_eq(a->status, ALTER_APPROVAL_PENDING);
    cr_assert_eq(alter_approval_find(t, a->id, T0 + ALTER_APPROVAL_TTL), a);
    cr_assert_eq(a->status, ALTER_APPROVAL_EXPIRED);
    cr_assert_eq(alter_approval_decide(t, a, true, NULL, T0 + ALTER_APPROVAL_TTL),
                 ALTER_DECISION_NOT_PENDING);
    const struct alter_audit_log *log = &t->alter->audit;
    cr_assert_eq(log->n, 1, "one row: approval.expired");
    cr_assert_str_eq(log->rows[0]->action, "approval.expired");
    cr_assert_str_eq(log->rows[0]->request_id, "req_origin");
    cr_assert_str_eq(log->rows[0]->run_id, "run-1");
    cr_assert_str_eq(log->rows[0]->grant_id, "");
    cr_assert_eq(log->rows[0]->created_at, T0 + ALTER_APPROVAL_TTL);
    cr_assert_str_eq(cJSON_GetObjectItem(log->rows[0]->details, "approval_id")->valuestring, a->id);
    char want[128];
    snprintf(want, sizeof want, "http://x/approvals/%s", a->id);
    cr_assert_str_eq(a->approval_url, want);
    store_clear();
    tenant_release(t);
}
