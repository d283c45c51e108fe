/* §5 GET /transactions/{id} (with audit_entry and counterparty_trust) and
 * POST /transactions/{id}/reverse (a new reversal record; only completed transfers). */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* party: an agent of the transaction, whose transactions must not change */
static void expect_reverse_refused(const char *id, const char *party, long status,
                                   const char *code) {
    const char *count = fmt("agent_id=%s&limit=1", party);
    int before = tx_total(&T, count);
    struct http_resp r;
    http_call("POST", fmt("/transactions/%s/reverse", id), tkey_min(&T, KEY_WRITE), NULL, NULL, &r);
    expect_error(&r, status, code);
    http_resp_free(&r);
    cr_assert_eq(tx_total(&T, count), before, "a refused reversal stored something");
}

Test(get, includes_the_audit_entry_and_counterparty_trust) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *made = tx_ok(&T, a, b, "7.5", "pay");
    cJSON *tx = get_ok(&T, fmt("/transactions/%s", jstr(made, "id")));
    expect_tx_shape(tx);
    cJSON *plain = cJSON_Duplicate(tx, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(plain, "audit_entry");
    cJSON_DeleteItemFromObjectCaseSensitive(plain, "counterparty_trust");
    cr_assert(cJSON_Compare(plain, made, 1), "GET differs from the POST answer");
    cJSON_Delete(plain);
    /* the initiator's chain entry */
    const cJSON *entry = jobj(tx, "audit_entry");
    cJSON *chain = get_ok(&T, fmt("/agents/%s/audit?limit=1", a));
    const cJSON *newest = cJSON_GetArrayItem(jarr(chain, "data"), 0);
    cr_assert(cJSON_Compare(entry, newest, 1), "audit_entry is not the initiator's chain entry");
    cr_assert_str_eq(jstr(entry, "action"), "transaction.completed");
    cr_assert_str_eq(jstr(entry, "payload_hash"), jstr(tx, "audit_hash"));
    cr_assert_str_eq(jstr(entry, "agent_id"), a);
    cJSON_Delete(chain);
    /* the counterparty's trust as GET /trust shows it */
    const cJSON *ct = jobj(tx, "counterparty_trust");
    cJSON *trust = get_ok(&T, fmt("/trust/%s", b));
    cr_assert_str_eq(jstr(ct, "agent_id"), b);
    cr_assert_str_eq(jstr(ct, "agent_name"), tname(&T, "Payee"));
    cr_assert_eq(jnum(ct, "score"), jnum(trust, "score"));
    cr_assert_str_eq(jstr(ct, "assessment"), jstr(trust, "assessment"));
    cJSON_Delete(trust);
    cJSON_Delete(tx);
    cJSON_Delete(made);
}

