/* Decoding Alter's objects (§3–§6) into the public models, and releasing them. */
#include <stdlib.h>
#include <string.h>

#include "alter_internal.h"
#include "json_decode.h"

/* Runs a decoder's error through to the alter_error. */
static alter_status decoded(json_decoder *d, alter_error *err) {
    if (d->status == ALSORN_OK) return ALTER_OK;
    return alter_error_from_alsorn(err, d->err);
}

static void provider_scopes_free(alter_provider_scopes *p, size_t n) {
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].provider);
        free_string_array(p[i].scopes, p[i].scope_count);
    }
    free(p);
}

/* {"google": ["a", "b"], ...} in the server's order. */
static alter_provider_scopes *decode_scopes(json_decoder *d, const cJSON *obj, size_t *count) {
    *count = 0;
    const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(obj, "scopes");
    if (d->status != ALSORN_OK || !scopes || cJSON_IsNull(scopes)) return NULL;
    if (!cJSON_IsObject(scopes)) {
        decode_fail(d, ALSORN_ERR_DECODE, "scopes", "expected an object of string arrays");
        return NULL;
    }
    int n = cJSON_GetArraySize(scopes);
    alter_provider_scopes *out = calloc(n ? (size_t)n : 1, sizeof *out);
    if (!out) {
        decode_fail(d, ALSORN_ERR_NOMEM, "scopes", NULL);
        return NULL;
    }
    size_t got = 0;
    for (const cJSON *p = scopes->child; p && d->status == ALSORN_OK; p = p->next, got++) {
        out[got].provider = strdup(p->string);
        if (!out[got].provider) decode_fail(d, ALSORN_ERR_NOMEM, "scopes", NULL);
        out[got].scopes = decode_string_array(d, scopes, p->string, &out[got].scope_count);
    }
    if (d->status != ALSORN_OK) {
        provider_scopes_free(out, got);
        return NULL;
    }
    *count = got;
    return out;
}

void agent_info_clear(alter_agent_info *info) {
    if (!info) return;
    free(info->id);
    free(info->name);
    free(info->display_name);
    free(info->type);
    free(info->status);
    provider_scopes_free(info->scopes, info->scope_count);
    free(info->metadata_json);
    free(info->policy_json);
    free(info->created_at);
    free(info->updated_at);
    free(info->revoked_at);
    memset(info, 0, sizeof *info);
}

alter_status agent_info_decode(const cJSON *json, alter_agent_info *out, alter_error *err) {
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "agent"};
    memset(out, 0, sizeof *out);
    if (decode_object(&d, json)) {
        out->id = decode_string(&d, json, "id");
        out->name = decode_string(&d, json, "name");
        out->display_name = decode_string(&d, json, "display_name");
        out->type = decode_string(&d, json, "type");
        out->status = decode_string(&d, json, "status");
        out->scopes = decode_scopes(&d, json, &out->scope_count);
        out->metadata_json = decode_json_text(&d, json, "metadata");
        out->policy_json = decode_json_text(&d, json, "policy");
        out->created_at = decode_string(&d, json, "created_at");
        out->updated_at = decode_string(&d, json, "updated_at");
        out->revoked_at = decode_string(&d, json, "revoked_at");
        if (d.status == ALSORN_OK && (!out->id || !out->name || !out->status))
            decode_fail(&d, ALSORN_ERR_DECODE, "id", "id, name and status are required");
    }
    alter_status status = decoded(&d, err);
    if (status != ALTER_OK) agent_info_clear(out);
    alsorn_error_clear(&inner);
    return status;
}

void agent_key_clear(alter_agent_key *key) {
    if (!key) return;
    free(key->key_id);
    free(key->agent_id);
    free(key->key_prefix);
    free(key->name);
    free(key->status);
    free(key->created_at);
    free(key->deprecated_at);
    free(key->revoked_at);
    free(key->last_used_at);
    memset(key, 0, sizeof *key);
}

alter_status agent_key_decode(const cJSON *json, alter_agent_key *out, alter_error *err) {
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "key"};
    memset(out, 0, sizeof *out);
    if (decode_object(&d, json)) {
        out->key_id = decode_string(&d, json, "key_id");
        out->agent_id = decode_string(&d, json, "agent_id");
        out->key_prefix = decode_string(&d, json, "key_prefix");
        out->name = decode_string(&d, json, "name");
        out->status = decode_string(&d, json, "status");
        out->created_at = decode_string(&d, json, "created_at");
        out->deprecated_at = decode_string(&d, json, "deprecated_at");
        out->revoked_at = decode_string(&d, json, "revoked_at");
        out->last_used_at = decode_string(&d, json, "last_used_at");
        if (d.status == ALSORN_OK && (!out->key_id || !out->status))
            decode_fail(&d, ALSORN_ERR_DECODE, "key_id", "key_id and status are required");
    }
    alter_status status = decoded(&d, err);
    if (status != ALTER_OK) agent_key_clear(out);
    alsorn_error_clear(&inner);
    return status;
}

