/* §5 GET /transactions: newest first, every filter (either-side agent, status, action type,
 * amount range, date range), page and limit, and their rejections. */
#include "trust_tx.h"

#include <string.h>
#include <unistd.h>

static struct tenant T;

static cJSON *list(const char *query) { return get_ok(&T, fmt("/transactions?%s", query)); }

static void expect_list_rejected(const char *query, const char *field) {
    struct http_resp r;
    http_call("GET", fmt("/transactions?%s", query), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_field_error(&r, field);
    http_resp_free(&r);
}

/* The ids of a page, in order, joined by spaces (static rotating buffer). */
static const char *ids_of(const cJSON *page) {
    char buf[2048] = "";
    const cJSON *tx;
    cJSON_ArrayForEach(tx, jarr(page, "transactions")) {
        strncat(buf, jstr(tx, "id"), sizeof buf - strlen(buf) - 2);
        strncat(buf, " ", sizeof buf - strlen(buf) - 1);
    }
    return fmt("%s", buf);
}

Test(list, newest_first_with_page_and_limit) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    char ids[5][64];
    for (int i = 0; i < 5; i++) {
        cJSON *tx = tx_ok(&T, a, b, fmt("%d", i + 1), "pay");
        snprintf(ids[i], sizeof ids[i], "%s", jstr(tx, "id"));
        cJSON_Delete(tx);
    }
    char scope[128];
    snprintf(scope, sizeof scope, "%s", org_scope(&T, a));
    cJSON *all = list(scope);
    cr_assert_eq(jnum(all, "total"), 5);
    cr_assert_eq(jnum(all, "page"), 1);
    cr_assert_eq(jnum(all, "limit"), 20, "default limit is 20");
    cr_assert_str_eq(ids_of(all), fmt("%s %s %s %s %s ", ids[4], ids[3], ids[2], ids[1], ids[0]));
    const cJSON *tx;
    cJSON_ArrayForEach(tx, jarr(all, "transactions")) expect_tx_shape(tx);
    cJSON_Delete(all);
    cJSON *p1 = list(fmt("%slimit=2", scope)), *p2 = list(fmt("%slimit=2&page=2", scope)),
          *p3 = list(fmt("%slimit=2&page=3", scope)), *p4 = list(fmt("%slimit=2&page=4", scope));
    cr_assert_str_eq(ids_of(p1), fmt("%s %s ", ids[4], ids[3]));
    cr_assert_str_eq(ids_of(p2), fmt("%s %s ", ids[2], ids[1]));
    cr_assert_str_eq(ids_of(p3), fmt("%s ", ids[0]));
    cr_assert_str_eq(ids_of(p4), "");
    cr_assert(jnum(p3, "total") == 5 && jnum(p3, "page") == 3 && jnum(p3, "limit") == 2);
    cJSON_Delete(p1);
    cJSON_Delete(p2);
    cJSON_Delete(p3);
    cJSON_Delete(p4);
}

Test(list, agent_filter_matches_either_side) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "100");
    const char *b = tx_agent(&T, "B", "[\"pay\"]", "100");
    const char *c = tx_agent(&T, "C", "[\"pay\"]", "100");
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay"));
    cJSON_Delete(tx_ok(&T, b, c, "2", "pay"));
    cJSON_Delete(tx_ok(&T, c, a, "3", "pay"));
    cJSON *of_a = list(fmt("agent_id=%s", a));
    cr_assert_eq(jnum(of_a, "total"), 2);
    const cJSON *tx;
    cJSON_ArrayForEach(tx, jarr(of_a, "transactions"))
        cr_assert(!strcmp(jstr(tx, "agent_id"), a) || !strcmp(jstr(tx, "counterparty_id"), a));
    cr_assert_eq(jnum(cJSON_GetArrayItem(jarr(of_a, "transactions"), 0), "amount"), 3, "newest first");
    cJSON_Delete(of_a);
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s&limit=1", b)), 2);
    cr_assert_eq(tx_total(&T, "agent_id=agent_doesnotexist000"), 0);
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s&status=completed&limit=1", c)), 2);
}

Test(list, status_and_action_type_filters) {
    tenant_new(&T);
    clock_hold_shared(); /* the failures below depend on exact scores */
    const char *a = tx_agent(&T, "A", "[\"pay\", \"refund\"]", "100");
    const char *b = tx_agent(&T, "B", "[\"pay\"]", "100");
    cJSON *done = tx_ok(&T, a, b, "1", "pay");
    cJSON_Delete(tx_ok(&T, a, b, "2", "refund"));
    cJSON_Delete(tx_ok(&T, b, a, "3", "pay"));
    cJSON_Delete(tx_reverse(&T, jstr(done, "id"), NULL));
    tx_refused(&T, a, b, "500", "pay", "spending_limit_exceeded");
    /* 3 transfers + 1 reversal record + 1 failed, all involving a */
    char scope[128];
    snprintf(scope, sizeof scope, "%s", org_scope(&T, a));
    cr_assert_eq(tx_total(&T, scope), 5);
    cr_assert_eq(tx_total(&T, fmt("%sstatus=completed", scope)), 2);
    cr_assert_eq(tx_total(&T, fmt("%sstatus=failed", scope)), 1);
    cr_assert_eq(tx_total(&T, fmt("%sstatus=reversed", scope)), 2,
                 "the original and its reversal record");
    cr_assert_eq(tx_total(&T, fmt("%saction_type=refund", scope)), 1);
    cr_assert_eq(tx_total(&T, fmt("%saction_type=pay&status=completed", scope)), 1);
    cr_assert_eq(tx_total(&T, fmt("action_type=pay&agent_id=%s", b)), 4);
    cr_assert_eq(tx_total(&T, fmt("%saction_type=nothing", scope)), 0);
    cJSON *failed = list(fmt("%sstatus=failed", scope));
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(failed, "transactions"), 0), "status"), "failed");
    cJSON_Delete(failed);
    cJSON_Delete(done);
    expect_list_rejected("status=pending", "status");
}

