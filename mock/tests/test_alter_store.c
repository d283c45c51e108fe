/* Alter's stores on their own: idempotency records and their 24 h of virtual time, the
 * audit log's chain, index-served queries and tamper detection, and key hashing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alter/audit_log.h"
#include "core/hex.h"
#include "alter/idempotency.h"
#include "alter/key_hash.h"

#define DAY IDEMPOTENCY_TTL_SECONDS

Test(alter_idempotency, records_live_for_a_day_of_virtual_time) {
    struct alter_idempotency s = {0};
    int64_t t0 = 1800000000;
    cr_assert_eq(idempotency_put(&s, "k1", "sha256:aa", "agent-1", t0), 0);
    cr_assert_eq(idempotency_put(&s, "k2", "sha256:bb", "agent-2", t0 + 100), 0);
    const struct idempotency_record *r = idempotency_find(&s, "k1", t0 + DAY - 1);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->agent_id, "agent-1");
    cr_assert_str_eq(r->body_hash, "sha256:aa");
    cr_assert_null(idempotency_find(&s, "k1", t0 + DAY), "a record outlived its 24 h");
    cr_assert_not_null(idempotency_find(&s, "k2", t0 + DAY), "a younger record expired early");
    cr_assert_null(idempotency_find(&s, "k2", t0 + 100 + DAY));
    cr_assert_null(s.oldest, "expired records are dropped");
    /* an expired key can be used again */
    cr_assert_eq(idempotency_put(&s, "k1", "sha256:cc", "agent-3", t0 + 2 * DAY), 0);
    cr_assert_str_eq(idempotency_find(&s, "k1", t0 + 2 * DAY)->agent_id, "agent-3");
    idempotency_free(&s);
}

Test(alter_idempotency, a_clock_set_back_does_not_revive_or_lose_records) {
    struct alter_idempotency s = {0};
    int64_t t0 = 1800000000;
    cr_assert_eq(idempotency_put(&s, "late", "sha256:aa", "a", t0 + 1000), 0);
    cr_assert_eq(idempotency_put(&s, "early", "sha256:bb", "b", t0), 0); /* clock went back */
    cr_assert_not_null(idempotency_find(&s, "early", t0 + DAY - 1));
    cr_assert_null(idempotency_find(&s, "early", t0 + DAY + 500), "checked against its own age");
    cr_assert_not_null(idempotency_find(&s, "late", t0 + DAY + 500));
    cr_assert_eq(idempotency_put(&s, "early", "sha256:cc", "c", t0 + DAY + 500), 0);
    cr_assert_str_eq(idempotency_find(&s, "early", t0 + DAY + 500)->agent_id, "c");
    idempotency_free(&s);
}

static struct alter_audit_row *row(const char *agent, const char *run, const char *action) {
    struct alter_audit_row *r = calloc(1, sizeof *r);
    static int n;
    snprintf(r->id, sizeof r->id, "audit_%d", n++);
    r->created_at = 1800000000 + n;
    snprintf(r->action, sizeof r->action, "%s", action);
    r->status_code = 200;
    snprintf(r->caller_key_prefix, sizeof r->caller_key_prefix, "alter_key_app_ab");
    if (agent) snprintf(r->agent_id, sizeof r->agent_id, "%s", agent);
    r->run_id = run ? strdup(run) : NULL;
    r->trace = cJSON_CreateObject();
    r->method = strdup("GET");
    r->path = strdup("/sdk/agents");
    snprintf(r->request_id, sizeof r->request_id, "req_%d", n);
    return r;
}

