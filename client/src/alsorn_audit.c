/* Audit chains: fetching a whole chain, asking the server to check it, and checking it here
 * without trusting the server (contract §3, "Audit chain"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "alsorn_models.h"
#include "canonical_json.h"
#include "object_call.h"
#include "json_parse.h"

#define AUDIT_PAGE_LIMIT 100 /* the contract's largest page */

typedef struct {
    const char *id; /* borrowed from the collected entry */
    UT_hash_handle hh;
} seen_id;

typedef struct {
    alsorn_audit_entry *items;
    size_t count;
    size_t cap;
    seen_id *seen;
} entry_collector;

static void collector_free(entry_collector *c) {
    seen_id *s, *tmp;
    HASH_ITER(hh, c->seen, s, tmp) {
        HASH_DEL(c->seen, s);
        free(s);
    }
    alsorn_audit_entries_free(c->items, c->count);
    memset(c, 0, sizeof *c);
}

/* Appends one decoded entry unless an earlier page already had it: the list is newest
 * first, so entries written while we page push older ones onto the next page again. */
static alsorn_status collect(entry_collector *c, const cJSON *json, alsorn_error *err) {
    alsorn_audit_entry entry;
    alsorn_status status = audit_entry_decode(json, &entry, err);
    if (status != ALSORN_OK) return status;
    seen_id *found = NULL;
    HASH_FIND_STR(c->seen, entry.id, found);
    if (found) {
        audit_entry_clear(&entry);
        return ALSORN_OK;
    }
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : AUDIT_PAGE_LIMIT;
        alsorn_audit_entry *grown = realloc(c->items, cap * sizeof *grown);
        if (!grown) {
            audit_entry_clear(&entry);
            return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
        }
        c->items = grown;
        c->cap = cap;
    }
    seen_id *mark = malloc(sizeof *mark);
    if (!mark) {
        audit_entry_clear(&entry);
        return client_error(err, ALSORN_ERR_NOMEM, "out of memory");
    }
    c->items[c->count++] = entry;
    mark->id = c->items[c->count - 1].id;
    HASH_ADD_KEYPTR(hh, c->seen, mark->id, strlen(mark->id), mark);
    return ALSORN_OK;
}

/* Fetches page `page`; *has_more says whether to ask for the next one. */
static alsorn_status fetch_page(alsorn_client *client, const char *agent_id, long page,
                                entry_collector *c, bool *has_more, alsorn_error *err) {
    char page_text[24], limit_text[24];
    snprintf(page_text, sizeof page_text, "%ld", page);
    snprintf(limit_text, sizeof limit_text, "%d", AUDIT_PAGE_LIMIT);
    const query_param query[] = {{"page", page_text}, {"limit", limit_text}};
    cJSON *json = NULL;
    alsorn_status status =
        transport_call(client, ROUTE_AGENTS_AUDIT, agent_id, query, 2, NULL, &json, err);
    if (status != ALSORN_OK) return status;
    const cJSON *data = NULL;
    page_info info;
    status = page_decode(json, "audit list", &data, &info, err);
    const cJSON *item;
    cJSON_ArrayForEach(item, data) {
        if (status != ALSORN_OK) break;
        status = collect(c, item, err);
    }
    /* An empty page ends the walk even if total_pages says otherwise, so a confused server
     * cannot keep us paging forever. */
    *has_more = status == ALSORN_OK && page < info.total_pages && cJSON_GetArraySize(data) > 0;
    cJSON_Delete(json);
    return status;
}

alsorn_status alsorn_agents_get_audit_chain(alsorn_client *client, const char *agent_id,
                                            alsorn_audit_entry **entries, size_t *n,
                                            alsorn_error *err) {
    alsorn_error_clear(err);
    if (!entries || !n) return client_error(err, ALSORN_ERR_INVALID_ARGUMENT, "no out-params");
    *entries = NULL;
    *n = 0;
    entry_collector c = {0};
    bool has_more = true;
    alsorn_status status = ALSORN_OK;
    for (long page = 1; status == ALSORN_OK && has_more; page++) {
        status = fetch_page(client, agent_id, page, &c, &has_more, err);
    }
    if (status != ALSORN_OK) {
        collector_free(&c);
        return status;
    }
    /* newest first on the wire; the chain reads oldest first */
    for (size_t i = 0; i < c.count / 2; i++) {
        alsorn_audit_entry swap = c.items[i];
        c.items[i] = c.items[c.count - 1 - i];
        c.items[c.count - 1 - i] = swap;
    }
    *entries = c.items;
    *n = c.count;
    c.items = NULL;
    c.count = 0;
    collector_free(&c);
    return ALSORN_OK;
}

static alsorn_status decode_audit_verification(const cJSON *json, void *v, alsorn_error *err) {
    return audit_verification_decode(json, v, err);
}

alsorn_status alsorn_agents_verify_audit_chain_remote(alsorn_client *client, const char *agent_id,
                                                      alsorn_audit_verification **out,
                                                      alsorn_error *err) {
    alsorn_error_clear(err);
    void *result = NULL;
    alsorn_status status =
        call_for_object(client, ROUTE_AGENTS_AUDIT_VERIFY, agent_id, NULL, 0, NULL,
                        sizeof(alsorn_audit_verification), decode_audit_verification, &result, err);
    if (status != ALSORN_OK) return status;
    if (out)
        *out = result;
    else
        alsorn_audit_verification_free(result);
    return ALSORN_OK;
}

static cJSON *string_or_null(const char *s) {
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The hash the entry should carry.  Returns 1 with out filled, 0 when the entry cannot be
 * hashed (its payload is not JSON: it cannot be the one the server hashed), -1 when out of
 * memory. */
static int expected_payload_hash(const alsorn_audit_entry *e, char out[SHA256_TAGGED_LEN]) {
    cJSON *payload =
        e->payload_json
            ? json_parse_guarded(e->payload_json, strlen(e->payload_json), JSON_REPLY_MAX_DEPTH, NULL)
            : cJSON_CreateNull();
    if (!payload) return 0;
    cJSON *hashed = cJSON_CreateObject();
    if (!hashed) {
        cJSON_Delete(payload);
        return -1;
    }
    const struct {
        const char *key;
        cJSON *value;
    } members[] = {
        {"id", string_or_null(e->id)},
        {"agent_id", string_or_null(e->agent_id)},
        {"action", string_or_null(e->action)},
        {"payload", payload},
        {"actor_id", string_or_null(e->actor_id)},
        {"created_at", string_or_null(e->created_at)},
        {"previous_hash", string_or_null(e->previous_hash)},
    };
    bool complete = true;
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        if (!members[i].value || !cJSON_AddItemToObject(hashed, members[i].key, members[i].value)) {
            cJSON_Delete(members[i].value);
            complete = false;
        }
    }
    int result = complete && canonical_sha256(hashed, out) == 0 ? 1 : -1;
    cJSON_Delete(hashed);
    return result;
}

static bool same_hash(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

int alsorn_audit_chain_verify(const alsorn_audit_entry *entries, size_t n, size_t *broken_at) {
    for (size_t i = 0; i < n; i++) {
        const alsorn_audit_entry *e = &entries[i];
        bool linked = same_hash(e->previous_hash, i ? entries[i - 1].payload_hash : NULL);
        char hash[SHA256_TAGGED_LEN];
        int hashed = linked ? expected_payload_hash(e, hash) : 0;
        if (hashed < 0) return -1;
        if (!linked || !hashed || !e->payload_hash || strcmp(hash, e->payload_hash) != 0) {
            if (broken_at) *broken_at = i;
            return 0;
        }
    }
    return 1;
}
