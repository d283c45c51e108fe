/* §4 GET /trust/{agent_id}, POST /trust/query and GET /trust/{agent_id}/history: the profile,
 * batches (order, nulls, sizes), history windows, and reads across organizations. */
#include "trust_tx.h"

#include <string.h>

static struct tenant T;

static void expect_rejected(const char *method, const char *path, const char *body,
                            const char *field) {
    struct http_resp r;
    http_call(method, path, tkey_min(&T, KEY_READ), body, NULL, &r);
    expect_field_error(&r, field);
    http_resp_free(&r);
}

Test(trust, a_new_agent_scores_500_caution) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a = tx_agent(&T, "Newcomer", "[\"pay\"]", "10");
    cJSON *p = get_ok(&T, fmt("/trust/%s", a));
    expect_profile_shape(p);
    cr_assert_str_eq(jstr(p, "agent_id"), a);
    cr_assert_str_eq(jstr(p, "agent_name"), tname(&T, "Newcomer"));
    cr_assert_eq(jnum(p, "score"), 500);
    cr_assert_str_eq(jstr(p, "assessment"), "Caution");
    cr_assert_eq(jnum(p, "total_tasks"), 0);
    cr_assert_eq(jnum(p, "disputes"), 0);
    cr_assert_str_eq(jstr(p, "trend"), "stable");
    const cJSON *c = jobj(p, "components");
    cr_assert(jnum(jobj(c, "completion_rate"), "weight") + jnum(jobj(c, "dispute_rate"), "weight") +
                  jnum(jobj(c, "tenure"), "weight") + jnum(jobj(c, "operator_verified"), "weight") ==
              1000, "the component weights add up to 1000");
    if (T.operator_verified_known)
        cr_assert_eq(jbool(p, "operator_verified"), T.operator_verified);
    cJSON_Delete(p);
}

Test(trust, operator_verified_org_scores_its_agents_150_more) {
    tenant_new_with(&T, "{\"operator_verified\": true}");
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay"));
    struct model_inputs in = {.completed = 1, .verified = true};
    expect_trust(&T, a, &in); /* 400 + 300 + 150 = 850 Trusted */
    cr_assert_eq(model_score(&in), 850);
}

Test(trust, unknown_agent_is_404) {
    tenant_new(&T);
    static const char *const ids[] = {"agent_doesnotexist000", "tx_abc", "x"};
    for (size_t i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("GET", fmt("/trust/%s", ids[i]), tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
        http_call("GET", fmt("/trust/%s/history", ids[i]), tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("GET", "/trust/agent_doesnotexist000", NULL, NULL, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
}

Test(trust, reads_work_across_organizations) {
    tenant_new(&T);
    const char *mine = tx_agent(&T, "Mine", "[\"pay\"]", "10");
    struct tenant other;
    tenant_other(&other);
    struct http_resp r;
    http_call("GET", fmt("/trust/%s", mine), tkey_min(&other, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "agent_id"), mine);
    http_resp_free(&r);
    http_call("POST", "/trust/query", tkey_min(&other, KEY_READ),
              fmt("{\"agent_ids\": [\"%s\"]}", mine), NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(r.json, "results"), 0), "agent_id"), mine);
    http_resp_free(&r);
    http_call("GET", fmt("/trust/%s/history", mine), tkey_min(&other, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(cJSON_IsArray(r.json), "%s", resp_excerpt(&r));
    http_resp_free(&r);
    /* reading trust is not reading the agent: that stays a 404 across orgs */
    http_call("GET", fmt("/agents/%s", mine), tkey_min(&other, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(query, keeps_input_order_with_null_for_unknown_ids) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    const char *b = tx_agent(&T, "B", "[\"pay\"]", "10");
    struct http_resp r;
    http_call("POST", "/trust/query", tkey_min(&T, KEY_READ),
              fmt("{\"agent_ids\": [\"%s\", \"agent_doesnotexist000\", \"%s\", \"%s\", \"\"]}", b, a, b),
              NULL, &r);
    expect_status(&r, 200);
    const cJSON *results = jarr(r.json, "results");
    cr_assert_eq(cJSON_GetArraySize(results), 5);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(results, 0), "agent_id"), b);
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(results, 1)), "unknown id must give null: %s", r.body);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(results, 2), "agent_id"), a);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(results, 3), "agent_id"), b);
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(results, 4)));
    expect_profile_shape(cJSON_GetArrayItem(results, 0));
    http_resp_free(&r);
}

