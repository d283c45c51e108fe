/* §3 POST /agents: the Agent object, defaults, fingerprint, and every field rule. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* n copies of s, malloc'd */
static char *repeat(const char *s, int n) {
    size_t l = strlen(s);
    char *b = malloc(l * (size_t)n + 1);
    for (int i = 0; i < n; i++) memcpy(b + l * (size_t)i, s, l);
    b[l * (size_t)n] = '\0';
    return b;
}

/* A registration body whose name/actions/limit members are the given JSON texts (NULL: omit);
 * extra is appended members ("\"currency\":\"EUR\"") or NULL. */
static const char *body3(const char *name, const char *actions, const char *limit, const char *extra) {
    /* a few rotating buffers: a test builds at most two bodies before sending them */
    static char bufs[4][131072];
    static int next;
    char *parts = bufs[next++ % 4];
    size_t o = 0, cap = sizeof bufs[0];
    o += (size_t)snprintf(parts + o, cap - o, "{");
    const char *sep = "";
    if (name) { o += (size_t)snprintf(parts + o, cap - o, "%s\"name\":%s", sep, name); sep = ","; }
    if (actions) { o += (size_t)snprintf(parts + o, cap - o, "%s\"authorized_actions\":%s", sep, actions); sep = ","; }
    if (limit) { o += (size_t)snprintf(parts + o, cap - o, "%s\"spending_limit\":%s", sep, limit); sep = ","; }
    if (extra) { o += (size_t)snprintf(parts + o, cap - o, "%s%s", sep, extra); }
    snprintf(parts + o, cap - o, "}");
    return parts;
}

#define NAME "\"Rule Agent\""
#define ACTS "[\"execute_trades\"]"
#define LIM "100"

static struct tenant T;
static void fresh(void) { tenant_new(&T); }

/* ---- success ---- */

Test(register, returns_every_agent_field) {
    fresh();
    const char *name = tname(&T, "Full Field Agent");
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"authorized_actions\":[\"execute_trades\",\"read:balances\"],"
             "\"spending_limit\":2500.5}",
             name);
    cJSON *a = expect_register_ok(&T, body);
    const char *id = jstr(a, "id");
    cr_assert(has_prefix_alnum(id, "agent_"), "id %s", id);
    cr_assert_str_eq(jstr(a, "name"), name);
    cr_assert(jnull(a, "description"), "description should be null when absent");
    cr_assert_str_eq(jstr(a, "status"), "active");
    cr_assert_str_eq(jstr(a, "environment"), "production");
    cr_assert_str_eq(jstr(a, "currency"), "USD");
    cr_assert_eq(jnum(a, "spending_limit"), 2500.5);
    const cJSON *acts = jarr(a, "authorized_actions");
    cr_assert_eq(cJSON_GetArraySize(acts), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(acts, 0)->valuestring, "execute_trades");
    cr_assert_str_eq(cJSON_GetArrayItem(acts, 1)->valuestring, "read:balances");
    cr_assert(jnull(a, "suspended_at"));
    cr_assert(jnull(a, "deleted_at"));
    cr_assert(is_rfc3339_utc_seconds(jstr(a, "created_at")), "created_at %s", jstr(a, "created_at"));
    cr_assert_str_eq(jstr(a, "updated_at"), jstr(a, "created_at"), "updated_at should equal created_at at registration");
    if (T.org_id[0]) cr_assert_str_eq(jstr(a, "org_id"), T.org_id);
    if (T.user_id[0]) cr_assert_str_eq(jstr(a, "owner_id"), T.user_id);
    const cJSON *tr = jobj(a, "trust_record");
    cr_assert_eq(jnum(tr, "score"), 500);
    cr_assert_eq(jnum(tr, "total_tasks"), 0);
    cr_assert_eq(jnum(tr, "disputes"), 0);
    cr_assert_eq(jnum(tr, "tenure_days"), 0);
    cr_assert_str_eq(jstr(tr, "agent_id"), id);
    if (T.operator_verified_known) cr_assert_eq(jbool(tr, "operator_verified"), T.operator_verified);
    char fp[72];
    expected_fingerprint(id, jstr(a, "org_id"), name, "production", jstr(a, "created_at"), fp);
    cr_assert_str_eq(jstr(a, "fingerprint"), fp, "fingerprint is not sha256(canonical {id,org_id,name,environment,created_at})");
    cJSON_Delete(a);
}

