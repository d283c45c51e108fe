/* Decoding the vault's objects (contract §7): grants, tokens, provider answers, approvals. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alter_internal.h"
#include "base64.h"
#include "json_decode.h"

/* Ends a decode: the decoder's failure as the alter_error. */
static alter_status finish(json_decoder *d, alter_error *err) {
    alter_status status = d->status == ALSORN_OK ? ALTER_OK : alter_error_from_alsorn(err, d->err);
    alsorn_error_clear(d->err);
    return status;
}

bool headers_append(alter_header **headers, size_t *n, const char *name, const char *value) {
    alter_header *grown = realloc(*headers, (*n + 1) * sizeof *grown);
    if (!grown) return false;
    *headers = grown;
    alter_header *h = &grown[*n];
    h->name = strdup(name);
    h->value = strdup(value);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        return false;
    }
    (*n)++;
    return true;
}

void headers_free(alter_header *headers, size_t n) {
    for (size_t i = 0; headers && i < n; i++) {
        free(headers[i].name);
        free(headers[i].value);
    }
    free(headers);
}

const char *alter_header_get(const alter_header *headers, size_t n, const char *name) {
    for (size_t i = 0; headers && name && i < n; i++)
        if (strcasecmp(headers[i].name, name) == 0) return headers[i].value;
    return NULL;
}

/* An object of string values as headers, in the server's order. */
static alter_header *decode_headers(json_decoder *d, const cJSON *obj, const char *key,
                                    size_t *count) {
    *count = 0;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (d->status != ALSORN_OK || !o || cJSON_IsNull(o)) return NULL;
    if (!cJSON_IsObject(o)) {
        decode_fail(d, ALSORN_ERR_DECODE, key, "expected an object of strings");
        return NULL;
    }
    alter_header *out = NULL;
    for (const cJSON *h = o->child; h && d->status == ALSORN_OK; h = h->next) {
        if (!cJSON_IsString(h))
            decode_fail(d, ALSORN_ERR_DECODE, key, "expected an object of strings");
        else if (!headers_append(&out, count, h->string, h->valuestring))
            decode_fail(d, ALSORN_ERR_NOMEM, key, NULL);
    }
    if (d->status != ALSORN_OK) {
        headers_free(out, *count);
        *count = 0;
        return NULL;
    }
    return out;
}

void grant_clear(alter_grant *g) {
    if (!g) return;
    char **strings[] = {&g->grant_id,       &g->provider_id,    &g->account_identifier,
                        &g->principal_type, &g->owner_agent_id, &g->token_type,
                        &g->status,         &g->created_at,     &g->revoked_at,
                        &g->revoke_reason};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    free_string_array(g->scopes, g->scope_count);
    free_string_array(g->delegated_agent_ids, g->delegated_count);
    memset(g, 0, sizeof *g);
}

alter_status grant_decode(const cJSON *json, alter_grant *out, alter_error *err) {
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "grant"};
    memset(out, 0, sizeof *out);
    if (decode_object(&d, json)) {
        out->grant_id = decode_string(&d, json, "grant_id");
        out->provider_id = decode_string(&d, json, "provider_id");
        out->scopes = decode_string_array(&d, json, "scopes", &out->scope_count);
        out->account_identifier = decode_string(&d, json, "account_identifier");
        out->principal_type = decode_string(&d, json, "principal_type");
        out->owner_agent_id = decode_string(&d, json, "owner_agent_id");
        out->delegated_agent_ids =
            decode_string_array(&d, json, "delegated_agent_ids", &out->delegated_count);
        out->token_type = decode_string(&d, json, "token_type");
        out->status = decode_string(&d, json, "status");
        out->created_at = decode_string(&d, json, "created_at");
        out->revoked_at = decode_string(&d, json, "revoked_at");
        out->revoke_reason = decode_string(&d, json, "revoke_reason");
        if (d.status == ALSORN_OK && (!out->grant_id || !out->status))
            decode_fail(&d, ALSORN_ERR_DECODE, "grant_id", "grant_id and status are required");
    }
    alter_status status = finish(&d, err);
    if (status != ALTER_OK) grant_clear(out);
    return status;
}

alter_status grant_list_decode(const cJSON *json, alter_grant_list **out, alter_error *err) {
    const cJSON *grants = cJSON_GetObjectItemCaseSensitive(json, "grants");
    if (!cJSON_IsArray(grants))
        return alter_client_error(err, ALTER_ERR_DECODE,
                                  "grant list: expected {\"grants\": [...]}");
    int n = cJSON_GetArraySize(grants);
    alter_grant_list *list = calloc(1, sizeof *list);
    if (!list || !(list->items = calloc(n ? (size_t)n : 1, sizeof *list->items))) {
        free(list);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    alter_status status = ALTER_OK;
    const cJSON *item;
    cJSON_ArrayForEach(item, grants) {
        if ((status = grant_decode(item, &list->items[list->count], err)) != ALTER_OK) break;
        list->count++;
    }
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "grant list"};
    list->total = decode_integer(&d, json, "total");
    list->limit = (long)decode_integer(&d, json, "limit");
    list->offset = (long)decode_integer(&d, json, "offset");
    list->has_more = decode_bool(&d, json, "has_more");
    if (status == ALTER_OK) status = finish(&d, err);
    alsorn_error_clear(&inner);
    if (status != ALTER_OK) {
        alter_grant_list_free(list);
        return status;
    }
    *out = list;
    return ALTER_OK;
}

