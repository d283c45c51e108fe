/* Audit chains: paging them in, putting them in chain order, and checking their hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "canonical_json.h"
#include "leak_check.h"
#include "scripted_server.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Entry i of agent_1's chain as the server would write it, payload_hash included. */
static cJSON *make_entry(int i, const char *previous_hash) {
    cJSON *e = cJSON_CreateObject();
    char text[64];
    snprintf(text, sizeof text, "audit_%d", i);
    cJSON_AddStringToObject(e, "id", text);
    cJSON_AddStringToObject(e, "agent_id", "agent_1");
    cJSON_AddStringToObject(e, "action", i == 0 ? "agent.registered" : "agent.updated");
    cJSON *payload = cJSON_AddObjectToObject(e, "payload");
    cJSON_AddStringToObject(payload, "field", "spending_limit");
    cJSON_AddNumberToObject(payload, "old_value", 1000 + i);
    cJSON_AddNumberToObject(payload, "new_value", 1000.25 + i);
    cJSON_AddStringToObject(payload, "note", "caf\xc3\xa9 \"quoted\"\n");
    cJSON_AddStringToObject(e, "actor_id", "user_1");
    snprintf(text, sizeof text, "2026-01-01T%02d:%02d:00Z", i / 60 % 24, i % 60);
    cJSON_AddStringToObject(e, "created_at", text);
    if (previous_hash)
        cJSON_AddStringToObject(e, "previous_hash", previous_hash);
    else
        cJSON_AddNullToObject(e, "previous_hash");
    char hash[SHA256_TAGGED_LEN];
    cr_assert_eq(canonical_sha256(e, hash), 0);
    cJSON_AddStringToObject(e, "payload_hash", hash);
    return e;
}

/* A linked chain of n entries, oldest first, as a JSON array. */
static cJSON *make_chain(int n) {
    cJSON *chain = cJSON_CreateArray();
    const char *previous = NULL;
    for (int i = 0; i < n; i++) {
        cJSON *e = make_entry(i, previous);
        cJSON_AddItemToArray(chain, e);
        previous = cJSON_GetObjectItem(e, "payload_hash")->valuestring;
    }
    return chain;
}

static char *string_member(const cJSON *obj, const char *key) {
    const cJSON *item = cJSON_GetObjectItem(obj, key);
    return cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
}

/* The same chain as the library's model (what get_audit_chain hands back). */
static alsorn_audit_entry *to_entries(const cJSON *chain, size_t *n) {
    *n = (size_t)cJSON_GetArraySize(chain);
    alsorn_audit_entry *entries = calloc(*n, sizeof *entries);
    for (size_t i = 0; i < *n; i++) {
        const cJSON *e = cJSON_GetArrayItem(chain, (int)i);
        entries[i].id = string_member(e, "id");
        entries[i].agent_id = string_member(e, "agent_id");
        entries[i].action = string_member(e, "action");
        entries[i].payload_json = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "payload"));
        entries[i].actor_id = string_member(e, "actor_id");
        entries[i].created_at = string_member(e, "created_at");
        entries[i].previous_hash = string_member(e, "previous_hash");
        entries[i].payload_hash = string_member(e, "payload_hash");
    }
    return entries;
}

static void replace(char **field, const char *value) {
    free(*field);
    *field = value ? strdup(value) : NULL;
}

CLIENT_TEST(audit_chain, hashes_the_canonical_form_of_the_seven_fields) {
    /* Written out by hand from contract §3, independent of how the library builds it. */
    const char *canonical =
        "{\"action\":\"agent.registered\",\"actor_id\":\"user_1\",\"agent_id\":\"agent_1\","
        "\"created_at\":\"2026-01-01T00:00:00Z\",\"id\":\"audit_1\","
        "\"payload\":{\"limit\":5.5,\"name\":\"A\",\"tags\":[1,\"x\"]},\"previous_hash\":null}";
    char hash[SHA256_TAGGED_LEN];
    sha256_tagged(canonical, strlen(canonical), hash);
    alsorn_audit_entry entry = {.id = "audit_1",
                                .agent_id = "agent_1",
                                .action = "agent.registered",
                                .payload_json =
                                    "{\"name\": \"A\", \"tags\": [1.0, \"x\"], \"limit\": 5.50}",
                                .actor_id = "user_1",
                                .created_at = "2026-01-01T00:00:00Z",
                                .previous_hash = NULL,
                                .payload_hash = hash};
    size_t broken_at = 99;

    cr_assert_eq(alsorn_audit_chain_verify(&entry, 1, &broken_at), 1);
    cr_assert_eq(broken_at, 99, "untouched when valid");
    entry.created_at = "2026-01-01T00:00:01Z";
    cr_assert_eq(alsorn_audit_chain_verify(&entry, 1, &broken_at), 0);
    cr_assert_eq(broken_at, 0);
}