/* A batch may name agents of several organizations in any order: each id gets its own
 * agent's profile, however the ids of one organization are interleaved with another's. */
Test(query, interleaves_agents_of_several_organizations) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "Mine A", "[\"pay\"]", "10");
    const char *b = tx_agent(&T, "Mine B", "[\"pay\"]", "10");
    struct tenant other;
    tenant_other(&other);
    const char *x = tx_agent(&other, "Theirs X", "[\"pay\"]", "10");
    const char *ids[] = {a, x, b, x, "agent_doesnotexist000", a, b};
    const char *names[] = {"Mine A", "Theirs X", "Mine B", "Theirs X", NULL, "Mine A", "Mine B"};
    struct http_resp r;
    http_call("POST", "/trust/query", tkey_min(&T, KEY_READ),
              fmt("{\"agent_ids\": [\"%s\", \"%s\", \"%s\", \"%s\", \"%s\", \"%s\", \"%s\"]}",
                  ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]),
              NULL, &r);
    expect_status(&r, 200);
    const cJSON *results = jarr(r.json, "results");
    cr_assert_eq(cJSON_GetArraySize(results), 7, "%s", resp_excerpt(&r));
    for (int i = 0; i < 7; i++) {
        const cJSON *p = cJSON_GetArrayItem(results, i);
        if (!names[i]) {
            cr_assert(cJSON_IsNull(p), "result %d must be null: %s", i, resp_excerpt(&r));
            continue;
        }
        cr_assert_str_eq(jstr(p, "agent_id"), ids[i], "result %d", i);
        cr_assert(strstr(jstr(p, "agent_name"), names[i]), "result %d: %s", i, jstr(p, "agent_name"));
    }
    http_resp_free(&r);
}

/* {"agent_ids": [n ids]} */
static const char *ids_body(const char *id, int n) {
    static char body[8192];
    size_t len = (size_t)snprintf(body, sizeof body, "{\"agent_ids\": [");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(body + len, sizeof body - len, "%s\"%s\"", i ? ", " : "", id);
    snprintf(body + len, sizeof body - len, "]}");
    return body;
}

