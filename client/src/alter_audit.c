/* The app's audit log (contract §6): pages, the whole chain, the server's check, and a check
 * here that trusts nothing the server says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alter_internal.h"
#include "canonical_json.h"
#include "json_decode.h"
#include "json_parse.h"

#define AUDIT_PAGE_MAX 1000 /* the contract's largest page */

alter_status alter_audit_list(alter_app *app, const alter_audit_params *params,
                              alter_audit_page **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    alter_audit_params p = params ? *params : (alter_audit_params){0};
    char limit[24];
    snprintf(limit, sizeof limit, "%ld", p.limit);
    const query_param query[] = {{"after", p.after},         {"limit", p.limit ? limit : NULL},
                                 {"agent_id", p.agent_id},   {"run_id", p.run_id},
                                 {"thread_id", p.thread_id}, {"action", p.action}};
    cJSON *json = NULL;
    alter_status status =
        alter_call(&app->conn, ALTER_ROUTE_AUDIT_LIST, NULL, 0, query, 6, NULL, NULL, &json, err);
    if (status != ALTER_OK) return status;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(json, "rows");
    const cJSON *cursor = cJSON_GetObjectItemCaseSensitive(json, "next_cursor");
    alter_audit_page *page = calloc(1, sizeof *page);
    int n = cJSON_GetArraySize(rows);
    if (!page || !(page->rows = calloc(n ? (size_t)n : 1, sizeof *page->rows)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    else if (!cJSON_IsArray(rows) || !(cJSON_IsNull(cursor) || cJSON_IsString(cursor)))
        status = alter_client_error(err, ALTER_ERR_DECODE,
                                    "audit page: expected {\"rows\": [...], \"next_cursor\"}");
    else if (cJSON_IsString(cursor) && !(page->next_cursor = strdup(cursor->valuestring)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    if (status == ALTER_OK) {
        /* absent from servers that never drop rows: no anchor, nothing dropped */
        alsorn_error inner = ALSORN_ERROR_INIT;
        json_decoder d = {.err = &inner, .object = "audit page"};
        page->anchor_hash = decode_string(&d, json, "anchor_hash");
        page->dropped = decode_integer(&d, json, "dropped");
        if (d.status != ALSORN_OK) status = alter_error_from_alsorn(err, &inner);
        alsorn_error_clear(&inner);
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, rows) {
        if (status != ALTER_OK) break;
        status = audit_row_decode(item, &page->rows[page->count], err);
        if (status == ALTER_OK) page->count++;
    }
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_audit_page_free(page);
        return status;
    }
    if (out)
        *out = page;
    else
        alter_audit_page_free(page);
    return ALTER_OK;
}

alter_status alter_audit_get_chain(alter_app *app, alter_audit_row **rows, size_t *n,
                                   alter_error *err) {
    return alter_audit_get_chain_from(app, rows, n, NULL, err);
}

alter_status alter_audit_get_chain_from(alter_app *app, alter_audit_row **rows, size_t *n,
                                        char **anchor_hash, alter_error *err) {
    alter_error_clear(err);
    if (!rows || !n) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no out-params");
    *rows = NULL;
    *n = 0;
    if (anchor_hash) *anchor_hash = NULL;
    char *anchor = NULL;
    bool first = true;
    alter_audit_row *all = NULL;
    size_t count = 0;
    char *after = NULL;
    alter_status status = ALTER_OK;
    do {
        alter_audit_params p = {.after = after, .limit = AUDIT_PAGE_MAX};
        alter_audit_page *page = NULL;
        status = alter_audit_list(app, &p, &page, err);
        free(after);
        after = NULL;
        if (status != ALTER_OK) break;
        alter_audit_row *grown = realloc(all, (count + page->count + 1) * sizeof *grown);
        if (!grown) {
            alter_audit_page_free(page);
            status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
            break;
        }
        all = grown;
        if (first) { /* the anchor the first row links to, read with it */
            anchor = page->anchor_hash;
            page->anchor_hash = NULL;
            first = false;
        }
        free(page->anchor_hash);
        memcpy(all + count, page->rows, page->count * sizeof *page->rows);
        count += page->count;
        /* an empty page ends the walk whatever the cursor says: a confused server cannot
         * keep us paging forever */
        if (page->count)
            after = page->next_cursor;
        else
            free(page->next_cursor);
        free(page->rows); /* the rows' strings now belong to all */
        free(page);
    } while (after);
    if (status != ALTER_OK) {
        alter_audit_rows_free(all, count);
        free(anchor);
        return status;
    }
    *rows = all;
    *n = count;
    if (anchor_hash)
        *anchor_hash = anchor;
    else
        free(anchor);
    return ALTER_OK;
}

alter_status alter_audit_verify(alter_app *app, alter_audit_verification **out, alter_error *err) {
    alter_error_clear(err);
    if (!app) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app");
    cJSON *json = NULL;
    alter_status status =
        alter_call(&app->conn, ALTER_ROUTE_AUDIT_VERIFY, NULL, 0, NULL, 0, NULL, NULL, &json, err);
    if (status != ALTER_OK) return status;
    alter_audit_verification *v = calloc(1, sizeof *v);
    alsorn_error inner = ALSORN_ERROR_INIT;
    json_decoder d = {.err = &inner, .object = "audit verification"};
    if (!v) {
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    } else if (decode_object(&d, json)) {
        v->valid = decode_bool(&d, json, "valid");
        v->length = decode_integer(&d, json, "length");
        v->head_hash = decode_string(&d, json, "head_hash");
        v->broken_at = decode_string(&d, json, "broken_at");
        v->anchor_hash = decode_string(&d, json, "anchor_hash"); /* absent: none */
        v->dropped = decode_integer(&d, json, "dropped");
    }
    if (status == ALTER_OK && d.status != ALSORN_OK) status = alter_error_from_alsorn(err, &inner);
    alsorn_error_clear(&inner);
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_audit_verification_free(v);
        return status;
    }
    if (out)
        *out = v;
    else
        alter_audit_verification_free(v);
    return ALTER_OK;
}

/* The hash row should carry: over every member of the row as received except "hash".
 * 1 with out filled, 0 when the row is not a JSON object, -1 when out of memory. */
static int expected_hash(const alter_audit_row *row, char out[SHA256_TAGGED_LEN]) {
    cJSON *json = row->row_json ? json_parse_guarded(row->row_json, strlen(row->row_json),
                                                     JSON_REPLY_MAX_DEPTH, NULL)
                                 : NULL;
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(json, "hash");
    int result = canonical_sha256(json, out) == 0 ? 1 : -1;
    cJSON_Delete(json);
    return result;
}

static bool same(const char *a, const char *b) {
    return a && b ? strcmp(a, b) == 0 : a == b;
}

int alter_audit_chain_verify(const alter_audit_row *rows, size_t n, size_t *broken_at) {
    return alter_audit_chain_verify_from(rows, n, NULL, broken_at);
}

int alter_audit_chain_verify_from(const alter_audit_row *rows, size_t n, const char *anchor_hash,
                                  size_t *broken_at) {
    for (size_t i = 0; i < n; i++) {
        const alter_audit_row *row = &rows[i];
        char hash[SHA256_TAGGED_LEN];
        bool linked = same(row->previous_hash, i ? rows[i - 1].hash : anchor_hash);
        int hashed = linked ? expected_hash(row, hash) : 0;
        if (hashed < 0) return -1;
        if (!hashed || !row->hash || strcmp(hash, row->hash) != 0) {
            if (broken_at) *broken_at = i;
            return 0;
        }
    }
    return 1;
}
