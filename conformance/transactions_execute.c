/* §5 POST /transactions: the stored record, both audit chains, every field rule (422, nothing
 * stored) and every execution check in the contract's order (403 with a stored failed
 * transaction whose id is in the error body). */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* Nothing stored: the parties' transactions and chains unchanged (a stored transaction,
 * even a failed one, is in both chains). */
struct parties_state {
    const char *a, *b;
    int a_len, b_len, a_tx, b_tx;
};

static int tx_count(const char *agent) { return tx_total(&T, fmt("agent_id=%s&limit=1", agent)); }

static struct parties_state state_of(const char *a, const char *b) {
    struct parties_state s = {a, b, 0, 0, 0, 0};
    if (a) s.a_len = audit_length(&T, a), s.a_tx = tx_count(a);
    if (b) s.b_len = audit_length(&T, b), s.b_tx = tx_count(b);
    return s;
}

static void expect_nothing_stored(const struct parties_state *before) {
    struct parties_state now = state_of(before->a, before->b);
    cr_assert(now.a_len == before->a_len && now.b_len == before->b_len,
              "a rejected transaction reached a party's audit chain");
    cr_assert(now.a_tx == before->a_tx && now.b_tx == before->b_tx,
              "a rejected transaction was stored");
}

static void expect_rejected(const char *body, const char *field, const char *a, const char *b) {
    struct parties_state before = state_of(a, b);
    struct http_resp r;
    tx_post(&T, body, &r);
    expect_field_error(&r, field);
    http_resp_free(&r);
    expect_nothing_stored(&before);
}

/* The newest audit entry of an agent. */
static cJSON *newest_entry(const char *agent_id) {
    cJSON *j = get_ok(&T, fmt("/agents/%s/audit?limit=1", agent_id));
    cJSON *e = cJSON_Duplicate(cJSON_GetArrayItem(jarr(j, "data"), 0), 1);
    cJSON_Delete(j);
    cr_assert(e, "empty audit chain for %s", agent_id);
    return e;
}

/* Both parties' newest entries are `action` for transaction tx_id, actor = the initiator. */
static void expect_in_both_chains(const char *tx_id, const char *action, const char *a,
                                  const char *b, const char *audit_hash) {
    const char *parties[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        cJSON *e = newest_entry(parties[i]);
        cr_assert_str_eq(jstr(e, "action"), action, "newest entry of %s", parties[i]);
        cr_assert_str_eq(jstr(e, "actor_id"), a, "transaction entries are by the initiating agent");
        cr_assert_str_eq(jstr(jobj(e, "payload"), "transaction_id"), tx_id);
        if (i == 0 && audit_hash) cr_assert_str_eq(jstr(e, "payload_hash"), audit_hash);
        cJSON_Delete(e);
        if (ext_skipped()) continue;
        cJSON *v = get_ok(&T, fmt("/agents/%s/audit/verify", parties[i]));
        cr_assert(jbool(v, "valid"), "chain of %s no longer verifies", parties[i]);
        cJSON_Delete(v);
    }
}

Test(execute, completes_and_records_in_both_chains) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    struct http_resp r;
    tx_post(&T, tx_body(a, b, "12.34", "pay", ", \"currency\": \"USD\", \"notes\": \"Invoice 7\""), &r);
    expect_status(&r, 201);
    expect_request_id(&r);
    const cJSON *tx = r.json;
    expect_tx_shape(tx);
    cr_assert_str_eq(jstr(tx, "type"), "transfer");
    cr_assert_str_eq(jstr(tx, "status"), "completed");
    cr_assert_str_eq(jstr(tx, "agent_id"), a);
    cr_assert_str_eq(jstr(tx, "agent_name"), tname(&T, "Payer"));
    cr_assert_str_eq(jstr(tx, "counterparty_id"), b);
    cr_assert(strstr(r.body, "\"amount\":12.34"), "amount must be exactly 12.34: %s", r.body);
    cr_assert_str_eq(jstr(tx, "currency"), "USD");
    cr_assert_str_eq(jstr(tx, "action_type"), "pay");
    cr_assert_str_eq(jstr(tx, "notes"), "Invoice 7");
    cr_assert(jbool(tx, "permissions_checked"));
    cr_assert(jnull(tx, "error_code") && jnull(tx, "error_message") && jnull(tx, "reversed_at") &&
              jnull(tx, "reversal_id") && jnull(tx, "reversal_reason"));
    expect_in_both_chains(jstr(tx, "id"), "transaction.completed", a, b, jstr(tx, "audit_hash"));
    cr_assert_eq(tx_count(a), 1);
    cr_assert_eq(tx_count(b), 1);
    http_resp_free(&r);
}

