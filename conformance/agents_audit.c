/* §3 GET /agents/{id}/audit and /audit/verify (ext): entries, hash chain, pagination. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "canonical_json.h"

static struct tenant T;

/* Checks one entry's shape and recomputes its payload_hash. */
static void expect_entry(const cJSON *e, const char *agent_id) {
    static const char *const keys[] = {"id", "agent_id", "action", "payload", "actor_id",
                                       "created_at", "previous_hash", "payload_hash", NULL};
    char *s = cJSON_PrintUnformatted(e);
    int n = 0;
    for (int i = 0; keys[i]; i++, n++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(e, keys[i]), "audit entry lacks \"%s\": %.600s", keys[i], s);
    cr_assert_eq(cJSON_GetArraySize(e), n, "audit entry must have exactly the contract's 8 fields: %.600s", s);
    cr_assert(has_prefix_alnum(jstr(e, "id"), "audit_"), "entry id: %.600s", s);
    cr_assert_str_eq(jstr(e, "agent_id"), agent_id);
    cr_assert(is_rfc3339_utc_seconds(jstr(e, "created_at")), "entry created_at: %.600s", s);
    cr_assert(is_sha256_tagged(jstr(e, "payload_hash")), "payload_hash format: %.600s", s);
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(e, "previous_hash");
    cr_assert(cJSON_IsNull(prev) || (cJSON_IsString(prev) && is_sha256_tagged(prev->valuestring)),
              "previous_hash format: %.600s", s);
    cJSON *copy = cJSON_Duplicate(e, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "payload_hash");
    char want[72];
    cr_assert(canonical_sha256(copy, want) == 0);
    char *canon = canonical_json(copy);
    cr_assert_str_eq(jstr(e, "payload_hash"), want,
                     "payload_hash is not sha256(canonical JSON of the other seven fields)\n entry %.600s\n canonical %.600s",
                     s, canon);
    free(canon);
    cJSON_Delete(copy);
    free(s);
}

/* Whole chain, newest first: shapes, hashes, linkage, first entry registered with null prev. */
static void expect_chain(const cJSON *entries, const char *agent_id) {
    int n = cJSON_GetArraySize(entries);
    cr_assert(n >= 1, "empty audit trail");
    for (int i = n - 1; i >= 0; i--) {
        const cJSON *e = cJSON_GetArrayItem(entries, i);
        expect_entry(e, agent_id);
        if (i == n - 1) {
            cr_assert_str_eq(jstr(e, "action"), "agent.registered", "the oldest entry is agent.registered");
            cr_assert(jnull(e, "previous_hash"), "the first entry has previous_hash null");
        } else {
            const cJSON *older = cJSON_GetArrayItem(entries, i + 1);
            cr_assert(!jnull(e, "previous_hash"), "entry %d of %d has previous_hash null", n - i, n);
            cr_assert_str_eq(jstr(e, "previous_hash"), jstr(older, "payload_hash"),
                             "chain broken between entries %d and %d (oldest = 1)", n - i - 1, n - i);
            cr_assert(strcmp(jstr(e, "created_at"), jstr(older, "created_at")) >= 0, "audit not newest first");
            cr_assert_str_neq(jstr(e, "id"), jstr(older, "id"));
        }
    }
}

static const char *action_at(const cJSON *entries, int i) {
    const cJSON *e = cJSON_GetArrayItem(entries, i);
    cr_assert(e, "no audit entry %d", i);
    return jstr(e, "action");
}

/* The agent.updated entry for `field` among the newest n entries. */
static const cJSON *updated_entry(const cJSON *entries, int n, const char *field) {
    for (int i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(entries, i);
        if (strcmp(jstr(e, "action"), "agent.updated")) continue;
        const cJSON *p = jobj(e, "payload");
        if (!strcmp(jstr(p, "field"), field)) return e;
    }
    char *s = cJSON_PrintUnformatted(entries);
    cr_assert_fail("no agent.updated entry for \"%s\" among the newest %d: %.1500s", field, n, s);
    return NULL;
}