CLIENT_TEST(audit_chain, accepts_a_correct_chain) {
    cJSON *chain = make_chain(6);
    size_t n;
    alsorn_audit_entry *entries = to_entries(chain, &n);
    size_t broken_at = 99;

    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 1);
    cr_assert_eq(alsorn_audit_chain_verify(entries, 0, &broken_at), 1, "empty chain is valid");
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, finds_a_tampered_payload) {
    cJSON *chain = make_chain(6);
    size_t n;
    alsorn_audit_entry *entries = to_entries(chain, &n);
    replace(&entries[3].payload_json,
            "{\"field\":\"spending_limit\",\"old_value\":1003,\"new_value\":9999999}");
    size_t broken_at = 99;

    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 3);
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, finds_a_tampered_actor_and_a_forged_hash) {
    cJSON *chain = make_chain(4);
    size_t n, broken_at = 99;
    alsorn_audit_entry *entries = to_entries(chain, &n);
    replace(&entries[1].actor_id, "user_mallory");
    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 1);
    alsorn_audit_entries_free(entries, n);

    entries = to_entries(chain, &n);
    replace(&entries[2].payload_hash,
            "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 2, "the forged hash itself is the first bad entry");
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, finds_a_broken_link) {
    /* Entry 4 is self-consistent (its hash covers its previous_hash) but points elsewhere:
     * as if entry 3 had been cut out and the rest rehashed from there on. */
    cJSON *chain = make_chain(6);
    cJSON *rewritten =
        make_entry(4, "sha256:1111111111111111111111111111111111111111111111111111111111111111");
    cJSON_ReplaceItemInArray(chain, 4, rewritten);
    size_t n, broken_at = 99;
    alsorn_audit_entry *entries = to_entries(chain, &n);

    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 4);
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, the_first_entry_must_have_no_previous_hash) {
    cJSON *chain = cJSON_CreateArray();
    cJSON_AddItemToArray(chain, make_entry(0, "sha256:abcd"));
    size_t n, broken_at = 99;
    alsorn_audit_entry *entries = to_entries(chain, &n);

    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 0);
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, entries_out_of_order_are_broken) {
    cJSON *chain = make_chain(3);
    size_t n, broken_at = 99;
    alsorn_audit_entry *entries = to_entries(chain, &n);
    alsorn_audit_entry swap = entries[1];
    entries[1] = entries[2];
    entries[2] = swap;

    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 0);
    cr_assert_eq(broken_at, 1);
    alsorn_audit_entries_free(entries, n);
    cJSON_Delete(chain);
}

/* {"data": entries[from] down to entries[to] (newest first), "pagination": ...} */
static char *page_body(const cJSON *chain, int from, int to, int page, int total, int total_pages) {
    cJSON *body = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(body, "data");
    for (int i = from; i >= to; i--) {
        cJSON_AddItemToArray(data, cJSON_Duplicate(cJSON_GetArrayItem(chain, i), true));
    }
    cJSON *pagination = cJSON_AddObjectToObject(body, "pagination");
    cJSON_AddNumberToObject(pagination, "page", page);
    cJSON_AddNumberToObject(pagination, "limit", 100);
    cJSON_AddNumberToObject(pagination, "total", total);
    cJSON_AddNumberToObject(pagination, "total_pages", total_pages);
    char *text = cJSON_Print(body); /* formatted, as a server may send it */
    cJSON_Delete(body);
    return text;
}

