/* §4 POST /trust/evaluate/{agent_id}: recompute now, and (ext) decide a prospective
 * transaction with the decision rules in order. */
#include "trust_tx.h"

#include <string.h>

static struct tenant T;

static cJSON *evaluate(const char *id, const char *body) {
    struct http_resp r;
    http_call("POST", fmt("/trust/evaluate/%s", id), tkey_min(&T, KEY_READ), body, NULL, &r);
    cr_assert(r.status == 200 && r.json, "%s %s: expected 200, got %ld: %s", r.request,
              body ? body : "", r.status, resp_excerpt(&r));
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    expect_profile_shape(j);
    return j;
}

/* The decision for {action, amount}: asserts allowed and the required score. */
static void expect_decision(const char *id, const char *action, const char *amount, bool allowed) {
    cJSON *p = evaluate(id, fmt("{\"action\": \"%s\", \"amount\": %s}", action, amount));
    const cJSON *d = jobj(p, "decision");
    char *s = cJSON_PrintUnformatted(d);
    cr_assert_eq(jbool(d, "allowed"), allowed, "%s %s: %s", action, amount, s);
    cr_assert(strlen(jstr(d, "reason")) > 0, "decision.reason is a sentence: %s", s);
    cr_assert_eq(jnum(d, "required_score"), 400, "%s", s);
    if (allowed) cr_assert_str_eq(jstr(d, "reason"), "Trust score meets threshold");
    free(s);
    cJSON_Delete(p);
}

Test(evaluate, without_a_body_recomputes_and_returns_the_profile) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    cJSON *p = evaluate(a, NULL);
    cr_assert_str_eq(jstr(p, "agent_id"), a);
    cr_assert_eq(jnum(p, "score"), 500);
    cr_assert(is_rfc3339_utc_seconds(jstr(p, "last_evaluated")));
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(p, "decision"), "no body, no decision");
    cJSON_Delete(p);
    p = evaluate(a, "{}");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(p, "decision"));
    cJSON_Delete(p);
}

Test(evaluate, decides_a_prospective_transaction) {
    require_ext();
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    expect_decision(a, "pay", "5", true);
    expect_decision(a, "pay", "1000", true);
    cJSON *p = evaluate(a, "{\"action\": \"pay\", \"amount\": 5, \"currency\": \"USD\"}");
    cr_assert(jbool(jobj(p, "decision"), "allowed"));
    cJSON_Delete(p);
    /* each rule refuses, in order, without storing anything */
    expect_decision(a, "pay", "1000.01", false); /* over the limit */
    expect_decision(a, "withdraw", "1", false);  /* not authorized */
    cJSON_Delete(agent_action(&T, a, "suspend"));
    expect_decision(a, "pay", "1", false);       /* not active */
    cJSON_Delete(agent_action(&T, a, "reactivate"));
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s&limit=1", a)), 0, "evaluate stored a transaction");
    /* under the required score */
    tx_refused(&T, a, b, "5000", "pay", "spending_limit_exceeded");
    expect_decision(a, "pay", "1", org_verified(&T)); /* 300 unverified, 450 verified */
}

Test(evaluate, decision_reasons_follow_the_rule_order) {
    require_ext();
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    cJSON_Delete(agent_action(&T, a, "suspend"));
    /* suspended, unauthorized and over the limit: the first rule speaks */
    cJSON *all_bad = evaluate(a, "{\"action\": \"withdraw\", \"amount\": 50}");
    cJSON_Delete(agent_action(&T, a, "reactivate"));
    cJSON *two_bad = evaluate(a, "{\"action\": \"withdraw\", \"amount\": 50}");
    cJSON *one_bad = evaluate(a, "{\"action\": \"pay\", \"amount\": 50}");
    const char *r1 = jstr(jobj(all_bad, "decision"), "reason");
    const char *r2 = jstr(jobj(two_bad, "decision"), "reason");
    const char *r3 = jstr(jobj(one_bad, "decision"), "reason");
    cr_assert(strcmp(r1, r2) && strcmp(r2, r3) && strcmp(r1, r3),
              "each failed rule has its own reason: \"%s\", \"%s\", \"%s\"", r1, r2, r3);
    cJSON_Delete(all_bad);
    cJSON_Delete(two_bad);
    cJSON_Delete(one_bad);
}

Test(evaluate, body_rules) {
    require_ext();
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    static const char *const bad[][2] = {
        {"{\"amount\": 5}", "action"},
        {"{\"action\": \"pay\"}", "amount"},
        {"{\"action\": \"pay\", \"amount\": 0}", "amount"},
        {"{\"action\": \"pay\", \"amount\": 1.234}", "amount"},
        {"{\"action\": \"pay\", \"amount\": 5, \"currency\": \"EUR\"}", "currency"},
        {"{\"action\": 7, \"amount\": 5}", "action"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        http_call("POST", fmt("/trust/evaluate/%s", a), tkey_min(&T, KEY_READ), bad[i][0], NULL, &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
}

Test(evaluate, only_own_agents_and_known_ones) {
    tenant_new(&T);
    struct http_resp r;
    http_call("POST", "/trust/evaluate/agent_doesnotexist000", tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    struct tenant other;
    tenant_other(&other);
    const char *foreign = tx_agent(&other, "Foreign", "[\"pay\"]", "10");
    http_call("POST", fmt("/trust/evaluate/%s", foreign), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("POST", fmt("/trust/evaluate/%s", foreign), NULL, NULL, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
}
