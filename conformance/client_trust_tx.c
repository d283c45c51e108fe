/* Client-driven checks of §4–§5: the reference client's transactions and trust calls against
 * the target, end to end (the SDK's arguments reach the wire, answers decode, errors map). */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>

#include "alsorn.h"

static struct tenant T;

static alsorn_client *client_with(const char *key) {
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c, "alsorn_client_new failed");
    cr_assert_eq(alsorn_client_set_max_retries(c, 0), ALSORN_OK);
    return c;
}

#define expect_ok(call, err)                                                                       \
    do {                                                                                           \
        alsorn_status st_ = (call);                                                                \
        cr_assert_eq(st_, ALSORN_OK, "%s: %s (HTTP %ld, %s: %s)", #call, alsorn_status_name(st_),  \
                     (err)->http_status, (err)->code, (err)->message);                             \
    } while (0)

Test(client_tx, execute_list_get_reverse_and_export) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    alsorn_client *c = client_with(tkey_min(&T, KEY_WRITE));
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_transaction_params p = {.from_agent = a, .to_agent = b, .action = "pay",
                                   .amount = 0.1 + 0.2, .memo = "Payment, \"quoted\""};
    alsorn_transaction *tx = NULL;
    expect_ok(alsorn_transactions_execute(c, &p, &tx, &err), &err);
    cr_assert_str_eq(tx->agent_id, a);
    cr_assert_str_eq(tx->counterparty_id, b);
    cr_assert_str_eq(tx->action_type, "pay");
    cr_assert_eq(tx->amount_cents, 30);
    cr_assert_str_eq(tx->notes, "Payment, \"quoted\"");
    cr_assert_str_eq(tx->status, "completed");

    alsorn_transaction_list_params lp = {.agent_id = b, .status = "completed", .limit = 5};
    alsorn_transaction_list *list = NULL;
    expect_ok(alsorn_transactions_list(c, &lp, &list, &err), &err);
    cr_assert(list->count == 1 && list->total == 1 && list->limit == 5);
    cr_assert_str_eq(list->items[0].id, tx->id);
    alsorn_transaction_list_free(list);

    alsorn_transaction *got = NULL;
    expect_ok(alsorn_transactions_get(c, tx->id, &got, &err), &err);
    cr_assert(got->audit_entry && got->counterparty_trust);
    cr_assert_str_eq(got->audit_entry->payload_hash, tx->audit_hash);
    cr_assert_str_eq(got->counterparty_trust->agent_id, b);
    alsorn_transaction_free(got);

    alsorn_transaction *rev = NULL;
    expect_ok(alsorn_transactions_reverse(c, tx->id, "Duplicate payment", &rev, &err), &err);
    cr_assert_str_eq(rev->type, "reversal");
    cr_assert_str_eq(rev->original_transaction_id, tx->id);
    cr_assert_eq(alsorn_transactions_reverse(c, tx->id, NULL, NULL, &err), ALSORN_ERR_HTTP);
    cr_assert_eq(err.http_status, 409);
    cr_assert_str_eq(err.code, "conflict");
    alsorn_transaction_free(rev);

    if (!ext_skipped()) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        alsorn_transaction_export_params ep = {.format = "csv", .agent_id = a};
        expect_ok(alsorn_transactions_export(c, &ep, out, &err), &err);
        fclose(out);
        int lines = 0;
        for (char *q = text; (q = strstr(q, "\r\n")); q += 2) lines++;
        cr_assert_eq(lines, 3, "header, transfer and reversal: %s", text);
        cr_assert(strstr(text, "\"Payment, \"\"quoted\"\"\""), "notes quoted: %s", text);
        free(text);
    }
    /* a refused transaction: its code and the id of the stored failed one */
    p.amount = 5000;
    cr_assert_eq(alsorn_transactions_execute(c, &p, &tx, &err), ALSORN_ERR_FORBIDDEN);
    cr_assert_str_eq(err.code, "spending_limit_exceeded");
    cr_assert(has_prefix_alnum(err.transaction_id, "tx_"), "transaction_id \"%s\"", err.transaction_id);
    alsorn_transaction_free(tx);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(client_trust, query_batch_history_evaluate_and_report) {
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *made = tx_ok(&T, a, b, "10", "pay");
    alsorn_client *c = client_with(tkey_min(&T, KEY_WRITE));
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_trust_profile *p = NULL;
    expect_ok(alsorn_trust_query(c, a, &p, &err), &err);
    cr_assert_str_eq(p->agent_id, a);
    cr_assert_eq(p->total_tasks, 1);
    cr_assert_eq(p->score, p->components.completion_rate.score + p->components.dispute_rate.score +
                               p->components.tenure.score + p->components.operator_verified.score);
    cr_assert_float_eq(p->factors.completion_rate, 1.0, 1e-9);
    cr_assert_float_eq(p->factors.dispute_ratio, 0.0, 1e-9);
    alsorn_trust_profile_free(p);

    const char *ids[] = {b, "agent_doesnotexist000", a};
    alsorn_trust_batch *batch = NULL;
    expect_ok(alsorn_trust_batch_query(c, ids, 3, &batch, &err), &err);
    cr_assert(batch->count == 3 && batch->items[0] && !batch->items[1] && batch->items[2]);
    cr_assert_str_eq(batch->items[2]->agent_id, a);
    alsorn_trust_batch_free(batch);
    cr_assert_eq(alsorn_trust_batch_query(c, ids, 0, &batch, &err), ALSORN_ERR_VALIDATION);

    alsorn_trust_history *h = NULL;
    alsorn_trust_history_params hp = {.days = 7};
    expect_ok(alsorn_trust_get_history(c, a, &hp, &h, &err), &err);
    cr_assert(h->count >= 1);
    cr_assert_str_eq(h->items[0].reason, "Transaction completed");
    alsorn_trust_history_free(h);

    if (!ext_skipped()) {
        alsorn_trust_evaluation_params ev = {.action = "pay", .amount = 5};
        expect_ok(alsorn_trust_evaluate(c, a, &ev, &p, &err), &err);
        cr_assert(p->decision && p->decision->allowed);
        cr_assert_str_eq(p->decision->reason, "Trust score meets threshold");
        cr_assert_eq(p->decision->required_score, 400);
        alsorn_trust_profile_free(p);
    }

    const char *evidence[] = {jstr(made, "id")};
    alsorn_dispute_params dp = {.agent_id = b, .reason = "Agent did not deliver.",
                                .transaction_id = jstr(made, "id"), .evidence_ids = evidence,
                                .evidence_id_count = ext_skipped() ? 0 : 1};
    alsorn_dispute *d = NULL;
    expect_ok(alsorn_trust_report(c, &dp, &d, &err), &err);
    cr_assert_str_eq(d->reported_by, a);
    cr_assert_str_eq(d->status, "pending_review");
    if (!ext_skipped()) {
        alsorn_dispute *back = NULL;
        expect_ok(alsorn_trust_get_dispute(c, d->dispute_id, &back, &err), &err);
        cr_assert_str_eq(back->dispute_id, d->dispute_id);
        cr_assert_eq(back->evidence_id_count, 1);
        alsorn_dispute_free(back);
    }
    alsorn_dispute_free(d);
    expect_ok(alsorn_trust_query(c, b, &p, &err), &err);
    cr_assert_eq(p->disputes, 1);
    alsorn_trust_profile_free(p);
    cJSON_Delete(made);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}
