/* Decoding the Transaction object of contract §5, with what GET /transactions/{id} adds. */
#include <stdlib.h>
#include <string.h>

#include "alsorn_models.h"
#include "json_decode.h"

static void counterparty_trust_free(alsorn_counterparty_trust *c) {
    if (!c) return;
    free(c->agent_id);
    free(c->agent_name);
    free(c->assessment);
    free(c);
}

static alsorn_counterparty_trust *counterparty_trust_decode(json_decoder *d, const cJSON *tx) {
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(tx, "counterparty_trust");
    if (d->status != ALSORN_OK || !json || cJSON_IsNull(json)) return NULL;
    alsorn_counterparty_trust *out = calloc(1, sizeof *out);
    if (!out) {
        decode_fail(d, ALSORN_ERR_NOMEM, "counterparty_trust", NULL);
        return NULL;
    }
    if (!cJSON_IsObject(json))
        decode_fail(d, ALSORN_ERR_DECODE, "counterparty_trust", "expected an object");
    out->agent_id = decode_string(d, json, "agent_id");
    out->agent_name = decode_string(d, json, "agent_name");
    out->score = (int)decode_integer(d, json, "score");
    out->assessment = decode_string(d, json, "assessment");
    if (d->status != ALSORN_OK) {
        counterparty_trust_free(out);
        return NULL;
    }
    return out;
}

static alsorn_audit_entry *audit_entry_of(json_decoder *d, const cJSON *tx) {
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(tx, "audit_entry");
    if (d->status != ALSORN_OK || !json || cJSON_IsNull(json)) return NULL;
    alsorn_audit_entry *out = malloc(sizeof *out);
    if (!out) {
        decode_fail(d, ALSORN_ERR_NOMEM, "audit_entry", NULL);
        return NULL;
    }
    alsorn_status status = audit_entry_decode(json, out, d->err);
    if (status != ALSORN_OK) {
        d->status = status; /* err already names the member */
        free(out);
        return NULL;
    }
    return out;
}

void transaction_clear(void *transaction) {
    alsorn_transaction *t = transaction;
    if (!t) return;
    free(t->id);
    free(t->type);
    free(t->agent_id);
    free(t->agent_name);
    free(t->counterparty_id);
    free(t->currency);
    free(t->action_type);
    free(t->status);
    free(t->audit_hash);
    free(t->notes);
    free(t->created_at);
    free(t->reversed_at);
    free(t->reversal_id);
    free(t->reversal_reason);
    free(t->original_transaction_id);
    free(t->error_code);
    free(t->error_message);
    alsorn_audit_entries_free(t->audit_entry, t->audit_entry ? 1 : 0);
    counterparty_trust_free(t->counterparty_trust);
    memset(t, 0, sizeof *t);
}

alsorn_status transaction_decode(const cJSON *json, void *transaction, alsorn_error *err) {
    alsorn_transaction *out = transaction;
    json_decoder d = {.err = err, .object = "transaction"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->id = decode_string(&d, json, "id");
    out->type = decode_string(&d, json, "type");
    out->agent_id = decode_string(&d, json, "agent_id");
    out->agent_name = decode_string(&d, json, "agent_name");
    out->counterparty_id = decode_string(&d, json, "counterparty_id");
    out->amount_cents = decode_money(&d, json, "amount", &out->amount);
    out->currency = decode_string(&d, json, "currency");
    out->action_type = decode_string(&d, json, "action_type");
    out->status = decode_string(&d, json, "status");
    out->permissions_checked = decode_bool(&d, json, "permissions_checked");
    out->audit_hash = decode_string(&d, json, "audit_hash");
    out->notes = decode_string(&d, json, "notes");
    out->created_at = decode_string(&d, json, "created_at");
    out->reversed_at = decode_string(&d, json, "reversed_at");
    out->reversal_id = decode_string(&d, json, "reversal_id");
    out->reversal_reason = decode_string(&d, json, "reversal_reason");
    out->original_transaction_id = decode_string(&d, json, "original_transaction_id");
    out->error_code = decode_string(&d, json, "error_code");
    out->error_message = decode_string(&d, json, "error_message");
    out->audit_entry = audit_entry_of(&d, json);
    out->counterparty_trust = counterparty_trust_decode(&d, json);
    if (d.status == ALSORN_OK && !out->id) decode_fail(&d, ALSORN_ERR_DECODE, "id", "missing");
    if (d.status != ALSORN_OK) transaction_clear(out);
    return d.status;
}

void alsorn_transaction_free(alsorn_transaction *transaction) {
    transaction_clear(transaction);
    free(transaction);
}

void alsorn_transaction_list_free(alsorn_transaction_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        transaction_clear(&list->items[i]);
    free(list->items);
    free(list);
}
