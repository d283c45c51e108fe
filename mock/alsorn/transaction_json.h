/* Rendering of Alsorn transactions (alsorn.md §5 Transaction object) as JSON and as CSV rows
 * (the export), both from the same view of a row. */
#ifndef TRANSACTION_JSON_H
#define TRANSACTION_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "store/transaction.h"

/* The Transaction object: id, type, agent_id, agent_name, counterparty_id, amount, currency,
 * action_type, status, permissions_checked, audit_hash, notes, created_at, reversed_at,
 * reversal_id, reversal_reason, original_transaction_id, error_code, error_message. */
cJSON *transaction_json(const struct transaction *tx);
/* The same as of a view (transaction_view_at). */
cJSON *transaction_view_json(const struct transaction *tx, struct transaction_view v);

/* CSV (RFC 4180): the header line, and one row per transaction, same columns as the JSON
 * object, null as an empty field, each line ended by CRLF. */
void transaction_csv_header(FILE *out);
void transaction_csv_row(FILE *out, const struct transaction *tx, struct transaction_view v);

#endif
