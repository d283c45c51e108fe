/* §4 POST /trust/report and GET /trust/disputes/{id} (ext): the dispute, its effect on the
 * reported agent's trust, its audit entries, and every field rule. */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

static void expect_dispute_shape(const cJSON *d) {
    static const char *const fields[] = {"dispute_id", "agent_id", "reported_by", "reason",
                                         "evidence", "evidence_ids", "transaction_id", "status",
                                         "created_at", NULL};
    char *s = cJSON_PrintUnformatted(d);
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(d, fields[i]), "Dispute lacks \"%s\": %s",
                  fields[i], s);
    cr_assert(has_prefix_alnum(jstr(d, "dispute_id"), "dsp_"), "dispute_id: %s", s);
    cr_assert(is_rfc3339_utc_seconds(jstr(d, "created_at")), "%s", s);
    jarr(d, "evidence_ids");
    free(s);
}

static void expect_report_rejected(const char *body, const char *field) {
    struct http_resp r;
    http_call("POST", "/trust/report", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    expect_field_error(&r, field);
    http_resp_free(&r);
}

Test(disputes, report_is_read_back_and_counts_against_the_agent) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *tx = tx_ok(&T, a, b, "10", "pay");
    cJSON *tx2 = tx_ok(&T, b, a, "3", "pay");
    const char *id = jstr(tx, "id");
    int a_len = audit_length(&T, a), b_len = audit_length(&T, b);
    cJSON *d = dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"Agent did not deliver.\", "
                                    "\"evidence\": \"Screenshots attached\", \"transaction_id\": \"%s\", "
                                    "\"evidence_ids\": [\"%s\", \"%s\"]}",
                                    b, id, id, jstr(tx2, "id")));
    expect_dispute_shape(d);
    cr_assert_str_eq(jstr(d, "agent_id"), b);
    cr_assert_str_eq(jstr(d, "reported_by"), a, "the reporter is the other party of transaction_id");
    cr_assert_str_eq(jstr(d, "reason"), "Agent did not deliver.");
    cr_assert_str_eq(jstr(d, "evidence"), "Screenshots attached");
    cr_assert_str_eq(jstr(d, "transaction_id"), id);
    cr_assert_str_eq(jstr(d, "status"), "pending_review");
    const cJSON *ev = jarr(d, "evidence_ids");
    cr_assert(cJSON_GetArraySize(ev) == 2 && !strcmp(cJSON_GetArrayItem(ev, 0)->valuestring, id));
    if (!ext_skipped()) {
        cJSON *back = get_ok(&T, fmt("/trust/disputes/%s", jstr(d, "dispute_id")));
        cr_assert(cJSON_Compare(back, d, 1), "GET /trust/disputes/{id} differs from the report");
        cJSON_Delete(back);
    }
    /* b: 2 tasks (one as counterparty, one initiated), 1 dispute */
    struct model_inputs in_b = {.completed = 1, .completed_as_counterparty = 1, .disputes = 1,
                                .verified = org_verified(&T)};
    expect_trust(&T, b, &in_b);
    cJSON *h = get_ok(&T, fmt("/trust/%s/history?limit=1", b));
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(h, 0), "reason"), "Dispute filed against agent");
    cJSON_Delete(h);
    /* both parties' chains record it */
    cr_assert_eq(audit_length(&T, b), b_len + 1);
    cr_assert_eq(audit_length(&T, a), a_len + 1);
    cJSON *chain = get_ok(&T, fmt("/agents/%s/audit?limit=1", b));
    const cJSON *e = cJSON_GetArrayItem(jarr(chain, "data"), 0);
    cr_assert_str_eq(jstr(e, "action"), "trust.dispute_filed");
    cr_assert_str_eq(jstr(jobj(e, "payload"), "dispute_id"), jstr(d, "dispute_id"));
    cJSON_Delete(chain);
    cJSON_Delete(d);
    cJSON_Delete(tx);
    cJSON_Delete(tx2);
}

Test(disputes, without_a_transaction_the_reporter_is_null) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "Reported", "[\"pay\"]", "10");
    cJSON *d = dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"Spam\"}", a));
    expect_dispute_shape(d);
    cr_assert(jnull(d, "reported_by") && jnull(d, "transaction_id") && jnull(d, "evidence"));
    cr_assert_eq(cJSON_GetArraySize(jarr(d, "evidence_ids")), 0);
    cJSON *p = get_ok(&T, fmt("/trust/%s", a));
    cr_assert_eq(jnum(p, "disputes"), 1);
    cr_assert_eq(jnum(p, "score"), 500, "no task yet: still 500");
    cJSON_Delete(p);
    cJSON_Delete(d);
}

