#include "alsorn_models.h"

#include <stdlib.h>
#include <string.h>

#include "json_decode.h"

static void trust_record_free(alsorn_trust_record *record) {
    if (!record) return;
    free(record->id);
    free(record->agent_id);
    free(record->last_evaluated);
    free(record);
}

static alsorn_trust_record *trust_record_decode(json_decoder *d, const cJSON *agent) {
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(agent, "trust_record");
    if (d->status != ALSORN_OK || !json || cJSON_IsNull(json)) return NULL;
    if (!cJSON_IsObject(json)) {
        decode_fail(d, ALSORN_ERR_DECODE, "trust_record", "expected an object");
        return NULL;
    }
    alsorn_trust_record *record = calloc(1, sizeof *record);
    if (!record) {
        decode_fail(d, ALSORN_ERR_NOMEM, "trust_record", NULL);
        return NULL;
    }
    json_decoder inner = {.err = d->err, .object = "agent.trust_record"};
    record->id = decode_string(&inner, json, "id");
    record->agent_id = decode_string(&inner, json, "agent_id");
    record->score = (int)decode_integer(&inner, json, "score");
    record->total_tasks = decode_integer(&inner, json, "total_tasks");
    record->disputes = decode_integer(&inner, json, "disputes");
    record->completion_rate = decode_number(&inner, json, "completion_rate");
    record->tenure_days = decode_integer(&inner, json, "tenure_days");
    record->operator_verified = decode_bool(&inner, json, "operator_verified");
    record->last_evaluated = decode_string(&inner, json, "last_evaluated");
    if (inner.status != ALSORN_OK) {
        d->status = inner.status; /* err already says which member */
        trust_record_free(record);
        return NULL;
    }
    return record;
}

void agent_clear(alsorn_agent *agent) {
    if (!agent) return;
    free(agent->id);
    free(agent->name);
    free(agent->description);
    free(agent->fingerprint);
    free(agent->environment);
    free(agent->status);
    free_string_array(agent->authorized_actions, agent->authorized_action_count);
    free(agent->currency);
    free(agent->org_id);
    free(agent->owner_id);
    free(agent->created_at);
    free(agent->updated_at);
    free(agent->suspended_at);
    free(agent->deleted_at);
    trust_record_free(agent->trust_record);
    memset(agent, 0, sizeof *agent);
}