Test(register, docs_example) {
    fresh();
    cJSON *a = expect_register_ok(&T, "{\"name\": \"Trading Agent Alpha\", \"authorized_actions\": "
                                      "[\"execute_trades\"], \"spending_limit\": 50000}");
    cr_assert_str_eq(jstr(a, "name"), "Trading Agent Alpha");
    cr_assert_eq(jnum(a, "spending_limit"), 50000);
    cr_assert_str_eq(jstr(a, "status"), "active");
    cr_assert_eq(jnum(jobj(a, "trust_record"), "score"), 500);
    cr_assert_str_eq(jstr(a, "currency"), "USD");
    cr_assert_str_eq(jstr(a, "environment"), "production");
    cJSON_Delete(a);
}

Test(register, explicit_optional_fields_are_stored) {
    fresh();
    const char *name = tname(&T, "Staged");
    cJSON *a = expect_register_ok(
        &T, fmt("{\"name\":\"%s\",\"authorized_actions\":[\"pay\"],\"spending_limit\":0.01,"
                "\"currency\":\"EUR\",\"environment\":\"staging\",\"description\":\"A staged agent\"}",
                name));
    cr_assert_str_eq(jstr(a, "currency"), "EUR");
    cr_assert_str_eq(jstr(a, "environment"), "staging");
    cr_assert_str_eq(jstr(a, "description"), "A staged agent");
    cr_assert_eq(jnum(a, "spending_limit"), 0.01);
    char fp[72];
    expected_fingerprint(jstr(a, "id"), jstr(a, "org_id"), name, "staging", jstr(a, "created_at"), fp);
    cr_assert_str_eq(jstr(a, "fingerprint"), fp);
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(cJSON_Compare(g, a, 1), "GET differs from the registration response");
    cJSON_Delete(g);
    cJSON_Delete(a);
}

Test(register, sandbox_environment_accepted) {
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, LIM, "\"environment\":\"sandbox\""));
    cr_assert_str_eq(jstr(a, "environment"), "sandbox");
    cJSON_Delete(a);
}

Test(register, description_null_accepted) {
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, LIM, "\"description\":null"));
    cr_assert(jnull(a, "description"));
    cJSON_Delete(a);
}

Test(register, unknown_fields_are_ignored) {
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, LIM, "\"colour\":\"blue\",\"nested\":{\"x\":[1,2]}"));
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(a, "colour"), "unknown field echoed back");
    cJSON_Delete(a);
}

Test(register, server_fields_in_body_are_not_taken) {
    /* id/status/fingerprint/org_id in a registration body are unknown to POST: ignored */
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, LIM,
                                           "\"id\":\"agent_chosenbyclient\",\"status\":\"suspended\","
                                           "\"org_id\":\"org_other\",\"fingerprint\":\"sha256:00\""));
    cr_assert_str_neq(jstr(a, "id"), "agent_chosenbyclient");
    cr_assert_str_eq(jstr(a, "status"), "active");
    if (T.org_id[0]) cr_assert_str_eq(jstr(a, "org_id"), T.org_id);
    cr_assert_str_neq(jstr(a, "fingerprint"), "sha256:00");
    cJSON_Delete(a);
}

Test(register, ids_and_fingerprints_are_unique) {
    fresh();
    cJSON *a = agent_register_named(&T, "Twin");
    cJSON *b = agent_register_named(&T, "Twin");
    cr_assert_str_neq(jstr(a, "id"), jstr(b, "id"));
    cr_assert_str_neq(jstr(a, "fingerprint"), jstr(b, "fingerprint"));
    cr_assert_str_neq(jstr(jobj(a, "trust_record"), "id"), jstr(jobj(b, "trust_record"), "id"));
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(register, operator_verified_org_shows_in_trust_record) {
    require_mock();
    tenant_new_with(&T, "{\"name\":\"Verified Ops\",\"plan\":\"growth\",\"operator_verified\":true}");
    cr_assert(T.operator_verified, "POST /_mock/orgs ignored operator_verified");
    cJSON *a = agent_register_named(&T, "Vouched");
    const cJSON *tr = jobj(a, "trust_record");
    cr_assert(jbool(tr, "operator_verified"));
    cr_assert_eq(jnum(tr, "score"), 500, "score is 500 while total_tasks = 0");
    cJSON_Delete(a);
}

Test(register, money_is_exact) {
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, "12345678.91", NULL));
    cr_assert_eq(jnum(a, "spending_limit"), 12345678.91);
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3(NAME, ACTS, "1000000000000", NULL));
    cr_assert_eq(jnum(a, "spending_limit"), 1e12, "1e12 is allowed (<= 1e12)");
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3(NAME, ACTS, "999999999999.99", NULL));
    cr_assert_eq(jnum(a, "spending_limit"), 999999999999.99);
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3(NAME, ACTS, "10.10", NULL));
    cr_assert_eq(jnum(a, "spending_limit"), 10.1);
    cJSON_Delete(a);
}

