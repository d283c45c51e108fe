/* Canonical JSON, fingerprints and the audit chain against fixtures/hash-vectors.json, which
 * scripts/gen-hash-vectors.py computed with Python's json and hashlib (an independent
 * implementation of the same rules). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canonical_json.h"
#include "core/clock.h"
#include "core/files.h"
#include "store/agent.h"
#include "store/audit_chain.h"

static cJSON *vectors(void) {
    char err[256];
    cJSON *v = file_read_json(FIXTURES_DIR "/hash-vectors.json", err, sizeof err);
    cr_assert_not_null(v, "%s", err);
    return v;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert(cJSON_IsString(it), "vector field %s", k);
    return it->valuestring;
}

Test(canonical_json, matches_every_vector) {
    cJSON *v = vectors();
    const cJSON *list = cJSON_GetObjectItem(v, "canonical");
    int n = 0;
    for (const cJSON *c = list->child; c; c = c->next, n++) {
        char *text = canonical_json(cJSON_GetObjectItem(c, "input"));
        cr_assert_str_eq(text, str(c, "canonical"), "vector %d", n);
        char hash[SHA256_TAGGED_LEN];
        cr_assert_eq(canonical_sha256(cJSON_GetObjectItem(c, "input"), hash), 0);
        cr_assert_str_eq(hash, str(c, "sha256"), "vector %d", n);
        free(text);
    }
    cr_assert_geq(n, 9);
    cJSON_Delete(v);
}

Test(canonical_json, integral_numbers_never_use_exponents) {
    cJSON *o = cJSON_Parse("{\"x\": 1e15, \"y\": -3.0, \"z\": 2.5e-3}");
    char *text = canonical_json(o);
    cr_assert_str_eq(text, "{\"x\":1000000000000000,\"y\":-3,\"z\":0.0025}");
    free(text);
    cJSON_Delete(o);
}

Test(fingerprint, matches_vectors) {
    cJSON *v = vectors();
    for (const cJSON *f = cJSON_GetObjectItem(v, "fingerprints")->child; f; f = f->next) {
        struct agent a = {0};
        snprintf(a.id, sizeof a.id, "%s", str(f, "id"));
        a.name = (char *)str(f, "name");
        const char *env = str(f, "environment");
        for (int e = 0; agent_env_names[e]; e++)
            if (strcmp(env, agent_env_names[e]) == 0) a.environment = (enum agent_env)e;
        cr_assert_eq(clock_parse(str(f, "created_at"), &a.created_at), 0);
        char fp[SHA256_TAGGED_LEN];
        agent_fingerprint(&a, str(f, "org_id"), fp);
        cr_assert_str_eq(fp, str(f, "fingerprint"));
    }
    cJSON_Delete(v);
}

static void restore_vector_chain(struct audit_chain *c, const cJSON *v) {
    for (const cJSON *e = cJSON_GetObjectItem(v, "audit_chain")->child; e; e = e->next) {
        char *payload = canonical_json(cJSON_GetObjectItem(e, "payload"));
        int64_t ts;
        cr_assert_eq(clock_parse(str(e, "created_at"), &ts), 0);
        cr_assert_eq(audit_chain_restore(c, "agent_7f3k9x2m00000000", str(e, "id"),
                                         str(e, "action"), payload, str(e, "actor_id"), ts,
                                         str(e, "payload_hash")),
                     0);
        free(payload);
    }
}

Test(audit_chain, python_chain_verifies_and_renders_identically) {
    cJSON *v = vectors();
    struct audit_chain c = {0};
    restore_vector_chain(&c, v);
    struct audit_check check;
    audit_chain_verify(&c, "agent_7f3k9x2m00000000", &check);
    cr_assert(check.valid);
    cr_assert_eq(check.length, 3);
    cr_assert_eq(check.broken_at, -1);
    int i = 0;
    for (const cJSON *e = cJSON_GetObjectItem(v, "audit_chain")->child; e; e = e->next, i++) {
        cJSON *mine = audit_entry_json(&c, "agent_7f3k9x2m00000000", (size_t)i);
        cr_assert(cJSON_Compare(mine, e, true), "entry %d renders as the vector", i);
        cJSON_Delete(mine);
    }
    cr_assert_str_eq(check.head_hash, str(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "audit_chain"), 2), "payload_hash"));
    audit_chain_free(&c);
    cJSON_Delete(v);
}

Test(audit_chain, tampered_payload_is_caught_at_its_index) {
    cJSON *v = vectors();
    struct audit_chain c = {0};
    restore_vector_chain(&c, v);
    /* the entry's block is "action\0actor_id\0payload": keep the first two, change the third */
    struct audit_entry *e = &c.entries[1];
    const char *payload = "{\"field\":\"spending_limit\",\"new_value\":999999,\"old_value\":50000}";
    size_t head = strlen(e->of.text) + 1;
    head += strlen(e->of.text + head) + 1;
    char *tampered = malloc(head + strlen(payload) + 1);
    memcpy(tampered, e->of.text, head);
    strcpy(tampered + head, payload);
    free(e->of.text);
    e->of.text = tampered;
    struct audit_check check;
    audit_chain_verify(&c, "agent_7f3k9x2m00000000", &check);
    cr_assert_not(check.valid);
    cr_assert_eq(check.broken_at, 1);
    audit_chain_free(&c);
    cJSON_Delete(v);
}