Test(query, takes_1_to_50_ids) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    expect_rejected("POST", "/trust/query", ids_body(a, 0), "agent_ids");
    expect_rejected("POST", "/trust/query", ids_body(a, 51), "agent_ids");
    expect_rejected("POST", "/trust/query", "{}", "agent_ids");
    expect_rejected("POST", "/trust/query", fmt("{\"agent_ids\": \"%s\"}", a), "agent_ids");
    expect_rejected("POST", "/trust/query", fmt("{\"agent_ids\": [\"%s\", 7]}", a), "agent_ids[1]");
    struct http_resp r;
    http_call("POST", "/trust/query", tkey_min(&T, KEY_READ), ids_body(a, 50), NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(r.json, "results")), 50);
    http_resp_free(&r);
    http_call("POST", "/trust/query", tkey_min(&T, KEY_READ), "[\"x\"]", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("GET", "/trust/query", tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    http_resp_free(&r);
}

Test(history, newest_first_with_a_reason_for_each_change) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay"));                    /* 700 */
    tx_refused(&T, a, b, "5000", "pay", "spending_limit_exceeded"); /* 1 of 2: 500 */
    cJSON *h = get_ok(&T, fmt("/trust/%s/history", a));
    cr_assert(cJSON_IsArray(h), "history is a bare array");
    int n = cJSON_GetArraySize(h);
    cr_assert(n >= 2, "two score changes, got %d", n);
    bool v = org_verified(&T);
    struct model_inputs after_fail = {.completed = 1, .failed = 1, .verified = v},
                        after_done = {.completed = 1, .verified = v};
    const cJSON *newest = cJSON_GetArrayItem(h, 0), *before = cJSON_GetArrayItem(h, 1);
    cr_assert_eq(jnum(newest, "score"), model_score(&after_fail));
    cr_assert_str_eq(jstr(newest, "assessment"), model_assessment(model_score(&after_fail)));
    cr_assert_eq(jnum(before, "score"), model_score(&after_done));
    const cJSON *s;
    cJSON_ArrayForEach(s, h) {
        cr_assert(strlen(jstr(s, "reason")) > 0);
        cr_assert(is_rfc3339_utc_seconds(jstr(s, "created_at")));
        jnum(s, "score");
        jstr(s, "assessment");
    }
    for (int i = 1; i < n; i++)
        cr_assert(strcmp(jstr(cJSON_GetArrayItem(h, i - 1), "created_at"),
                         jstr(cJSON_GetArrayItem(h, i), "created_at")) >= 0, "not newest first");
    cJSON_Delete(h);
    /* the counterparty's history has its own change */
    cJSON *hb = get_ok(&T, fmt("/trust/%s/history", b));
    struct model_inputs cp = {.completed_as_counterparty = 1, .verified = v};
    cr_assert_eq(jnum(cJSON_GetArrayItem(hb, 0), "score"), model_score(&cp));
    cJSON_Delete(hb);
}

Test(history, days_1_to_365_or_since) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay"));
    const char *path = fmt("/trust/%s/history", a);
    expect_rejected("GET", fmt("%s?days=0", path), NULL, "days");
    expect_rejected("GET", fmt("%s?days=366", path), NULL, "days");
    expect_rejected("GET", fmt("%s?days=many", path), NULL, "days");
    expect_rejected("GET", fmt("%s?since=last-week", path), NULL, "since");
    cJSON *all = get_ok(&T, path), *year = get_ok(&T, fmt("%s?days=365", path)),
          *day = get_ok(&T, fmt("%s?days=1", path));
    int n = cJSON_GetArraySize(all);
    cr_assert(n >= 1);
    cr_assert_eq(cJSON_GetArraySize(year), n);
    cr_assert_eq(cJSON_GetArraySize(day), n, "every change happened in the last day");
    cJSON *past = get_ok(&T, fmt("%s?since=2000-01-01T00:00:00Z", path));
    cr_assert_eq(cJSON_GetArraySize(past), n);
    cJSON *future = get_ok(&T, fmt("%s?since=2999-01-01T00:00:00Z&days=0", path));
    cr_assert_eq(cJSON_GetArraySize(future), 0, "since wins over days (even an invalid days)");
    const char *newest_at = jstr(cJSON_GetArrayItem(all, 0), "created_at");
    cJSON *from_newest = get_ok(&T, fmt("%s?since=%s", path, urlenc(newest_at)));
    cr_assert(cJSON_GetArraySize(from_newest) >= 1, "since is inclusive");
    cJSON_Delete(all);
    cJSON_Delete(year);
    cJSON_Delete(day);
    cJSON_Delete(past);
    cJSON_Delete(future);
    cJSON_Delete(from_newest);
}

Test(trust, trend_follows_the_score_of_7_days_ago) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    /* younger than 7 days: compared with its first score, 500 */
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay")); /* 700 or 850: improving */
    cJSON *p = get_ok(&T, fmt("/trust/%s", a));
    cr_assert_str_eq(jstr(p, "trend"), "improving");
    cJSON_Delete(p);
    const char *c = tx_agent(&T, "Declining", "[\"pay\"]", "1");
    tx_refused(&T, c, b, "5", "pay", "spending_limit_exceeded"); /* 300 or 450: declining */
    p = get_ok(&T, fmt("/trust/%s", c));
    cr_assert_str_eq(jstr(p, "trend"), "declining");
    cJSON_Delete(p);
}