Test(alter_audit_log, queries_filter_page_and_follow_the_cursor) {
    struct alter_audit_log log = {0};
    /* 0:A/r1/me 1:B/-/read 2:A/r1/me 3:A/r2/me 4:-/r1/list 5:A/r1/me */
    const char *spec[][3] = {{"A", "r1", "agent.me"},      {"B", NULL, "agent.read"},
                             {"A", "r1", "agent.me"},      {"A", "r2", "agent.me"},
                             {NULL, "r1", "agent.listed"}, {"A", "r1", "agent.me"}};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(alter_audit_log_append(&log, row(spec[i][0], spec[i][1], spec[i][2])), 0);
    size_t out[8];
    bool more;
    struct alter_audit_filter all = {0};
    cr_assert_eq(alter_audit_log_query(&log, &all, -1, 4, out, &more), 4);
    cr_assert(more && out[0] == 0 && out[3] == 3);
    cr_assert_eq(alter_audit_log_query(&log, &all, 3, 4, out, &more), 2);
    cr_assert(!more && out[0] == 4 && out[1] == 5);
    struct alter_audit_filter f = {.agent_id = "A", .run_id = "r1"};
    cr_assert_eq(alter_audit_log_query(&log, &f, -1, 2, out, &more), 2);
    cr_assert(more && out[0] == 0 && out[1] == 2);
    cr_assert_eq(alter_audit_log_query(&log, &f, 2, 2, out, &more), 1);
    cr_assert(!more && out[0] == 5);
    struct alter_audit_filter action = {.action = "agent.listed"};
    cr_assert_eq(alter_audit_log_query(&log, &action, -1, 10, out, &more), 1);
    cr_assert_eq(out[0], 4);
    struct alter_audit_filter none = {.run_id = "r9"};
    cr_assert_eq(alter_audit_log_query(&log, &none, -1, 10, out, &more), 0);
    cr_assert_eq(alter_audit_log_position(&log, log.rows[3]->id), 3);
    cr_assert_eq(alter_audit_log_position(&log, "audit_nope"), -1);
    alter_audit_log_free(&log);
}

Test(alter_audit_log, the_chain_links_and_verify_finds_the_first_tampered_row) {
    struct alter_audit_log log = {0};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(alter_audit_log_append(&log, row("A", NULL, "agent.me")), 0);
        if (i == 2) cr_assert_eq(alter_audit_log_seal(&log), 0); /* hashed in two turns */
    }
    cr_assert_str_eq(log.rows[4]->hash, "", "hashed when the chain is read, not on append");
    cr_assert_eq(alter_audit_log_seal(&log), 0);
    cr_assert_eq(strncmp(log.rows[4]->hash, "sha256:", 7), 0);
    struct alter_audit_check check;
    alter_audit_rows_verify(log.rows, log.n, NULL, &check);
    cr_assert(check.valid && check.length == 5 && check.broken_at == -1);
    cr_assert_str_eq(check.head_hash, log.rows[4]->hash);
    cJSON *second = alter_audit_row_json(log.rows[1], log.rows[0]->hash);
    cr_assert_str_eq(cJSON_GetObjectItem(second, "previous_hash")->valuestring, log.rows[0]->hash);
    cJSON_Delete(second);
    cJSON *fourth = alter_audit_row_json(log.rows[3], log.rows[2]->hash); /* across the two seals */
    cr_assert_str_eq(cJSON_GetObjectItem(fourth, "previous_hash")->valuestring, log.rows[2]->hash);
    cJSON_Delete(fourth);
    cJSON *first = alter_audit_row_json(log.rows[0], NULL);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(first, "previous_hash")));
    cJSON_Delete(first);
    log.rows[2]->status_code = 500; /* tamper with a recorded field */
    size_t n = 0;
    struct alter_audit_row **copy = alter_audit_log_rows(&log, &n);
    cr_assert_eq(n, 5);
    alter_audit_rows_verify(copy, n, NULL, &check);
    alter_audit_rows_release(copy, n);
    cr_assert(!check.valid);
    cr_assert_eq(check.broken_at, 2);
    alter_audit_log_free(&log);
}

/* HMAC-SHA256(pepper, key) in hex, computed here with OpenSSL's one-shot HMAC. */
static void expected_index(const char *key, char out[KEY_LOOKUP_LEN]) {
    char pepper_hex[KEY_LOOKUP_LEN];
    unsigned char pepper[32], md[32];
    unsigned int len = 0;
    alter_key_pepper_hex(pepper_hex);
    cr_assert_eq(hex_decode(pepper_hex, pepper, sizeof pepper), 0);
    HMAC(EVP_sha256(), pepper, sizeof pepper, (const unsigned char *)key, strlen(key), md, &len);
    cr_assert_eq(len, 32);
    hex_encode(md, 32, out);
}

static void *index_on_another_thread(void *key) {
    char *out = malloc(KEY_LOOKUP_LEN);
    alter_key_lookup_index(key, out);
    return out;
}

/* The lookup index is the HMAC of the key under the pepper, however many lookups a thread has
 * made with its reused context, on any thread, and under a new pepper once it is set. */