static void expect_update_payload(const cJSON *e, const char *field, const cJSON *old_v, const cJSON *new_v) {
    const cJSON *p = jobj(e, "payload");
    char *s = cJSON_PrintUnformatted(p);
    cr_assert_eq(cJSON_GetArraySize(p), 3, "agent.updated payload must be {field, old_value, new_value}: %s", s);
    cr_assert_str_eq(jstr(p, "field"), field);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "old_value");
    const cJSON *nv = cJSON_GetObjectItemCaseSensitive(p, "new_value");
    cr_assert(o && cJSON_Compare(o, old_v, 1), "old_value wrong in %s", s);
    cr_assert(nv && cJSON_Compare(nv, new_v, 1), "new_value wrong in %s", s);
    free(s);
}

Test(audit, registration_entry) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Audited");
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 1, "a fresh agent has exactly one audit entry");
    expect_chain(all, jstr(a, "id"));
    const cJSON *e = cJSON_GetArrayItem(all, 0);
    cr_assert_str_eq(jstr(e, "action"), "agent.registered");
    cr_assert(has_prefix_alnum(jstr(e, "actor_id"), "user_"), "actor_id is the key's owner user_...");
    if (T.user_id[0]) cr_assert_str_eq(jstr(e, "actor_id"), T.user_id);
    cr_assert_str_eq(jstr(e, "actor_id"), jstr(a, "owner_id"));
    cr_assert_str_eq(jstr(e, "created_at"), jstr(a, "created_at"));
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, response_shape_and_pagination_block) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Shaped");
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/audit", jstr(a, "id")), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(r.json, "data")), 1);
    const cJSON *p = jobj(r.json, "pagination");
    cr_assert(jnum(p, "page") == 1 && jnum(p, "limit") == 20 && jnum(p, "total") == 1 && jnum(p, "total_pages") == 1,
              "audit pagination defaults: %s", resp_excerpt(&r));
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(audit, update_adds_one_entry_per_changed_field) {
    tenant_new(&T);
    cJSON *a = agent_register(&T, fmt("{\"name\":\"%s\",\"authorized_actions\":[\"pay\"],\"spending_limit\":100,"
                                      "\"description\":\"old desc\"}", tname(&T, "Changing")));
    const char *nn = tname(&T, "Changed");
    cJSON *u = agent_patch(&T, jstr(a, "id"), fmt("{\"name\":\"%s\",\"spending_limit\":250.75,\"description\":null}", nn));
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 4, "registered + 3 updated entries expected");
    expect_chain(all, jstr(a, "id"));
    for (int i = 0; i < 3; i++) cr_assert_str_eq(action_at(all, i), "agent.updated");
    cJSON *v;
    expect_update_payload(updated_entry(all, 3, "name"), "name", cJSON_GetObjectItemCaseSensitive(a, "name"),
                          v = cJSON_CreateString(nn));
    cJSON_Delete(v);
    expect_update_payload(updated_entry(all, 3, "spending_limit"), "spending_limit",
                          cJSON_GetObjectItemCaseSensitive(a, "spending_limit"), v = cJSON_CreateNumber(250.75));
    cJSON_Delete(v);
    expect_update_payload(updated_entry(all, 3, "description"), "description",
                          cJSON_GetObjectItemCaseSensitive(a, "description"), v = cJSON_CreateNull());
    cJSON_Delete(v);
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(jstr(cJSON_GetArrayItem(all, i), "actor_id"), jstr(a, "owner_id"));
    cJSON_Delete(all);
    cJSON_Delete(u);
    cJSON_Delete(a);
}