/* ---- name ---- */

Test(register, name_missing) { fresh(); expect_register_rejected(&T, body3(NULL, ACTS, LIM, NULL), "name"); }
Test(register, name_null) { fresh(); expect_register_rejected(&T, body3("null", ACTS, LIM, NULL), "name"); }
Test(register, name_one_char) { fresh(); expect_register_rejected(&T, body3("\"A\"", ACTS, LIM, NULL), "name"); }
Test(register, name_empty) { fresh(); expect_register_rejected(&T, body3("\"\"", ACTS, LIM, NULL), "name"); }
Test(register, name_not_string) { fresh(); expect_register_rejected(&T, body3("12345", ACTS, LIM, NULL), "name"); }
Test(register, name_array) { fresh(); expect_register_rejected(&T, body3("[\"ab\"]", ACTS, LIM, NULL), "name"); }
Test(register, name_101_chars) {
    fresh();
    char *n = repeat("n", 101);
    expect_register_rejected(&T, body3(fmt("\"%s\"", n), ACTS, LIM, NULL), "name");
    free(n);
}
Test(register, name_100_and_2_chars_ok) {
    fresh();
    char *n = repeat("n", 100);
    cJSON *a = expect_register_ok(&T, body3(fmt("\"%s\"", n), ACTS, LIM, NULL));
    cr_assert_str_eq(jstr(a, "name"), n);
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3("\"Ab\"", ACTS, LIM, NULL));
    cr_assert_str_eq(jstr(a, "name"), "Ab");
    cJSON_Delete(a);
    free(n);
}
Test(register, name_counts_unicode_characters_not_bytes) {
    fresh();
    char *n100 = repeat("\xC3\xA9", 100); /* 100 x U+00E9: 200 bytes, 100 characters */
    cJSON *a = expect_register_ok(&T, body3(fmt("\"%s\"", n100), ACTS, LIM, NULL));
    cr_assert_str_eq(jstr(a, "name"), n100);
    char fp[72];
    expected_fingerprint(jstr(a, "id"), jstr(a, "org_id"), n100, "production", jstr(a, "created_at"), fp);
    cr_assert_str_eq(jstr(a, "fingerprint"), fp, "fingerprint over a non-ASCII name");
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3("\"\xE2\x82\xAC\xF0\x9F\x98\x80\"", ACTS, LIM, NULL)); /* euro + emoji: 2 chars, 7 bytes */
    cJSON_Delete(a);
    a = expect_register_ok(&T, body3("\"\\u00e9\\u00e9\"", ACTS, LIM, NULL)); /* escaped: 2 chars */
    cr_assert_str_eq(jstr(a, "name"), "\xC3\xA9\xC3\xA9");
    cJSON_Delete(a);
    free(n100);
}
Test(register, name_101_unicode_characters_rejected) {
    fresh();
    char *n = repeat("\xC3\xA9", 101);
    expect_register_rejected(&T, body3(fmt("\"%s\"", n), ACTS, LIM, NULL), "name");
    free(n);
}
Test(register, name_one_multibyte_character_rejected) {
    fresh();
    expect_register_rejected(&T, body3("\"\xF0\x9F\x98\x80\"", ACTS, LIM, NULL), "name"); /* 4 bytes, 1 char */
}

Test(register, escaped_nul_in_name_is_never_truncated) {
    /* "\u0000" is valid JSON. Storing it exactly or refusing the name are both defensible;
     * silently storing a shorter name ("ab") is not. cJSON (used here too) would cut the string
     * at the NUL, so the raw response text is checked. */
    fresh();
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&T, KEY_WRITE),
              "{\"name\":\"ab\\u0000cdef\",\"authorized_actions\":[\"a\"],\"spending_limit\":5}", NULL, &r);
    if (r.status == 201)
        cr_assert(strstr(r.body, "ab\\u0000cdef"), "name \"ab\\u0000cdef\" was stored as something else: %s",
                  resp_excerpt(&r));
    else if (r.status == 400)
        expect_error(&r, 400, "invalid_json");
    else
        expect_field_error(&r, "name");
    http_resp_free(&r);
}