CLIENT_TEST(audit_chain, fetches_every_page_and_returns_chain_order) {
    cJSON *chain = make_chain(150);
    char *page1 = page_body(chain, 149, 50, 1, 150, 2);
    char *page2 = page_body(chain, 49, 0, 2, 150, 2);
    const scripted_response script[] = {{200, NULL, page1, 0}, {200, NULL, page2, 0}};
    script_program("audit_pages", script, COUNT(script));
    alsorn_client *client = script_client("audit_pages");
    alsorn_audit_entry *entries = NULL;
    size_t n = 0;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_agents_get_audit_chain(client, "agent_1", &entries, &n, &err), ALSORN_OK,
                 "%s", err.message);
    cr_assert_eq(n, 150);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "audit_%zu", i);
        cr_assert_str_eq(entries[i].id, id);
    }
    cr_assert_null(entries[0].previous_hash);
    cr_assert_str_eq(entries[0].action, "agent.registered");
    cr_assert_str_eq(entries[1].payload_json,
                     "{\"field\":\"spending_limit\",\"old_value\":1001,\"new_value\":1001.25,"
                     "\"note\":\"caf\xc3\xa9 \\\"quoted\\\"\\n\"}");
    size_t broken_at = 99;
    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken_at), 1, "broken at %zu", broken_at);

    cJSON *log = script_requests("audit_pages");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *request = cJSON_GetArrayItem(log, i);
        char query[32];
        snprintf(query, sizeof query, "page=%d&limit=100", i + 1);
        cr_assert_str_eq(cJSON_GetObjectItem(request, "method")->valuestring, "GET");
        cr_assert_str_eq(cJSON_GetObjectItem(request, "path")->valuestring,
                         "/agents/agent_1/audit");
        cr_assert_str_eq(cJSON_GetObjectItem(request, "query")->valuestring, query);
    }
    cJSON_Delete(log);
    alsorn_audit_entries_free(entries, n);
    alsorn_client_free(client);
    free(page1);
    free(page2);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, an_entry_written_while_paging_is_not_counted_twice) {
    /* Page 1 is read when the chain has 101 entries (ids 100..1); then entry 101 is written,
     * so page 2 of the now 102 entries repeats id 1 before id 0. */
    cJSON *chain = make_chain(102);
    char *page1 = page_body(chain, 100, 1, 1, 101, 2);
    char *page2 = page_body(chain, 1, 0, 2, 102, 2);
    const scripted_response script[] = {{200, NULL, page1, 0}, {200, NULL, page2, 0}};
    script_program("audit_race", script, COUNT(script));
    alsorn_client *client = script_client("audit_race");
    alsorn_audit_entry *entries = NULL;
    size_t n = 0;

    cr_assert_eq(alsorn_agents_get_audit_chain(client, "agent_1", &entries, &n, NULL), ALSORN_OK);
    cr_assert_eq(n, 101);
    cr_assert_str_eq(entries[0].id, "audit_0");
    cr_assert_str_eq(entries[1].id, "audit_1");
    cr_assert_str_eq(entries[100].id, "audit_100");
    cr_assert_eq(alsorn_audit_chain_verify(entries, n, NULL), 1);
    alsorn_audit_entries_free(entries, n);
    alsorn_client_free(client);
    free(page1);
    free(page2);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, an_error_on_a_later_page_returns_nothing) {
    cJSON *chain = make_chain(101);
    char *page1 = page_body(chain, 100, 1, 1, 101, 2);
    const scripted_response script[] = {
        {200, NULL, page1, 0},
        {404, NULL, "{\"error\":{\"code\":\"not_found\",\"message\":\"gone\"}}", 0}};
    script_program("audit_fail", script, COUNT(script));
    alsorn_client *client = script_client("audit_fail");
    alsorn_audit_entry *entries = (alsorn_audit_entry *)1; /* must be reset */
    size_t n = 7;

    cr_assert_eq(alsorn_agents_get_audit_chain(client, "agent_1", &entries, &n, NULL),
                 ALSORN_ERR_NOT_FOUND);
    cr_assert_null(entries);
    cr_assert_eq(n, 0);
    alsorn_client_free(client);
    free(page1);
    cJSON_Delete(chain);
}

CLIENT_TEST(audit_chain, remote_verification) {
    const scripted_response script[] = {
        {200, NULL, "{\"valid\":true,\"length\":5,\"head_hash\":\"sha256:abc\",\"broken_at\":null}",
         0},
        {200, NULL, "{\"valid\":false,\"length\":5,\"head_hash\":\"sha256:abc\",\"broken_at\":3}",
         0},
    };
    script_program("audit_remote", script, COUNT(script));
    alsorn_client *client = script_client("audit_remote");
    alsorn_audit_verification *v = NULL;

    cr_assert_eq(alsorn_agents_verify_audit_chain_remote(client, "agent_1", &v, NULL), ALSORN_OK);
    cr_assert(v->valid);
    cr_assert_eq(v->length, 5);
    cr_assert_str_eq(v->head_hash, "sha256:abc");
    cr_assert_eq(v->broken_at, -1);
    cr_assert_null(v->broken_at_id);
    alsorn_audit_verification_free(v);

    cr_assert_eq(alsorn_agents_verify_audit_chain_remote(client, "agent_1", &v, NULL), ALSORN_OK);
    cr_assert_not(v->valid);
    cr_assert_eq(v->broken_at, 3);
    alsorn_audit_verification_free(v);

    cJSON *log = script_requests("audit_remote");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "path")->valuestring,
                     "/agents/agent_1/audit/verify");
    cJSON_Delete(log);
    alsorn_client_free(client);
}