void audit_row_clear(alter_audit_row *row) {
    if (!row) return;
    char **strings[] = {&row->id,
                        &row->created_at,
                        &row->action,
                        &row->outcome,
                        &row->caller_key_prefix,
                        &row->caller_type,
                        &row->agent_id,
                        &row->run_id,
                        &row->thread_id,
                        &row->parent_run_id,
                        &row->trace_json,
                        &row->grant_id,
                        &row->method,
                        &row->path,
                        &row->request_id,
                        &row->details_json,
                        &row->previous_hash,
                        &row->hash,
                        &row->row_json};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    memset(row, 0, sizeof *row);
}

alter_status audit_row_decode(const cJSON *json, alter_audit_row *out, alter_error *err) {
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "audit row"};
    memset(out, 0, sizeof *out);
    if (decode_object(&d, json)) {
        out->id = decode_string(&d, json, "id");
        out->created_at = decode_string(&d, json, "created_at");
        out->action = decode_string(&d, json, "action");
        out->outcome = decode_string(&d, json, "outcome");
        out->status_code = (long)decode_integer(&d, json, "status_code");
        out->caller_key_prefix = decode_string(&d, json, "caller_key_prefix");
        out->caller_type = decode_string(&d, json, "caller_type");
        out->agent_id = decode_string(&d, json, "agent_id");
        out->run_id = decode_string(&d, json, "run_id");
        out->thread_id = decode_string(&d, json, "thread_id");
        out->parent_run_id = decode_string(&d, json, "parent_run_id");
        out->trace_json = decode_json_text(&d, json, "trace");
        out->grant_id = decode_string(&d, json, "grant_id");
        out->method = decode_string(&d, json, "method");
        out->path = decode_string(&d, json, "path");
        out->request_id = decode_string(&d, json, "request_id");
        out->details_json = decode_json_text(&d, json, "details");
        out->previous_hash = decode_string(&d, json, "previous_hash");
        out->hash = decode_string(&d, json, "hash");
        if (d.status == ALSORN_OK && !(out->row_json = cJSON_PrintUnformatted(json)))
            decode_fail(&d, ALSORN_ERR_NOMEM, "(row)", NULL);
        if (d.status == ALSORN_OK && (!out->id || !out->hash))
            decode_fail(&d, ALSORN_ERR_DECODE, "hash", "id and hash are required");
    }
    alter_status status = decoded(&d, err);
    if (status != ALTER_OK) audit_row_clear(out);
    alsorn_error_clear(&inner);
    return status;
}

/* ---- the public free functions ---- */

void alter_agent_info_free(alter_agent_info *info) {
    agent_info_clear(info);
    free(info);
}

void alter_agent_key_free(alter_agent_key *key) {
    agent_key_clear(key);
    free(key);
}

void alter_agent_create_result_free(alter_agent_create_result *result) {
    if (!result) return;
    agent_info_clear(&result->agent);
    if (result->api_key) {
        memset(result->api_key, 0, strlen(result->api_key)); /* a credential */
        free(result->api_key);
    }
    alter_agent_key_free(result->key);
    free(result);
}

void alter_key_mint_result_free(alter_key_mint_result *result) {
    if (!result) return;
    agent_key_clear(&result->key);
    if (result->api_key) {
        memset(result->api_key, 0, strlen(result->api_key));
        free(result->api_key);
    }
    free(result);
}

void alter_agent_list_free(alter_agent_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        agent_info_clear(&list->items[i]);
    free(list->items);
    free(list);
}

void alter_key_list_free(alter_key_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        agent_key_clear(&list->items[i]);
    free(list->items);
    free(list);
}

void alter_audit_rows_free(alter_audit_row *rows, size_t n) {
    for (size_t i = 0; rows && i < n; i++)
        audit_row_clear(&rows[i]);
    free(rows);
}

void alter_audit_page_free(alter_audit_page *page) {
    if (!page) return;
    alter_audit_rows_free(page->rows, page->count);
    free(page->next_cursor);
    free(page->anchor_hash);
    free(page);
}

void alter_audit_verification_free(alter_audit_verification *verification) {
    if (!verification) return;
    free(verification->head_hash);
    free(verification->broken_at);
    free(verification->anchor_hash);
    free(verification);
}