alsorn_status agent_decode(const cJSON *json, alsorn_agent *out, alsorn_error *err) {
    json_decoder d = {.err = err, .object = "agent"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->id = decode_string(&d, json, "id");
    out->name = decode_string(&d, json, "name");
    out->description = decode_string(&d, json, "description");
    out->fingerprint = decode_string(&d, json, "fingerprint");
    out->environment = decode_string(&d, json, "environment");
    out->status = decode_string(&d, json, "status");
    out->authorized_actions =
        decode_string_array(&d, json, "authorized_actions", &out->authorized_action_count);
    out->spending_limit_cents = decode_money(&d, json, "spending_limit", &out->spending_limit);
    out->currency = decode_string(&d, json, "currency");
    out->org_id = decode_string(&d, json, "org_id");
    out->owner_id = decode_string(&d, json, "owner_id");
    out->created_at = decode_string(&d, json, "created_at");
    out->updated_at = decode_string(&d, json, "updated_at");
    out->suspended_at = decode_string(&d, json, "suspended_at");
    out->deleted_at = decode_string(&d, json, "deleted_at");
    out->trust_record = trust_record_decode(&d, json);
    if (d.status == ALSORN_OK && !out->id) {
        decode_fail(&d, ALSORN_ERR_DECODE, "id", "missing");
    }
    if (d.status != ALSORN_OK) agent_clear(out);
    return d.status;
}

void alsorn_agent_free(alsorn_agent *agent) {
    agent_clear(agent);
    free(agent);
}

void alsorn_agent_list_free(alsorn_agent_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        agent_clear(&list->items[i]);
    free(list->items);
    free(list);
}

void audit_entry_clear(alsorn_audit_entry *entry) {
    if (!entry) return;
    free(entry->id);
    free(entry->agent_id);
    free(entry->action);
    free(entry->payload_json);
    free(entry->actor_id);
    free(entry->created_at);
    free(entry->previous_hash);
    free(entry->payload_hash);
    memset(entry, 0, sizeof *entry);
}

alsorn_status audit_entry_decode(const cJSON *json, alsorn_audit_entry *out, alsorn_error *err) {
    json_decoder d = {.err = err, .object = "audit entry"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->id = decode_string(&d, json, "id");
    out->agent_id = decode_string(&d, json, "agent_id");
    out->action = decode_string(&d, json, "action");
    out->payload_json = decode_json_text(&d, json, "payload");
    out->actor_id = decode_string(&d, json, "actor_id");
    out->created_at = decode_string(&d, json, "created_at");
    out->previous_hash = decode_string(&d, json, "previous_hash");
    out->payload_hash = decode_string(&d, json, "payload_hash");
    if (d.status == ALSORN_OK && !out->id) decode_fail(&d, ALSORN_ERR_DECODE, "id", "missing");
    if (d.status != ALSORN_OK) audit_entry_clear(out);
    return d.status;
}

void alsorn_audit_entries_free(alsorn_audit_entry *entries, size_t n) {
    if (!entries) return;
    for (size_t i = 0; i < n; i++)
        audit_entry_clear(&entries[i]);
    free(entries);
}

static void verification_clear(alsorn_verification *v) {
    free(v->id);
    free(v->name);
    free(v->fingerprint);
    free(v->environment);
    free(v->status);
    free(v->org_name);
    free(v->created_at);
    memset(v, 0, sizeof *v);
}

void alsorn_verification_free(alsorn_verification *v) {
    if (!v) return;
    verification_clear(v);
    free(v);
}

alsorn_status verification_decode(const cJSON *json, alsorn_verification *out, alsorn_error *err) {
    json_decoder d = {.err = err, .object = "verification"};
    memset(out, 0, sizeof *out);
    if (!decode_object(&d, json)) return d.status;
    out->id = decode_string(&d, json, "id");
    out->name = decode_string(&d, json, "name");
    out->fingerprint = decode_string(&d, json, "fingerprint");
    out->environment = decode_string(&d, json, "environment");
    out->status = decode_string(&d, json, "status");
    out->org_name = decode_string(&d, json, "org_name");
    out->trust_score = (int)decode_integer(&d, json, "trust_score");
    out->operator_verified = decode_bool(&d, json, "operator_verified");
    out->created_at = decode_string(&d, json, "created_at");
    out->verified = decode_bool(&d, json, "verified");
    if (d.status == ALSORN_OK &&
        !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(json, "verified"))) {
        /* the one answer this call exists for: absent must not read as "false" */
        decode_fail(&d, ALSORN_ERR_DECODE, "verified", "missing");
    }
    if (d.status != ALSORN_OK) verification_clear(out);
    return d.status;
}

void alsorn_audit_verification_free(alsorn_audit_verification *v) {
    if (!v) return;
    free(v->head_hash);
    free(v->broken_at_id);
    free(v);
}

alsorn_status audit_verification_decode(const cJSON *json, alsorn_audit_verification *out,
                                        alsorn_error *err) {
    json_decoder d = {.err = err, .object = "audit verification"};
    memset(out, 0, sizeof *out);
    out->broken_at = -1;
    if (!decode_object(&d, json)) return d.status;
    if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(json, "valid"))) {
        decode_fail(&d, ALSORN_ERR_DECODE, "valid", "expected true or false");
        return d.status;
    }
    out->valid = decode_bool(&d, json, "valid");
    out->length = decode_integer(&d, json, "length");
    out->head_hash = decode_string(&d, json, "head_hash");
    const cJSON *broken = cJSON_GetObjectItemCaseSensitive(json, "broken_at");
    if (cJSON_IsString(broken))
        out->broken_at_id = decode_string(&d, json, "broken_at");
    else if (broken && !cJSON_IsNull(broken))
        out->broken_at = decode_integer(&d, json, "broken_at");
    if (d.status != ALSORN_OK) {
        free(out->head_hash);
        free(out->broken_at_id);
        memset(out, 0, sizeof *out);
    }
    return d.status;
}

alsorn_status page_decode(const cJSON *json, const char *object, const cJSON **data,
                          page_info *info, alsorn_error *err) {
    json_decoder d = {.err = err, .object = object};
    memset(info, 0, sizeof *info);
    *data = NULL;
    if (!decode_object(&d, json)) return d.status;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "data");
    const cJSON *pagination = cJSON_GetObjectItemCaseSensitive(json, "pagination");
    if (!cJSON_IsArray(items)) {
        decode_fail(&d, ALSORN_ERR_DECODE, "data", "expected an array");
    } else if (!cJSON_IsObject(pagination)) {
        decode_fail(&d, ALSORN_ERR_DECODE, "pagination", "expected an object");
    } else {
        d.object = "pagination";
        info->page = (long)decode_integer(&d, pagination, "page");
        info->limit = (long)decode_integer(&d, pagination, "limit");
        info->total = decode_integer(&d, pagination, "total");
        info->total_pages = (long)decode_integer(&d, pagination, "total_pages");
    }
    if (d.status == ALSORN_OK) *data = items;
    return d.status;
}
