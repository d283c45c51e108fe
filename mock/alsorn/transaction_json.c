#include "alsorn/transaction_json.h"
#include "core/json_build.h"

#include <string.h>

#include "alsorn/agent_json.h"
#include "core/clock.h"
#include "core/validate.h"

/* The hash of the initiator's chain entry of this transaction, written to out (NULL if its
 * append failed). */
static const char *audit_hash(const struct transaction *tx, char out[SHA256_TAGGED_LEN]) {
    const struct audit_chain *c = &tx->agent->audit;
    if (tx->audit_index >= c->n) return NULL;
    audit_entry_hash(&c->entries[tx->audit_index], out);
    return out;
}

cJSON *transaction_view_json(const struct transaction *tx, struct transaction_view v) {
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "id", tx->id);
    json_add_static(o, "type", tx_type_names[tx->type]);
    json_add_string(o, "agent_id", tx->agent->id);
    json_add_string(o, "agent_name", tx->agent->name);
    json_add_string(o, "counterparty_id", tx->counterparty->id);
    json_add_money(o, "amount", tx->amount);
    json_add_string(o, "currency", tx->currency);
    json_add_string(o, "action_type", tx->action_type);
    json_add_static(o, "status", tx_status_names[v.status]);
    json_add_bool(o, "permissions_checked", tx->permissions_checked);
    char hash[SHA256_TAGGED_LEN];
    json_add_string_or_null(o, "audit_hash", audit_hash(tx, hash));
    json_add_string_or_null(o, "notes", tx->notes);
    json_add_time(o, "created_at", tx->created_at);
    /* a reversal record carries its own reversed_at and reason; a transfer shows them once
     * its reversal is in view */
    bool reversal_record = tx->type == TX_REVERSAL;
    json_add_time(o, "reversed_at", reversal_record || v.reversal ? tx->reversed_at : 0);
    json_add_string_or_null(o, "reversal_id", v.reversal ? v.reversal->id : NULL);
    json_add_string_or_null(o, "reversal_reason",
                            reversal_record || v.reversal ? tx->reversal_reason : NULL);
    json_add_string_or_null(o, "original_transaction_id", tx->original ? tx->original->id : NULL);
    json_add_string_or_null(o, "error_code", tx->error_code);
    json_add_string_or_null(o, "error_message", tx->error_message);
    return o;
}

cJSON *transaction_json(const struct transaction *tx) {
    return transaction_view_json(tx, transaction_view_at(tx, SIZE_MAX));
}

/* ---- CSV ------------------------------------------------------------------------------- */

static const char *const csv_columns =
    "id,type,agent_id,agent_name,counterparty_id,amount,currency,action_type,status,"
    "permissions_checked,audit_hash,notes,created_at,reversed_at,reversal_id,reversal_reason,"
    "original_transaction_id,error_code,error_message\r\n";

void transaction_csv_header(FILE *out) { fputs(csv_columns, out); }

/* A field, quoted when it holds a comma, a quote, CR or LF (RFC 4180 §2.6), quotes doubled;
 * NULL is an empty field. */
static void csv_field(FILE *out, const char *s, bool last) {
    if (s && s[strcspn(s, ",\"\r\n")]) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"') fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else if (s) {
        fputs(s, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static void csv_time(FILE *out, int64_t t) {
    char ts[RFC3339_LEN];
    if (t) clock_format(t, ts);
    csv_field(out, t ? ts : NULL, false);
}

void transaction_csv_row(FILE *out, const struct transaction *tx, struct transaction_view v) {
    char amount[32], hash[SHA256_TAGGED_LEN];
    money_format(tx->amount, amount);
    bool reversal_record = tx->type == TX_REVERSAL;
    csv_field(out, tx->id, false);
    csv_field(out, tx_type_names[tx->type], false);
    csv_field(out, tx->agent->id, false);
    csv_field(out, tx->agent->name, false);
    csv_field(out, tx->counterparty->id, false);
    csv_field(out, amount, false);
    csv_field(out, tx->currency, false);
    csv_field(out, tx->action_type, false);
    csv_field(out, tx_status_names[v.status], false);
    csv_field(out, tx->permissions_checked ? "true" : "false", false);
    csv_field(out, audit_hash(tx, hash), false);
    csv_field(out, tx->notes, false);
    csv_time(out, tx->created_at);
    csv_time(out, reversal_record || v.reversal ? tx->reversed_at : 0);
    csv_field(out, v.reversal ? v.reversal->id : NULL, false);
    csv_field(out, reversal_record || v.reversal ? tx->reversal_reason : NULL, false);
    csv_field(out, tx->original ? tx->original->id : NULL, false);
    csv_field(out, tx->error_code, false);
    csv_field(out, tx->error_message, true);
}