Test(alter_keys, lookup_index_is_the_hmac_under_the_current_pepper) {
    char key[ALTER_KEY_MAX], got[KEY_LOOKUP_LEN], want[KEY_LOOKUP_LEN];
    alter_key_generate(ALTER_KEY_AGENT, key);
    for (int i = 0; i < 3; i++) {
        alter_key_lookup_index(key, got);
        expected_index(key, want);
        cr_assert_str_eq(got, want, "lookup %d", i);
    }
    pthread_t th;
    void *other;
    pthread_create(&th, NULL, index_on_another_thread, key);
    pthread_join(th, &other);
    cr_assert_str_eq(other, want);
    free(other);
    char before[KEY_LOOKUP_LEN];
    memcpy(before, got, sizeof before);
    cr_assert_eq(alter_key_pepper_set_hex(
                     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
                 0);
    alter_key_lookup_index(key, got);
    expected_index(key, want);
    cr_assert_str_eq(got, want, "the new pepper is used at once");
    cr_assert_str_neq(got, before);
}

Test(alter_keys, formats_lookup_index_and_salted_verifier) {
    char key[ALTER_KEY_MAX], other[ALTER_KEY_MAX];
    alter_key_generate(ALTER_KEY_AGENT, key);
    alter_key_generate(ALTER_KEY_APP, other);
    cr_assert(alter_key_format_valid(key) && alter_key_format_valid(other));
    cr_assert_eq(strncmp(key, "alter_key_agent_", 16), 0);
    cr_assert_eq(strlen(key), 48);
    cr_assert_eq(strncmp(other, "alter_key_app_", 14), 0);
    static const char *const bad[] = {"",
                                      "alter_key_app_",
                                      "alter_key_app_0123456789abcdef0123456789abcde",
                                      "alter_key_app_0123456789abcdef0123456789abcdef0",
                                      "alter_key_app_0123456789abcdef0123456789abcd-f",
                                      "alter_xx_0123456789abcdef",
                                      "alter_rk_short"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(!alter_key_format_valid(bad[i]), "%s accepted", bad[i]);
    cr_assert(alter_key_format_valid("alter_ak_0123456789abcdefXYZ"));
    char a[KEY_LOOKUP_LEN], b[KEY_LOOKUP_LEN], c[KEY_LOOKUP_LEN];
    alter_key_lookup_index(key, a);
    alter_key_lookup_index(key, b);
    alter_key_lookup_index(other, c);
    cr_assert_str_eq(a, b, "the lookup index of a key is stable within the process");
    cr_assert_str_neq(a, c);
    cr_assert_eq(strlen(a), 64);
    struct key_verifier v1, v2;
    alter_key_verifier_make(key, &v1);
    alter_key_verifier_make(key, &v2);
    cr_assert(memcmp(v1.salt, v2.salt, sizeof v1.salt) != 0, "salts repeat");
    cr_assert(memcmp(v1.hash, v2.hash, sizeof v1.hash) != 0, "two verifiers of one key are equal");
    cr_assert(alter_key_verifier_matches(&v1, key) && alter_key_verifier_matches(&v2, key));
    cr_assert(!alter_key_verifier_matches(&v1, other));
}

/* A log over its cap drops its oldest rows and keeps the last dropped row's hash as the anchor
 * the kept chain verifies from. */
Test(alter_audit_log, over_its_cap_drops_the_oldest_rows_and_verifies_from_the_anchor) {
    struct alter_audit_log log = {0};
    const char *agents[] = {"A", "B", "C"};
    for (int i = 0; i < 40; i++)
        cr_assert_eq(
            alter_audit_log_append(&log, row(agents[i % 3], i % 2 ? "r1" : NULL, "agent.me")), 0);
    cr_assert_eq(log.n, 40, "under the default cap nothing is dropped");
    cr_assert_eq(alter_audit_log_seal(&log), 0);
    char hashes[40][SHA256_TAGGED_LEN], ids[40][ID_LEN];
    for (int i = 0; i < 40; i++) {
        memcpy(hashes[i], log.rows[i]->hash, SHA256_TAGGED_LEN);
        memcpy(ids[i], log.rows[i]->id, ID_LEN);
    }
    alter_audit_log_set_max(32);
    cr_assert_eq(alter_audit_log_append(&log, row("A", "r1", "agent.me")), 0);
    /* 41 rows, cap 32: 9 over, plus 32/16 so the next few appends drop nothing */
    cr_assert_eq(log.dropped, 11);
    cr_assert_eq(log.n, 30);
    cr_assert_str_eq(log.anchor, hashes[10], "the anchor is the hash of the last row dropped");
    cr_assert_str_eq(log.rows[0]->id, ids[11]);
    cr_assert_eq(alter_audit_log_position(&log, ids[10]), -1, "a dropped row is gone");
    cr_assert_eq(alter_audit_log_position(&log, ids[12]), 1);
    cr_assert_str_eq(alter_audit_log_previous_hash(&log, 0), hashes[10]);
    cJSON *first = alter_audit_row_json(log.rows[0], alter_audit_log_previous_hash(&log, 0));
    cr_assert_str_eq(cJSON_GetObjectItem(first, "previous_hash")->valuestring, hashes[10]);
    cJSON_Delete(first);

    /* the indexes follow the renumbering: agent B had rows 1, 4, ..., 37 */
    size_t pos[40];
    bool more = false;
    struct alter_audit_filter by_b = {.agent_id = "B"};
    size_t got = alter_audit_log_query(&log, &by_b, -1, 40, pos, &more);
    cr_assert_eq(got, 9, "B's rows 13, 16, ..., 37 are kept");
    for (size_t i = 0; i < got; i++)
        cr_assert_str_eq(log.rows[pos[i]]->agent_id, "B");
    cr_assert_str_eq(log.rows[pos[0]]->id, ids[13]);

    cr_assert_eq(alter_audit_log_seal(&log), 0);
    struct alter_audit_check check;
    alter_audit_rows_verify(log.rows, log.n, log.anchor, &check);
    cr_assert(check.valid, "the kept chain verifies from its anchor");
    cr_assert_eq(check.length, 30);
    alter_audit_rows_verify(log.rows, log.n, NULL, &check);
    cr_assert(!check.valid && check.broken_at == 0, "but not as a chain that starts at null");

    log.rows[5]->status_code = 404; /* tampering is still found */
    alter_audit_rows_verify(log.rows, log.n, log.anchor, &check);
    cr_assert(!check.valid);
    cr_assert_eq(check.broken_at, 5);
    alter_audit_log_free(&log);
    alter_audit_log_set_max(ALTER_AUDIT_MAX_DEFAULT);
}

/* A verify reads rows after the lock is released; rows dropped meanwhile must stay alive
 * until it gives them back (ASan reports the use after free otherwise). */
Test(alter_audit_log, rows_a_reader_holds_outlive_their_drop) {
    struct alter_audit_log log = {0};
    alter_audit_log_set_max(8);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(alter_audit_log_append(&log, row("A", NULL, "agent.me")), 0);
    cr_assert_eq(alter_audit_log_seal(&log), 0);
    char anchor[SHA256_TAGGED_LEN];
    memcpy(anchor, log.anchor, sizeof anchor);
    size_t n = 0;
    struct alter_audit_row **held = alter_audit_log_rows(&log, &n);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(alter_audit_log_append(&log, row("A", NULL, "agent.me")), 0);
    cr_assert_gt(log.dropped, 8, "every held row was dropped from the log");
    struct alter_audit_check check;
    alter_audit_rows_verify(held, n, anchor, &check);
    cr_assert(check.valid && check.length == 8);
    alter_audit_rows_release(held, n);
    alter_audit_log_free(&log);
    alter_audit_log_set_max(ALTER_AUDIT_MAX_DEFAULT);
}

Test(alter_audit_log, an_anchor_is_set_only_on_an_empty_log_and_only_as_a_hash) {
    struct alter_audit_log log = {0};
    char hash[SHA256_TAGGED_LEN] = "sha256:";
    memset(hash + 7, 'a', 64);
    hash[71] = '\0';
    cr_assert_eq(alter_audit_log_set_anchor(&log, "sha256:zz", 3), -1);
    cr_assert_eq(alter_audit_log_set_anchor(&log, hash, 3), 0);
    cr_assert_eq(log.dropped, 3);
    cr_assert_eq(alter_audit_log_append(&log, row("A", NULL, "agent.me")), 0);
    cr_assert_eq(alter_audit_log_seal(&log), 0);
    cr_assert_str_eq(alter_audit_log_previous_hash(&log, 0), hash);
    cr_assert_eq(alter_audit_log_set_anchor(&log, NULL, 0), -1, "the log has a row");
    alter_audit_log_free(&log);
}