Test(disputes, field_rules) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    const char *c = tx_agent(&T, "Bystander", "[\"pay\"]", "10");
    cJSON *tx = tx_ok(&T, a, b, "1", "pay");
    const char *id = jstr(tx, "id");
    char *big = malloc(2100);
    memset(big, 'x', 2001);
    big[2001] = '\0';
    expect_report_rejected("{\"reason\": \"x\"}", "agent_id");
    expect_report_rejected(fmt("{\"agent_id\": \"%s\"}", a), "reason");
    expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"\"}", a), "reason");
    expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"%.501s\"}", a, big), "reason");
    expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence\": \"%s\"}", a, big),
                           "evidence");
    expect_report_rejected("{\"agent_id\": \"agent_doesnotexist000\", \"reason\": \"r\"}", "agent_id");
    expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"transaction_id\": "
                               "\"tx_doesnotexist0000\"}", a), "transaction_id");
    /* a transaction not involving the reported agent */
    expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"transaction_id\": \"%s\"}", c, id),
                           "transaction_id");
    if (!ext_skipped()) {
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": "
                                   "[\"tx_doesnotexist0000\"]}", a), "evidence_ids[0]");
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": "
                                   "[\"%s\"]}", c, id), "evidence_ids[0]");
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": "
                                   "[\"%s\", 5]}", a, id), "evidence_ids[1]");
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": "
                                   "[\"%s\", \"%s\"]}", a, id, id), "evidence_ids[1]");
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": \"%s\"}", a, id),
                               "evidence_ids");
        /* at most 20 */
        char list[4096] = "";
        for (int i = 0; i < 21; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? "," : "", id);
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": [%s]}", a, list),
                               "evidence_ids");
        /* another organization's transaction is not evidence here */
        struct tenant other;
        tenant_other(&other);
        const char *x, *y;
        tx_pair(&other, &x, &y);
        cJSON *foreign = tx_ok(&other, x, y, "1", "pay");
        expect_report_rejected(fmt("{\"agent_id\": \"%s\", \"reason\": \"r\", \"evidence_ids\": [\"%s\"]}",
                                   a, jstr(foreign, "id")), "evidence_ids[0]");
        cJSON_Delete(foreign);
    }
    /* nothing was filed */
    const char *parties[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        cJSON *p = get_ok(&T, fmt("/trust/%s", parties[i]));
        cr_assert_eq(jnum(p, "disputes"), 0, "a rejected report counted against %s", parties[i]);
        cJSON_Delete(p);
    }
    free(big);
    cJSON_Delete(tx);
}

Test(disputes, filing_needs_a_write_key) {
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    struct http_resp r;
    http_call("POST", "/trust/report", tkey(&T, KEY_READ), fmt("{\"agent_id\": \"%s\", \"reason\": \"r\"}", a),
              NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
}

Test(disputes, unknown_and_foreign_disputes_are_404) {
    require_ext();
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\"]", "10");
    cJSON *d = dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"r\"}", a));
    struct tenant other;
    tenant_other(&other);
    struct http_resp r;
    http_call("GET", fmt("/trust/disputes/%s", jstr(d, "dispute_id")), tkey_min(&other, KEY_READ),
              NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("GET", "/trust/disputes/dsp_doesnotexist000", tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    cJSON_Delete(d);
}

Test(disputes, resolution_in_favor_lifts_the_dispute_and_upheld_keeps_it) {
    require_mock();
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    for (int i = 0; i < 4; i++) cJSON_Delete(tx_ok(&T, b, a, "1", "pay"));
    const char *body = fmt("{\"agent_id\": \"%s\", \"reason\": \"r\"}", b);
    cJSON *d1 = dispute_file(&T, body), *d2 = dispute_file(&T, body);
    struct model_inputs in = {.completed = 4, .disputes = 2}; /* 400 + 0; then 400 + 55 */
    expect_trust(&T, b, &in);
    dispute_resolve(&T, jstr(d1, "dispute_id"), "dismissed", 200);
    in.disputes = 1;
    expect_trust(&T, b, &in);
    cJSON *h = get_ok(&T, fmt("/trust/%s/history", b));
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(h, 0), "reason"), "Dispute resolved in favor");
    cJSON_Delete(h);
    dispute_resolve(&T, jstr(d2, "dispute_id"), "upheld", 200);
    expect_trust(&T, b, &in); /* an upheld dispute still counts */
    dispute_resolve(&T, jstr(d2, "dispute_id"), "dismissed", 409);
    dispute_resolve(&T, jstr(d2, "dispute_id"), "maybe", 422);
    cJSON *back = get_ok(&T, fmt("/trust/disputes/%s", jstr(d2, "dispute_id")));
    cr_assert_str_eq(jstr(back, "status"), "upheld");
    cJSON_Delete(back);
    cJSON *chain = get_ok(&T, fmt("/agents/%s/audit?limit=1", b));
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(chain, "data"), 0), "action"), "trust.dispute_resolved");
    cJSON_Delete(chain);
    cJSON_Delete(d1);
    cJSON_Delete(d2);
}
