/* Decoding the trust models of contract §4: TrustProfile (with the SDK's factors view),
 * history snapshots and disputes. */
#include <stdlib.h>
#include <string.h>

#include "alsorn_models.h"
#include "json_decode.h"

static void decision_free(alsorn_trust_decision *d) {
    if (!d) return;
    free(d->reason);
    free(d);
}

/* {weight, score, value}; value is a number, or a boolean for operator_verified. */
static void component_decode(json_decoder *d, const cJSON *components, const char *name,
                             alsorn_trust_component *out) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(components, name);
    if (d->status != ALSORN_OK || !c) return;
    if (!cJSON_IsObject(c)) return decode_fail(d, ALSORN_ERR_DECODE, name, "expected an object");
    out->weight = (int)decode_integer(d, c, "weight");
    out->score = (int)decode_integer(d, c, "score");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(c, "value");
    out->value = cJSON_IsBool(value) ? cJSON_IsTrue(value) : decode_number(d, c, "value");
}

static alsorn_trust_decision *decision_decode(json_decoder *d, const cJSON *profile) {
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(profile, "decision");
    if (d->status != ALSORN_OK || !json || cJSON_IsNull(json)) return NULL;
    if (!cJSON_IsObject(json)) {
        decode_fail(d, ALSORN_ERR_DECODE, "decision", "expected an object");
        return NULL;
    }
    alsorn_trust_decision *out = calloc(1, sizeof *out);
    if (!out) {
        decode_fail(d, ALSORN_ERR_NOMEM, "decision", NULL);
        return NULL;
    }
    out->allowed = decode_bool(d, json, "allowed");
    out->reason = decode_string(d, json, "reason");
    out->required_score = (int)decode_integer(d, json, "required_score");
    if (d->status == ALSORN_OK && !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(json, "allowed")))
        decode_fail(d, ALSORN_ERR_DECODE, "decision.allowed", "missing");
    if (d->status != ALSORN_OK) {
        decision_free(out);
        return NULL;
    }
    return out;
}

void trust_profile_clear(alsorn_trust_profile *p) {
    if (!p) return;
    free(p->agent_id);
    free(p->agent_name);
    free(p->assessment);
    free(p->last_evaluated);
    free(p->trend);
    decision_free(p->decision);
    memset(p, 0, sizeof *p);
}

alsorn_status trust_profile_decode(const cJSON *json, void *profile, alsorn_error *err) {
    alsorn_trust_profile *out = profile;
    json_decoder d = {.err = err, .object = "trust profile"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->agent_id = decode_string(&d, json, "agent_id");
    out->agent_name = decode_string(&d, json, "agent_name");
    out->score = (int)decode_integer(&d, json, "score");
    out->assessment = decode_string(&d, json, "assessment");
    const cJSON *components = cJSON_GetObjectItemCaseSensitive(json, "components");
    component_decode(&d, components, "completion_rate", &out->components.completion_rate);
    component_decode(&d, components, "dispute_rate", &out->components.dispute_rate);
    component_decode(&d, components, "tenure", &out->components.tenure);
    component_decode(&d, components, "operator_verified", &out->components.operator_verified);
    out->total_tasks = decode_integer(&d, json, "total_tasks");
    out->disputes = decode_integer(&d, json, "disputes");
    out->tenure_days = decode_integer(&d, json, "tenure_days");
    out->operator_verified = decode_bool(&d, json, "operator_verified");
    out->last_evaluated = decode_string(&d, json, "last_evaluated");
    out->trend = decode_string(&d, json, "trend");
    out->decision = decision_decode(&d, json);
    out->factors = (alsorn_trust_factors){
        .completion_rate = out->components.completion_rate.value,
        .dispute_ratio = out->components.dispute_rate.value,
        .tenure_days = out->tenure_days,
        .operator_verified = out->operator_verified,
    };
    if (d.status == ALSORN_OK && !out->agent_id)
        decode_fail(&d, ALSORN_ERR_DECODE, "agent_id", "missing");
    if (d.status != ALSORN_OK) trust_profile_clear(out);
    return d.status;
}

void alsorn_trust_profile_free(alsorn_trust_profile *profile) {
    trust_profile_clear(profile);
    free(profile);
}

void alsorn_trust_batch_free(alsorn_trust_batch *batch) {
    if (!batch) return;
    for (size_t i = 0; i < batch->count; i++)
        alsorn_trust_profile_free(batch->items[i]);
    free(batch->items);
    free(batch);
}

void trust_snapshot_clear(void *snapshot) {
    alsorn_trust_snapshot *s = snapshot;
    free(s->assessment);
    free(s->reason);
    free(s->created_at);
    memset(s, 0, sizeof *s);
}

alsorn_status trust_snapshot_decode(const cJSON *json, void *snapshot, alsorn_error *err) {
    alsorn_trust_snapshot *out = snapshot;
    json_decoder d = {.err = err, .object = "trust snapshot"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->score = (int)decode_integer(&d, json, "score");
    out->assessment = decode_string(&d, json, "assessment");
    out->reason = decode_string(&d, json, "reason");
    out->created_at = decode_string(&d, json, "created_at");
    if (d.status != ALSORN_OK) trust_snapshot_clear(out);
    return d.status;
}

void alsorn_trust_history_free(alsorn_trust_history *history) {
    if (!history) return;
    for (size_t i = 0; i < history->count; i++)
        trust_snapshot_clear(&history->items[i]);
    free(history->items);
    free(history);
}

static void dispute_clear(alsorn_dispute *x) {
    free(x->dispute_id);
    free(x->agent_id);
    free(x->reported_by);
    free(x->reason);
    free(x->evidence);
    free_string_array(x->evidence_ids, x->evidence_id_count);
    free(x->transaction_id);
    free(x->status);
    free(x->created_at);
    memset(x, 0, sizeof *x);
}

alsorn_status dispute_decode(const cJSON *json, void *dispute, alsorn_error *err) {
    alsorn_dispute *out = dispute;
    json_decoder d = {.err = err, .object = "dispute"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->dispute_id = decode_string(&d, json, "dispute_id");
    out->agent_id = decode_string(&d, json, "agent_id");
    out->reported_by = decode_string(&d, json, "reported_by");
    out->reason = decode_string(&d, json, "reason");
    out->evidence = decode_string(&d, json, "evidence");
    out->evidence_ids = decode_string_array(&d, json, "evidence_ids", &out->evidence_id_count);
    out->transaction_id = decode_string(&d, json, "transaction_id");
    out->status = decode_string(&d, json, "status");
    out->created_at = decode_string(&d, json, "created_at");
    if (d.status == ALSORN_OK && !out->dispute_id)
        decode_fail(&d, ALSORN_ERR_DECODE, "dispute_id", "missing");
    if (d.status != ALSORN_OK) dispute_clear(out);
    return d.status;
}

void alsorn_dispute_free(alsorn_dispute *dispute) {
    if (!dispute) return;
    dispute_clear(dispute);
    free(dispute);
}
