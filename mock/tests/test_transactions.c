/* The transaction store (indexes, per-agent positions, the as-of view an export reads) and the
 * CSV rendering of a row. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/transaction_json.h"
#include "store/transaction.h"

static struct agent alice = {.id = "agent_alice", .name = "Alice, \"A\""};
static struct agent bob = {.id = "agent_bob", .name = "Bob"};

static struct transaction *make(const char *id, struct agent *a, struct agent *b,
                                enum tx_status status) {
    struct transaction *tx = calloc(1, sizeof *tx);
    snprintf(tx->id, sizeof tx->id, "%s", id);
    tx->agent = a;
    tx->counterparty = b;
    tx->status = status;
    tx->amount = 1250;
    snprintf(tx->currency, sizeof tx->currency, "USD");
    tx->action_type = strdup("pay");
    tx->created_at = 1767225600; /* 2026-01-01T00:00:00Z */
    return tx;
}

static void reset_agents(void) {
    free(alice.transactions.positions);
    free(bob.transactions.positions);
    alice.transactions = (struct agent_transactions){0};
    bob.transactions = (struct agent_transactions){0};
}

Test(transaction_set, indexes_by_id_status_and_party) {
    struct transaction_set s = {0};
    cr_assert_eq(transaction_set_add(&s, make("tx_1", &alice, &bob, TX_COMPLETED)), 0);
    cr_assert_eq(transaction_set_add(&s, make("tx_2", &bob, &alice, TX_FAILED)), 0);
    cr_assert_eq(transaction_set_add(&s, make("tx_3", &alice, &bob, TX_COMPLETED)), 0);
    cr_assert_eq(transaction_set_find(&s, "tx_2")->position, 1);
    cr_assert_null(transaction_set_find(&s, "tx_9"));
    cr_assert_eq(transaction_set_count(&s, -1), 3);
    cr_assert_eq(transaction_set_count(&s, TX_COMPLETED), 2);
    cr_assert_str_eq(transaction_set_nth_newest(&s, TX_COMPLETED, 0)->id, "tx_3");
    cr_assert_str_eq(transaction_set_nth_newest(&s, TX_COMPLETED, 1)->id, "tx_1");
    cr_assert_str_eq(transaction_set_nth_newest(&s, -1, 2)->id, "tx_1");
    transaction_set_change_status(&s, transaction_set_find(&s, "tx_1"), TX_REVERSED);
    cr_assert_eq(transaction_set_count(&s, TX_COMPLETED), 1);
    cr_assert_str_eq(transaction_set_nth_newest(&s, TX_REVERSED, 0)->id, "tx_1");
    /* both parties know every one of their transactions, oldest first */
    cr_assert_eq(alice.transactions.n, 3);
    cr_assert_eq(bob.transactions.n, 3);
    cr_assert_eq(alice.transactions.positions[1], 1);
    transaction_set_free(&s);
    reset_agents();
}

Test(transaction_set, a_view_shows_a_reversal_only_within_its_horizon) {
    struct transaction_set s = {0};
    struct transaction *orig = make("tx_1", &alice, &bob, TX_COMPLETED);
    transaction_set_add(&s, orig);
    size_t horizon = s.n; /* an export starts here */
    struct transaction *rev = make("tx_2", &alice, &bob, TX_REVERSED);
    rev->type = TX_REVERSAL;
    rev->original = orig;
    transaction_set_add(&s, rev);
    transaction_set_change_status(&s, orig, TX_REVERSED);
    orig->reversal = rev;
    struct transaction_view before = transaction_view_at(orig, horizon);
    cr_assert_eq(before.status, TX_COMPLETED);
    cr_assert_null(before.reversal);
    struct transaction_view now = transaction_view_at(orig, SIZE_MAX);
    cr_assert_eq(now.status, TX_REVERSED);
    cr_assert_eq(now.reversal, rev);
    transaction_set_free(&s);
    reset_agents();
}

Test(transaction_csv, quotes_fields_as_rfc_4180_says) {
    struct transaction *tx = make("tx_1", &alice, &bob, TX_COMPLETED);
    tx->notes = strdup("a,b \"c\"\r\nd");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    transaction_csv_header(out);
    transaction_csv_row(out, tx, transaction_view_at(tx, SIZE_MAX));
    fclose(out);
    const char *row = strstr(text, "\r\ntx_1,") + 2;
    cr_assert_str_eq(row, "tx_1,transfer,agent_alice,\"Alice, \"\"A\"\"\",agent_bob,12.5,USD,pay,"
                          "completed,false,,\"a,b \"\"c\"\"\r\nd\",2026-01-01T00:00:00Z,,,,,,\r\n");
    /* as many columns in the header as in a row */
    int header_commas = 0;
    for (const char *p = text; *p != '\r'; p++) header_commas += *p == ',';
    cr_assert_eq(header_commas, 18);
    free(text);
    transaction_free(tx);
}