Test(get, unknown_ids_are_404) {
    tenant_new(&T);
    static const char *const ids[] = {"tx_doesnotexist0000", "agent_x", "nothing", "tx_"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct http_resp r;
        http_call("GET", fmt("/transactions/%s", ids[i]), tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
}

Test(reverse, creates_a_reversal_record_and_marks_the_original) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *orig = tx_ok(&T, a, b, "42.42", "pay");
    const char *id = jstr(orig, "id");
    cJSON *rev = tx_reverse(&T, id, "{\"reason\": \"Duplicate payment\"}");
    cr_assert_str_eq(jstr(rev, "type"), "reversal");
    cr_assert_str_eq(jstr(rev, "status"), "reversed");
    cr_assert_str_neq(jstr(rev, "id"), id);
    cr_assert_str_eq(jstr(rev, "original_transaction_id"), id);
    cr_assert_str_eq(jstr(rev, "agent_id"), a);
    cr_assert_str_eq(jstr(rev, "counterparty_id"), b);
    cr_assert_eq(jnum(rev, "amount"), 42.42);
    cr_assert_str_eq(jstr(rev, "currency"), jstr(orig, "currency"));
    cr_assert_str_eq(jstr(rev, "action_type"), "pay");
    cJSON *after = get_ok(&T, fmt("/transactions/%s", id));
    cr_assert_str_eq(jstr(after, "status"), "reversed");
    cr_assert_str_eq(jstr(after, "reversal_id"), jstr(rev, "id"));
    cr_assert_str_eq(jstr(after, "reversal_reason"), "Duplicate payment");
    cr_assert(is_rfc3339_utc_seconds(jstr(after, "reversed_at")));
    cr_assert_str_eq(jstr(after, "audit_hash"), jstr(orig, "audit_hash"), "entries never change");
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s&limit=1", a)), 2);
    /* both chains record the reversal, by the initiating agent, and still verify */
    const char *parties[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        cJSON *chain = get_ok(&T, fmt("/agents/%s/audit?limit=1", parties[i]));
        const cJSON *e = cJSON_GetArrayItem(jarr(chain, "data"), 0);
        cr_assert_str_eq(jstr(e, "action"), "transaction.reversed");
        cr_assert_str_eq(jstr(e, "actor_id"), a);
        cJSON_Delete(chain);
        if (ext_skipped()) continue;
        cJSON *v = get_ok(&T, fmt("/agents/%s/audit/verify", parties[i]));
        cr_assert(jbool(v, "valid"));
        cJSON_Delete(v);
    }
    cJSON_Delete(after);
    cJSON_Delete(rev);
    cJSON_Delete(orig);
}

Test(reverse, only_a_completed_transfer_can_be_reversed) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *orig = tx_ok(&T, a, b, "1", "pay");
    cJSON *rev = tx_reverse(&T, jstr(orig, "id"), NULL);
    expect_reverse_refused(jstr(orig, "id"), a, 409, "conflict");    /* again */
    expect_reverse_refused(jstr(rev, "id"), a, 409, "conflict");     /* a reversal */
    const char *failed = tx_refused(&T, a, b, "5000", "pay", "spending_limit_exceeded");
    expect_reverse_refused(failed, a, 409, "conflict");              /* a failed one */
    expect_reverse_refused("tx_doesnotexist0000", a, 404, "not_found");
    cJSON_Delete(rev);
    cJSON_Delete(orig);
}

Test(reverse, body_rules_and_key_level) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *orig = tx_ok(&T, a, b, "1", "pay");
    const char *path = fmt("/transactions/%s/reverse", jstr(orig, "id"));
    char *reason = malloc(520);
    memset(reason, 'r', 501);
    reason[501] = '\0';
    struct http_resp r;
    http_call("POST", path, tkey_min(&T, KEY_WRITE), fmt("{\"reason\": \"%s\"}", reason), NULL, &r);
    expect_field_error(&r, "reason");
    http_resp_free(&r);
    http_call("POST", path, tkey_min(&T, KEY_WRITE), "{\"reason\": 5}", NULL, &r);
    expect_field_error(&r, "reason");
    http_resp_free(&r);
    http_call("POST", path, tkey_min(&T, KEY_WRITE), "not json", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("POST", path, tkey(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    cJSON *still = get_ok(&T, fmt("/transactions/%s", jstr(orig, "id")));
    cr_assert_str_eq(jstr(still, "status"), "completed", "a rejected reversal changed the original");
    cJSON_Delete(still);
    reason[500] = '\0'; /* 500 characters are fine */
    cJSON_Delete(tx_reverse(&T, jstr(orig, "id"), fmt("{\"reason\": \"%s\"}", reason)));
    free(reason);
    cJSON_Delete(orig);
}

Test(reverse, moves_both_parties_scores) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *one = tx_ok(&T, a, b, "1", "pay");
    cJSON_Delete(tx_ok(&T, a, b, "2", "pay"));
    bool v = org_verified(&T);
    struct model_inputs in_a = {.completed = 2, .verified = v}, in_b = {.completed_as_counterparty = 2, .verified = v};
    expect_trust(&T, a, &in_a);
    expect_trust(&T, b, &in_b);
    cJSON_Delete(tx_reverse(&T, jstr(one, "id"), NULL));
    /* the initiator: 1 completed, 1 reversed; the counterparty: 1 completed */
    in_a = (struct model_inputs){.completed = 1, .reversed = 1, .verified = v};
    in_b = (struct model_inputs){.completed_as_counterparty = 1, .verified = v};
    expect_trust(&T, a, &in_a);
    expect_trust(&T, b, &in_b);
    cJSON_Delete(one);
}