Test(audit, update_of_actions_and_currency_records_values) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Actions");
    cJSON_Delete(agent_patch(&T, jstr(a, "id"), "{\"authorized_actions\":[\"a\",\"b\"],\"currency\":\"EUR\"}"));
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 3);
    expect_chain(all, jstr(a, "id"));
    cJSON *nv = cJSON_Parse("[\"a\",\"b\"]"), *cur = cJSON_CreateString("EUR");
    expect_update_payload(updated_entry(all, 2, "authorized_actions"), "authorized_actions",
                          cJSON_GetObjectItemCaseSensitive(a, "authorized_actions"), nv);
    expect_update_payload(updated_entry(all, 2, "currency"), "currency", cJSON_GetObjectItemCaseSensitive(a, "currency"), cur);
    cJSON_Delete(nv);
    cJSON_Delete(cur);
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, unchanged_value_adds_no_entry) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Same");
    cJSON_Delete(agent_patch(&T, jstr(a, "id"), fmt("{\"name\":\"%s\",\"spending_limit\":50000}", jstr(a, "name"))));
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 1, "a PATCH that changes no value must add no agent.updated entry");
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, lifecycle_entries_in_order) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Lifecycle");
    const char *id = jstr(a, "id");
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON_Delete(agent_action(&T, id, "reactivate"));
    cJSON_Delete(agent_patch(&T, id, "{\"description\":\"x\"}"));
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON_Delete(agent_delete(&T, id));
    cJSON *all = audit_all(&T, id);
    const char *want[] = {"agent.deleted", "agent.suspended", "agent.updated", "agent.reactivated",
                          "agent.suspended", "agent.registered"};
    cr_assert_eq(cJSON_GetArraySize(all), 6);
    for (int i = 0; i < 6; i++) cr_assert_str_eq(action_at(all, i), want[i], "entry %d (newest first)", i);
    expect_chain(all, id);
    for (int i = 0; i < 6; i++)
        cr_assert_str_eq(jstr(cJSON_GetArrayItem(all, i), "actor_id"), jstr(a, "owner_id"), "actor of entry %d", i);
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, suspend_entry_without_ext) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Suspended");
    cJSON_Delete(agent_action(&T, jstr(a, "id"), "suspend"));
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 2);
    cr_assert_str_eq(action_at(all, 0), "agent.suspended");
    expect_chain(all, jstr(a, "id"));
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, failed_and_noop_writes_add_no_entry) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Quiet");
    const char *id = jstr(a, "id");
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", id), tkey_min(&T, KEY_WRITE), "{\"spending_limit\":0}", NULL, &r);
    expect_status(&r, 422);
    http_resp_free(&r);
    http_call("PATCH", fmt("/agents/%s", id), tkey_min(&T, KEY_WRITE), "{\"name\":\"Renamed\",\"environment\":\"staging\"}", NULL, &r);
    expect_status(&r, 422);
    http_resp_free(&r);
    if (T.key[KEY_READ][0]) {
        http_call("POST", fmt("/agents/%s/suspend", id), T.key[KEY_READ], NULL, NULL, &r);
        expect_status(&r, 403);
        http_resp_free(&r);
    }
    if (!ext_skipped()) {
        http_call("POST", fmt("/agents/%s/reactivate", id), tkey_min(&T, KEY_WRITE), NULL, NULL, &r);
        expect_status(&r, 409);
        http_resp_free(&r);
    }
    cJSON *all = audit_all(&T, id);
    cr_assert_eq(cJSON_GetArraySize(all), 1, "rejected requests wrote audit entries");
    cJSON_Delete(all);
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON_Delete(agent_action(&T, id, "suspend")); /* idempotent: returns 200 unchanged */
    all = audit_all(&T, id);
    cr_assert_eq(cJSON_GetArraySize(all), 2, "a repeated suspend (200 unchanged) must not add an entry");
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, entries_never_change) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Immutable");
    const char *id = jstr(a, "id");
    cJSON_Delete(agent_patch(&T, id, "{\"description\":\"one\"}"));
    cJSON *before = audit_all(&T, id);
    cJSON_Delete(agent_patch(&T, id, "{\"description\":\"two\"}"));
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON *after = audit_all(&T, id);
    int nb = cJSON_GetArraySize(before), na = cJSON_GetArraySize(after);
    cr_assert_eq(na, nb + 2);
    for (int i = 0; i < nb; i++)
        cr_assert(cJSON_Compare(cJSON_GetArrayItem(before, i), cJSON_GetArrayItem(after, i + 2), 1),
                  "audit entry %d changed after later writes", i);
    expect_chain(after, id);
    cJSON_Delete(before);
    cJSON_Delete(after);
    cJSON_Delete(a);
}