Test(execute, currency_defaults_to_the_initiators_and_no_other_is_taken) {
    tenant_new(&T);
    const char *eur = tx_agent(&T, "Euro Payer", "[\"pay\"]", "100");
    const char *b = tx_agent(&T, "Payee", "[\"pay\"]", "100");
    cJSON *patched = agent_patch(&T, eur, "{\"currency\": \"EUR\"}");
    cJSON_Delete(patched);
    cJSON *tx = tx_ok(&T, eur, b, "5", "pay");
    cr_assert_str_eq(jstr(tx, "currency"), "EUR");
    cJSON_Delete(tx);
    struct http_resp r;
    tx_post(&T, tx_body(eur, b, "5", "pay", ", \"currency\": \"USD\""), &r);
    expect_field_error(&r, "currency");
    http_resp_free(&r);
    cr_assert_eq(tx_count(eur), 1, "a 422 stored a transaction");
}

Test(execute, amounts_must_be_positive_with_two_decimals_at_most) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    static const char *const bad[] = {"0", "-5", "-0.01", "10.001", "0.005", "\"10\"", "null",
                                      "true", "1000000000000.01", "1e13"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_rejected(tx_body(a, b, bad[i], "pay", ""), "amount", a, b);
    cJSON *small = tx_ok(&T, a, b, "0.07", "pay");
    cr_assert_eq(jnum(small, "amount"), 0.07);
    cJSON_Delete(small);
    cJSON *whole = tx_ok(&T, a, b, "999.90", "pay");
    cr_assert_eq(jnum(whole, "amount"), 999.9);
    cJSON_Delete(whole);
}

Test(execute, every_missing_field_is_listed) {
    tenant_new(&T);
    struct http_resp r;
    tx_post(&T, "{}", &r);
    expect_field_error(&r, "agent_id");
    expect_field_error(&r, "counterparty_id");
    expect_field_error(&r, "amount");
    expect_field_error(&r, "action_type");
    http_resp_free(&r);
    if (!T.live) cr_assert_eq(tx_total(&T, "limit=1"), 0, "a 422 stored a transaction");
}

Test(execute, counterparty_must_differ_from_the_initiator) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    expect_rejected(tx_body(a, a, "1", "pay", ""), "counterparty_id", a, NULL);
}

Test(execute, unknown_parties_are_422_and_store_nothing) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    expect_rejected(tx_body("agent_doesnotexist000", b, "1", "pay", ""), "agent_id", NULL, b);
    expect_rejected(tx_body(a, "agent_doesnotexist000", "1", "pay", ""), "counterparty_id", a, NULL);
    struct http_resp r;
    tx_post(&T, tx_body("agent_nope1", "agent_nope2", "1", "pay", ""), &r);
    expect_field_error(&r, "agent_id");
    expect_field_error(&r, "counterparty_id");
    http_resp_free(&r);
    /* another organization's agent is not a party this org can name */
    struct tenant other;
    tenant_other(&other);
    const char *foreign = tx_agent(&other, "Foreign", "[\"pay\"]", "100");
    expect_rejected(tx_body(a, foreign, "1", "pay", ""), "counterparty_id", a, NULL);
    expect_rejected(tx_body(foreign, b, "1", "pay", ""), "agent_id", NULL, b);
}

Test(execute, field_rules) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    expect_rejected(tx_body(a, b, "1", "Not An Action", ""), "action_type", a, b);
    expect_rejected(tx_body(a, b, "1", "", ""), "action_type", a, b);
    expect_rejected(tx_body(a, b, "1", "pay", ", \"currency\": \"usd\""), "currency", a, b);
    char *long_notes = malloc(502);
    memset(long_notes, 'n', 501);
    long_notes[501] = '\0';
    expect_rejected(tx_body(a, b, "1", "pay", fmt(", \"notes\": \"%s\"", long_notes)), "notes", a, b);
    long_notes[500] = '\0'; /* 500 characters are allowed */
    struct http_resp r;
    tx_post(&T, tx_body(a, b, "1", "pay", fmt(", \"notes\": \"%s\"", long_notes)), &r);
    expect_status(&r, 201);
    http_resp_free(&r);
    free(long_notes);
    tx_post(&T, fmt("{\"agent_id\": 5, \"counterparty_id\": [\"%s\"], \"amount\": 1, "
                    "\"action_type\": \"pay\"}", b), &r);
    expect_field_error(&r, "agent_id");
    expect_field_error(&r, "counterparty_id");
    http_resp_free(&r);
}

Test(execute, deleted_counterparty_is_422) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(agent_delete(&T, b));
    expect_rejected(tx_body(a, b, "1", "pay", ""), "counterparty_id", a, b);
}

Test(execute, deleted_initiator_is_a_conflict) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(agent_delete(&T, a));
    struct parties_state before = state_of(a, b);
    struct http_resp r;
    tx_post(&T, tx_body(a, b, "1", "pay", ""), &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
    expect_nothing_stored(&before);
}

/* Files a dispute against an agent with failures only, whose score is then 0 + 0 + 150 at
 * most (an operator-verified org): under 400.  Returns the number of disputes filed. */
static int push_under_400(const char *agent) {
    cJSON_Delete(dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"failed\"}", agent)));
    return 1;
}