Test(list, amount_range_is_inclusive) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(tx_ok(&T, a, b, "1", "pay"));
    cJSON_Delete(tx_ok(&T, a, b, "5.5", "pay"));
    cJSON_Delete(tx_ok(&T, a, b, "10", "pay"));
    char scope[128];
    snprintf(scope, sizeof scope, "%s", org_scope(&T, a));
    cr_assert_eq(tx_total(&T, fmt("%smin_amount=5.5", scope)), 2);
    cr_assert_eq(tx_total(&T, fmt("%smax_amount=5.5", scope)), 2);
    cr_assert_eq(tx_total(&T, fmt("%smin_amount=5.5&max_amount=5.50", scope)), 1);
    cr_assert_eq(tx_total(&T, fmt("%smin_amount=5.51", scope)), 1);
    cr_assert_eq(tx_total(&T, fmt("%smin_amount=0&max_amount=1000", scope)), 3);
    expect_list_rejected("min_amount=5.001", "min_amount");
    expect_list_rejected("max_amount=-1", "max_amount");
    expect_list_rejected("min_amount=abc", "min_amount");
    expect_list_rejected("min_amount=10&max_amount=5", "min_amount");
}

Test(list, date_range_starts_inclusive_and_ends_exclusive) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *first = tx_ok(&T, a, b, "1", "pay");
    char first_at[32];
    snprintf(first_at, sizeof first_at, "%s", jstr(first, "created_at"));
    sleep(1); /* a later second for the second one */
    cJSON *second = tx_ok(&T, a, b, "2", "pay");
    char second_at[32];
    snprintf(second_at, sizeof second_at, "%s", jstr(second, "created_at"));
    cr_assert_str_neq(first_at, second_at);
    char scope[128], first_q[64], second_q[64];
    snprintf(scope, sizeof scope, "%s", org_scope(&T, a));
    snprintf(first_q, sizeof first_q, "%s", urlenc(first_at));
    snprintf(second_q, sizeof second_q, "%s", urlenc(second_at));
    cr_assert_eq(tx_total(&T, fmt("%sstart_date=%s", scope, second_q)), 1);
    cr_assert_eq(tx_total(&T, fmt("%send_date=%s", scope, second_q)), 1);
    cr_assert_eq(tx_total(&T, fmt("%sstart_date=%s&end_date=%s", scope, first_q, second_q)), 1);
    cr_assert_eq(tx_total(&T, fmt("%sstart_date=%s&end_date=%s", scope, second_q, second_q)), 0);
    cr_assert_eq(tx_total(&T, fmt("%sstart_date=%s", scope, first_q)), 2);
    cr_assert_eq(tx_total(&T, fmt("%sstart_date=2000-01-01T00:00:00Z&end_date=2001-01-01T00:00:00Z",
                                  scope)), 0);
    expect_list_rejected("start_date=yesterday", "start_date");
    expect_list_rejected("end_date=2026-02-30T00:00:00Z", "end_date");
    expect_list_rejected("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "start_date");
    cJSON_Delete(first);
    cJSON_Delete(second);
}

Test(list, page_and_limit_out_of_range_are_422) {
    tenant_new(&T);
    expect_list_rejected("limit=0", "limit");
    expect_list_rejected("limit=101", "limit");
    expect_list_rejected("limit=ten", "limit");
    expect_list_rejected("page=0", "page");
    expect_list_rejected("page=-1", "page");
    cJSON *max = list("limit=100");
    cr_assert_eq(jnum(max, "limit"), 100);
    cJSON_Delete(max);
}

Test(list, organizations_are_isolated) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *tx = tx_ok(&T, a, b, "1", "pay");
    struct tenant other;
    tenant_other(&other);
    struct http_resp r;
    http_call("GET", fmt("/transactions?agent_id=%s", a), tkey_min(&other, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "total"), 0, "another org's transactions leaked: %s", r.body);
    http_resp_free(&r);
    http_call("GET", fmt("/transactions/%s", jstr(tx, "id")), tkey_min(&other, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("POST", fmt("/transactions/%s/reverse", jstr(tx, "id")), tkey_min(&other, KEY_WRITE),
              NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(tx);
}