alter_status token_decode(const cJSON *json, alter_token **out, alter_error *err) {
    alter_token *t = calloc(1, sizeof *t);
    if (!t) return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "token"};
    if (decode_object(&d, json)) {
        t->access_token = decode_string(&d, json, "access_token");
        t->token_type = decode_string(&d, json, "token_type");
        t->expires_at = decode_string(&d, json, "expires_at");
        t->scopes = decode_string_array(&d, json, "scopes", &t->scope_count);
        t->grant_id = decode_string(&d, json, "grant_id");
        t->inject_headers = decode_headers(&d, json, "inject_headers", &t->inject_header_count);
        if (d.status == ALSORN_OK && !t->access_token)
            decode_fail(&d, ALSORN_ERR_DECODE, "access_token", "is required");
    }
    alter_status status = finish(&d, err);
    if (status != ALTER_OK) {
        alter_token_free(t);
        return status;
    }
    *out = t;
    return ALTER_OK;
}

alter_status response_decode(const cJSON *json, alter_response **out, alter_error *err) {
    alter_response *r = calloc(1, sizeof *r);
    if (!r) return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "proxy result"};
    if (decode_object(&d, json)) {
        r->status_code = (long)decode_integer(&d, json, "status_code");
        r->headers = decode_headers(&d, json, "headers", &r->header_count);
        r->body_truncated = decode_bool(&d, json, "body_truncated");
        char *body_b64 = decode_string(&d, json, "body_b64");
        unsigned char *raw = NULL;
        size_t len = 0;
        if (d.status == ALSORN_OK && !base64_decode(body_b64 ? body_b64 : "", &raw, &len))
            decode_fail(&d, ALSORN_ERR_DECODE, "body_b64", "is not base64");
        free(body_b64);
        /* NUL-terminated for the caller's convenience: one byte more */
        unsigned char *body = raw ? realloc(raw, len + 1) : NULL;
        if (d.status == ALSORN_OK && !body) decode_fail(&d, ALSORN_ERR_NOMEM, "body_b64", NULL);
        if (body) {
            body[len] = '\0';
            r->body = body;
            r->body_len = len;
        } else {
            free(raw);
        }
    }
    alter_status status = finish(&d, err);
    if (status != ALTER_OK) {
        alter_response_free(r);
        return status;
    }
    *out = r;
    return ALTER_OK;
}

alter_status approval_decode(const cJSON *json, alter_approval **out, alter_error *err) {
    alter_approval *a = calloc(1, sizeof *a);
    if (!a) return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "approval"};
    if (decode_object(&d, json)) {
        a->approval_id = decode_string(&d, json, "approval_id");
        a->status = decode_string(&d, json, "status");
        a->grant_id = decode_string(&d, json, "grant_id");
        a->agent_id = decode_string(&d, json, "agent_id");
        a->approval_url = decode_string(&d, json, "approval_url");
        a->created_at = decode_string(&d, json, "created_at");
        a->expires_at = decode_string(&d, json, "expires_at");
        a->decided_at = decode_string(&d, json, "decided_at");
        a->decision_reason = decode_string(&d, json, "decision_reason");
        a->executed_at = decode_string(&d, json, "executed_at");
        a->has_result = decode_bool(&d, json, "has_result");
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
        if (cJSON_IsObject(error)) a->error_json = decode_json_text(&d, json, "error");
        if (d.status == ALSORN_OK && (!a->approval_id || !a->status))
            decode_fail(&d, ALSORN_ERR_DECODE, "approval_id",
                        "approval_id and status are required");
    }
    alter_status status = finish(&d, err);
    if (status != ALTER_OK) {
        alter_approval_free(a);
        return status;
    }
    *out = a;
    return ALTER_OK;
}

/* ---- the public free functions ---- */

void alter_grant_free(alter_grant *grant) {
    grant_clear(grant);
    free(grant);
}

void alter_grant_list_free(alter_grant_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++)
        grant_clear(&list->items[i]);
    free(list->items);
    free(list);
}

/* The credential leaves no copy behind in freed memory. */
static void wipe_free(char *s) {
    if (s) memset(s, 0, strlen(s));
    free(s);
}

void alter_token_free(alter_token *token) {
    if (!token) return;
    wipe_free(token->access_token);
    free(token->token_type);
    free(token->expires_at);
    free_string_array(token->scopes, token->scope_count);
    free(token->grant_id);
    for (size_t i = 0; i < token->inject_header_count; i++) {
        wipe_free(token->inject_headers[i].value); /* "Bearer <credential>" */
        token->inject_headers[i].value = NULL;
    }
    headers_free(token->inject_headers, token->inject_header_count);
    free(token);
}

void alter_response_free(alter_response *response) {
    if (!response) return;
    headers_free(response->headers, response->header_count);
    free(response->body);
    free(response);
}

void alter_approval_free(alter_approval *a) {
    if (!a) return;
    char *strings[] = {a->approval_id,     a->status,      a->grant_id,   a->agent_id,
                       a->approval_url,    a->created_at,  a->expires_at, a->decided_at,
                       a->decision_reason, a->executed_at, a->error_json};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    free(a);
}

void alter_proxy_result_free(alter_proxy_result *result) {
    if (!result) return;
    alter_response_free(result->response);
    alter_approval_free(result->approval);
    free(result);
}