/* A 403: the failed transaction is stored once, readable, in both chains. */
static void expect_failed_stored(const char *id, const char *a, const char *b,
                                 const char *upper_code) {
    cJSON *tx = get_ok(&T, fmt("/transactions/%s", id));
    expect_tx_shape(tx);
    cr_assert_str_eq(jstr(tx, "status"), "failed");
    cr_assert_str_eq(jstr(tx, "error_code"), upper_code);
    cr_assert(strlen(jstr(tx, "error_message")) > 0);
    expect_in_both_chains(id, "transaction.failed", a, b, jstr(tx, "audit_hash"));
    cJSON_Delete(tx);
    cJSON *list = get_ok(&T, fmt("/transactions?status=failed&agent_id=%s", a));
    cr_assert_eq(jnum(list, "total"), 1);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(list, "transactions"), 0), "id"), id);
    cJSON_Delete(list);
}

Test(execute, suspended_initiator_is_agent_not_active) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(agent_action(&T, a, "suspend"));
    const char *id = tx_refused(&T, a, b, "1", "pay", "agent_not_active");
    expect_failed_stored(id, a, b, "AGENT_NOT_ACTIVE");
}

Test(execute, unauthorized_action_is_action_not_authorized) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    const char *id = tx_refused(&T, a, b, "1", "withdraw", "action_not_authorized");
    expect_failed_stored(id, a, b, "ACTION_NOT_AUTHORIZED");
}

Test(execute, amount_over_the_limit_is_spending_limit_exceeded) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON_Delete(tx_ok(&T, a, b, "1000", "pay")); /* exactly the limit passes */
    const char *id = tx_refused(&T, a, b, "1000.01", "pay", "spending_limit_exceeded");
    cJSON *tx = get_ok(&T, fmt("/transactions/%s", id));
    cr_assert_str_eq(jstr(tx, "error_code"), "SPENDING_LIMIT_EXCEEDED");
    cr_assert_str_eq(jstr(tx, "status"), "failed");
    cJSON_Delete(tx);
}

Test(execute, score_under_the_required_score_is_insufficient_trust) {
    tenant_new(&T);
    clock_hold_shared();
    const char *a, *b;
    tx_pair(&T, &a, &b);
    /* a first failure leaves 0 of 1 completed: 0 + 300 = 300 < 400; a verified org's agent
     * has 150 more, and a dispute takes its 300 away */
    tx_refused(&T, a, b, "5000", "pay", "spending_limit_exceeded");
    struct model_inputs in = {.failed = 1, .verified = org_verified(&T)};
    if (in.verified) in.disputes = push_under_400(a);
    expect_trust(&T, a, &in);
    const char *id = tx_refused(&T, a, b, "1", "pay", "insufficient_trust");
    cJSON *tx = get_ok(&T, fmt("/transactions/%s", id));
    cr_assert_str_eq(jstr(tx, "error_code"), "INSUFFICIENT_TRUST");
    cJSON_Delete(tx);
    in.failed = 2;
    expect_trust(&T, a, &in);
    /* the counterparty's inputs count only completed transactions */
    struct model_inputs none = {.verified = org_verified(&T)};
    expect_trust(&T, b, &none);
}

Test(execute, checks_run_in_the_contract_order) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    /* existence (422) comes before everything */
    cJSON_Delete(agent_action(&T, a, "suspend"));
    struct http_resp r;
    tx_post(&T, tx_body(a, "agent_doesnotexist000", "5000", "withdraw", ""), &r);
    expect_field_error(&r, "counterparty_id");
    http_resp_free(&r);
    /* inactive before a deleted counterparty, authorization and limit */
    const char *c = tx_agent(&T, "Deleted Payee", "[\"pay\"]", "10");
    cJSON_Delete(agent_delete(&T, c));
    tx_refused(&T, a, c, "5000", "withdraw", "agent_not_active");
    cJSON_Delete(agent_action(&T, a, "reactivate"));
    /* authorization before the limit, the limit before trust */
    const char *fresh = tx_agent(&T, "Fresh", "[\"pay\"]", "10");
    tx_refused(&T, fresh, b, "5000", "withdraw", "action_not_authorized");
    tx_refused(&T, fresh, b, "5000", "pay", "spending_limit_exceeded"); /* under 400 by now */
    if (org_verified(&T)) push_under_400(fresh);
    tx_refused(&T, fresh, b, "5000", "pay", "spending_limit_exceeded");
    tx_refused(&T, fresh, b, "1", "pay", "insufficient_trust");
}

Test(execute, needs_a_write_key_and_a_json_body) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    struct parties_state before = state_of(a, b);
    struct http_resp r;
    http_call("POST", "/transactions", tkey(&T, KEY_READ), tx_body(a, b, "1", "pay", ""), NULL, &r);
    expect_error(&r, 403, "forbidden");
    http_resp_free(&r);
    http_call("POST", "/transactions", tkey_min(&T, KEY_WRITE), "{\"agent_id\": ", NULL, &r);
    expect_error(&r, 400, "invalid_json");
    http_resp_free(&r);
    http_call("POST", "/transactions", tkey_min(&T, KEY_WRITE), tx_body(a, b, "1", "pay", ""),
              "text/plain", &r);
    expect_error(&r, 415, "unsupported_media_type");
    http_resp_free(&r);
    http_call("POST", "/transactions", NULL, tx_body(a, b, "1", "pay", ""), NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
    expect_nothing_stored(&before);
}