Test(register, plan_cap_is_403_plan_limit_exceeded) {
    require_mock();
    tenant_new_with(&T, "{\"name\":\"Capped\",\"plan\":\"starter\",\"max_agents\":2}");
    cJSON_Delete(agent_register_named(&T, "One"));
    cJSON_Delete(agent_register_named(&T, "Two"));
    char *body = agent_body(tname(&T, "Three"));
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    expect_error(&r, 403, "plan_limit_exceeded");
    http_resp_free(&r);
    free(body);
    cr_assert_eq(agent_count(&T), 2, "a plan_limit_exceeded request stored an agent");
}

/* ---- authorized_actions ---- */

Test(register, actions_missing) { fresh(); expect_register_rejected(&T, body3(NAME, NULL, LIM, NULL), "authorized_actions"); }
Test(register, actions_null) { fresh(); expect_register_rejected(&T, body3(NAME, "null", LIM, NULL), "authorized_actions"); }
Test(register, actions_empty) { fresh(); expect_register_rejected(&T, body3(NAME, "[]", LIM, NULL), "authorized_actions"); }
Test(register, actions_not_array) {
    fresh();
    expect_register_rejected(&T, body3(NAME, "\"execute_trades\"", LIM, NULL), "authorized_actions");
}
Test(register, actions_object) { fresh(); expect_register_rejected(&T, body3(NAME, "{\"a\":1}", LIM, NULL), "authorized_actions"); }

static char *n_actions(int n) {
    char *b = malloc((size_t)n * 12 + 8);
    size_t o = 0;
    b[o++] = '[';
    for (int i = 0; i < n; i++) o += (size_t)sprintf(b + o, "%s\"act_%d\"", i ? "," : "", i);
    b[o++] = ']';
    b[o] = '\0';
    return b;
}
Test(register, actions_51_items) {
    fresh();
    char *acts = n_actions(51);
    expect_register_rejected(&T, body3(NAME, acts, LIM, NULL), "authorized_actions");
    free(acts);
}
Test(register, actions_50_items_ok) {
    fresh();
    char *acts = n_actions(50);
    cJSON *a = expect_register_ok(&T, body3(NAME, acts, LIM, NULL));
    cr_assert_eq(cJSON_GetArraySize(jarr(a, "authorized_actions")), 50);
    cJSON_Delete(a);
    free(acts);
}
Test(register, action_bad_pattern_names_its_index) {
    fresh();
    expect_register_rejected(&T, body3(NAME, "[\"ok_one\",\"ok.two\",\"Bad\"]", LIM, NULL), "authorized_actions[2]");
}
Test(register, action_pattern_violations) {
    fresh();
    const char *bad[] = {"\"1starts_with_digit\"", "\"has space\"", "\"\"", "\"_underscore_first\"",
                         "\"UPPER\"", "\"semi;colon\"", "\"caf\xC3\xA9\"", "\"slash/ed\"", "5", "null", "[\"x\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_register_rejected(&T, body3(NAME, fmt("[\"a\",\"b\",%s]", bad[i]), LIM, NULL), "authorized_actions[2]");
}
Test(register, action_pattern_allowed_characters) {
    fresh();
    cJSON *a = expect_register_ok(&T, body3(NAME, "[\"a\",\"x9\",\"read:balances\",\"pay.out-bound_v2\",\"a:b.c-d_e\"]", LIM, NULL));
    cr_assert_eq(cJSON_GetArraySize(jarr(a, "authorized_actions")), 5);
    cJSON_Delete(a);
}
Test(register, action_duplicate_names_the_duplicate) {
    fresh();
    expect_register_rejected(&T, body3(NAME, "[\"pay\",\"trade\",\"pay\"]", LIM, NULL), "authorized_actions[2]");
}
Test(register, action_65_chars_rejected_64_ok) {
    fresh();
    char *a64 = repeat("a", 64), *a65 = repeat("b", 65);
    expect_register_rejected(&T, body3(NAME, fmt("[\"%s\"]", a65), LIM, NULL), "authorized_actions[0]");
    cJSON *a = expect_register_ok(&T, body3(NAME, fmt("[\"%s\"]", a64), LIM, NULL));
    cJSON_Delete(a);
    free(a64);
    free(a65);
}