Test(audit, pagination_across_pages) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Paginated");
    const char *id = jstr(a, "id");
    for (int i = 0; i < 4; i++) cJSON_Delete(agent_patch(&T, id, fmt("{\"spending_limit\":%d}", 100 + i)));
    cJSON *all = audit_all(&T, id);
    cr_assert_eq(cJSON_GetArraySize(all), 5);
    expect_chain(all, id);
    const int sizes[] = {2, 2, 1, 0};
    int seen = 0;
    for (int page = 1; page <= 4; page++) {
        struct http_resp r;
        http_call("GET", fmt("/agents/%s/audit?page=%d&limit=2", id, page), tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_status(&r, 200);
        const cJSON *p = jobj(r.json, "pagination");
        cr_assert(jnum(p, "page") == page && jnum(p, "limit") == 2 && jnum(p, "total") == 5 && jnum(p, "total_pages") == 3,
                  "audit page %d pagination: %s", page, resp_excerpt(&r));
        const cJSON *data = jarr(r.json, "data");
        cr_assert_eq(cJSON_GetArraySize(data), sizes[page - 1], "audit page %d size", page);
        for (int i = 0; i < sizes[page - 1]; i++, seen++)
            cr_assert(cJSON_Compare(cJSON_GetArrayItem(data, i), cJSON_GetArrayItem(all, seen), 1),
                      "audit page %d item %d differs from the full walk", page, i);
        http_resp_free(&r);
    }
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, bad_page_and_limit_are_422) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "BadPages");
    const struct { const char *q, *field; } cases[] = {
        {"page=0", "page"}, {"page=-1", "page"}, {"page=abc", "page"},
        {"limit=0", "limit"}, {"limit=101", "limit"}, {"limit=abc", "limit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_resp r;
        http_call("GET", fmt("/agents/%s/audit?%s", jstr(a, "id"), cases[i].q), tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_field_error(&r, cases[i].field);
        http_resp_free(&r);
    }
    cJSON_Delete(a);
}

Test(audit, unknown_agent_is_404) {
    tenant_new(&T);
    const char *paths[] = {"/agents/agent_0000000000000000/audit", "/agents/nope/audit",
                           "/agents/agent_0000000000000000/audit/verify"};
    for (int i = 0; i < (ext_skipped() ? 2 : 3); i++) { /* audit/verify is ext */
        struct http_resp r;
        http_call("GET", paths[i], tkey_min(&T, KEY_READ), NULL, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
}

Test(audit, deleted_agent_audit_is_readable) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "GoneButLogged");
    cJSON_Delete(agent_delete(&T, jstr(a, "id")));
    cJSON *all = audit_all(&T, jstr(a, "id"));
    cr_assert_eq(cJSON_GetArraySize(all), 2);
    cr_assert_str_eq(action_at(all, 0), "agent.deleted");
    expect_chain(all, jstr(a, "id"));
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, verify_chain) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "ChainCheck");
    const char *id = jstr(a, "id");
    cJSON_Delete(agent_patch(&T, id, "{\"description\":\"d\",\"currency\":\"CHF\"}"));
    cJSON_Delete(agent_action(&T, id, "suspend"));
    cJSON *all = audit_all(&T, id);
    int n = cJSON_GetArraySize(all);
    cr_assert_eq(n, 4);
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/audit/verify", id), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(r.json), 4, "audit/verify has exactly {valid, length, head_hash, broken_at}: %s",
                 resp_excerpt(&r));
    cr_assert(jbool(r.json, "valid"), "%s", resp_excerpt(&r));
    cr_assert_eq(jnum(r.json, "length"), n);
    cr_assert_str_eq(jstr(r.json, "head_hash"), jstr(cJSON_GetArrayItem(all, 0), "payload_hash"),
                     "head_hash is the newest entry's payload_hash");
    cr_assert(jnull(r.json, "broken_at"));
    http_resp_free(&r);
    cJSON_Delete(all);
    cJSON_Delete(a);
}

Test(audit, verify_chain_of_fresh_agent) {
    require_ext();
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "NewChain");
    cJSON *all = audit_all(&T, jstr(a, "id"));
    struct http_resp r;
    http_call("GET", fmt("/agents/%s/audit/verify", jstr(a, "id")), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "valid"));
    cr_assert_eq(jnum(r.json, "length"), 1);
    cr_assert_str_eq(jstr(r.json, "head_hash"), jstr(cJSON_GetArrayItem(all, 0), "payload_hash"));
    cr_assert(jnull(r.json, "broken_at"));
    http_resp_free(&r);
    cJSON_Delete(all);
    cJSON_Delete(a);
}