Test(audit_chain, appended_entries_link_and_verify) {
    struct audit_chain c = {0};
    for (int i = 0; i < 5; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "i", i);
        cr_assert_not_null(audit_chain_append(&c, "agent_a", "agent.updated", p, "user_u", 1700000000 + i));
    }
    struct audit_check check;
    audit_chain_verify(&c, "agent_a", &check);
    cr_assert(check.valid);
    cJSON *first = audit_entry_json(&c, "agent_a", 0), *second = audit_entry_json(&c, "agent_a", 1);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(first, "previous_hash")));
    cr_assert_str_eq(cJSON_GetObjectItem(second, "previous_hash")->valuestring,
                     cJSON_GetObjectItem(first, "payload_hash")->valuestring);
    cJSON_Delete(first);
    cJSON_Delete(second);
    /* the hash covers the agent id: the same entries under another agent do not verify */
    audit_chain_verify(&c, "agent_b", &check);
    cr_assert_not(check.valid);
    cr_assert_eq(check.broken_at, 0);
    audit_chain_free(&c);
}

/* Duplicate keys (JSON allows them; cJSON keeps both) print in document order, whatever
 * addresses the allocator gave their nodes: a hash over the canonical text must not change
 * between a parse and a re-parse of the same text. */
Test(canonical_json, duplicate_keys_keep_document_order_not_address_order) {
    cJSON *low = cJSON_CreateNumber(1), *high = cJSON_CreateNumber(2);
    if (low > high) {
        cJSON *t = low;
        low = high;
        high = t;
    }
    /* document order: the node at the higher address first */
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, "k", high);
    cJSON_AddItemToObject(obj, "k", low);
    cJSON_AddNumberToObject(obj, "a", 0); /* out of order: the members get sorted */
    char expected[64];
    snprintf(expected, sizeof expected, "{\"a\":0,\"k\":%d,\"k\":%d}", (int)high->valuedouble,
             (int)low->valuedouble);
    char *text = canonical_json(obj);
    cr_assert_str_eq(text, expected);
    free(text);
    cJSON_Delete(obj);
}

/* A state file's entry with an id the mock never makes is refused before anything reads the
 * slot it would have taken (the slot's bytes were left as malloc gave them). */
Test(audit_chain, restore_refuses_a_foreign_id_without_reading_the_unset_slot) {
    struct audit_chain c = {0};
    cr_assert_eq(audit_chain_reserve(&c, 4), 0);
    int rc = audit_chain_restore(&c, "agent_x", "not-an-audit-id", "agent.registered", "{}",
                                 "user_x", 1767225600,
                                 "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    cr_assert_neq(rc, 0);
    cr_assert_eq(c.n, 0);
    audit_chain_free(&c);
}