/* ---- spending_limit ---- */

Test(register, limit_missing) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, NULL, NULL), "spending_limit"); }
Test(register, limit_null) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, "null", NULL), "spending_limit"); }
Test(register, limit_zero) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, "0", NULL), "spending_limit"); }
Test(register, limit_negative) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, "-5", NULL), "spending_limit"); }
Test(register, limit_above_1e12) {
    fresh();
    expect_register_rejected(&T, body3(NAME, ACTS, "1000000000000.01", NULL), "spending_limit");
    expect_register_rejected(&T, body3(NAME, ACTS, "2e12", NULL), "spending_limit");
}
Test(register, limit_three_decimals) {
    fresh();
    expect_register_rejected(&T, body3(NAME, ACTS, "10.001", NULL), "spending_limit");
    expect_register_rejected(&T, body3(NAME, ACTS, "0.001", NULL), "spending_limit");
}
Test(register, limit_string) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, "\"100\"", NULL), "spending_limit"); }
Test(register, limit_boolean) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, "true", NULL), "spending_limit"); }
Test(register, limit_overflowing_number) {
    /* 1e400 overflows a double: a 422 on spending_limit (or a 400 if the parser refuses it) */
    fresh();
    const char *body = body3(NAME, ACTS, "1e400", NULL);
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    if (r.status == 400) expect_error(&r, 400, "invalid_json");
    else expect_field_error(&r, "spending_limit");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0);
}

/* ---- currency, environment, description ---- */

Test(register, currency_lowercase) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"currency\":\"usd\""), "currency"); }
Test(register, currency_two_letters) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"currency\":\"US\""), "currency"); }
Test(register, currency_number) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"currency\":5"), "currency"); }
Test(register, currency_four_letters) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"currency\":\"USDX\""), "currency"); }
Test(register, currency_digits) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"currency\":\"U5D\""), "currency"); }
Test(register, environment_prod) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"environment\":\"prod\""), "environment"); }
Test(register, environment_wrong_case) {
    fresh();
    expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"environment\":\"Production\""), "environment");
}
Test(register, environment_number) { fresh(); expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"environment\":1"), "environment"); }
Test(register, description_501_chars) {
    fresh();
    char *d = repeat("d", 501);
    expect_register_rejected(&T, body3(NAME, ACTS, LIM, fmt("\"description\":\"%s\"", d)), "description");
    free(d);
}
Test(register, description_500_chars_ok) {
    fresh();
    char *d = repeat("\xC3\xA9", 500); /* 500 characters, 1000 bytes */
    cJSON *a = expect_register_ok(&T, body3(NAME, ACTS, LIM, fmt("\"description\":\"%s\"", d)));
    cr_assert_str_eq(jstr(a, "description"), d);
    cJSON_Delete(a);
    free(d);
}
Test(register, description_not_string) {
    fresh();
    expect_register_rejected(&T, body3(NAME, ACTS, LIM, "\"description\":42"), "description");
}

/* ---- every invalid field is listed ---- */

Test(register, several_bad_fields_all_listed) {
    fresh();
    const char *body = body3("\"x\"", "[\"ok\",\"ok\",\"BAD\"]", "0",
                             "\"currency\":\"usd\",\"environment\":\"prod\"");
    const char *fields[] = {"name", "spending_limit", "currency", "environment"};
    for (size_t i = 0; i < 4; i++) {
        struct http_resp r;
        http_call("POST", "/agents", tkey_min(&T, KEY_WRITE), body, NULL, &r);
        expect_field_error(&r, fields[i]);
        http_resp_free(&r);
    }
    /* the actions array has a duplicate at [1] and a bad element at [2]: both listed */
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&T, KEY_WRITE), body, NULL, &r);
    expect_field_error(&r, "authorized_actions[1]");
    expect_field_error(&r, "authorized_actions[2]");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0);
}

Test(register, missing_required_fields_all_listed) {
    fresh();
    struct http_resp r;
    http_call("POST", "/agents", tkey_min(&T, KEY_WRITE), "{}", NULL, &r);
    expect_field_error(&r, "name");
    expect_field_error(&r, "authorized_actions");
    expect_field_error(&r, "spending_limit");
    http_resp_free(&r);
    cr_assert_eq(agent_count(&T), 0);
}
