/* §3 PATCH /agents/{id}: mutable fields, immutable fields, the registration rules, atomicity. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tenant T;
static cJSON *A; /* the agent under test */
static const char *ID;

static void setup(void) {
    tenant_new(&T);
    A = agent_register(&T, fmt("{\"name\":\"%s\",\"authorized_actions\":[\"execute_trades\",\"pay\"],"
                               "\"spending_limit\":1000,\"description\":\"before\"}",
                               tname(&T, "Mutable")));
    ID = jstr(A, "id");
}

/* Every member of `before` except the listed ones (and updated_at) is equal in `after`. */
static void expect_unchanged_except(const cJSON *before, const cJSON *after, const char *const *changed) {
    const cJSON *m;
    cJSON_ArrayForEach(m, before) {
        bool skip = !strcmp(m->string, "updated_at");
        for (const char *const *c = changed; c && *c; c++) skip |= !strcmp(m->string, *c);
        if (skip) continue;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(after, m->string);
        char *bs = cJSON_PrintUnformatted(m), *as = n ? cJSON_PrintUnformatted(n) : NULL;
        cr_assert(n && cJSON_Compare(m, n, 1), "\"%s\" changed: %s -> %s", m->string, bs, as ? as : "(absent)");
        free(bs);
        free(as);
    }
}

/* PATCH that must be rejected 422 naming field; the agent must be unchanged afterwards. */
static void expect_patch_rejected(const char *body, const char *field) {
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", ID), tkey_min(&T, KEY_WRITE), body, NULL, &r);
    if (r.status != 422)
        cr_assert_fail("PATCH %s: expected 422 naming \"%s\", got %ld: %s", body, field, r.status, resp_excerpt(&r));
    expect_field_error(&r, field);
    http_resp_free(&r);
    cJSON *now = agent_get(&T, ID);
    char *b = cJSON_PrintUnformatted(A), *n = cJSON_PrintUnformatted(now);
    cr_assert(cJSON_Compare(now, A, 1), "rejected PATCH %s changed the agent:\n before %s\n after  %s", body, b, n);
    free(b);
    free(n);
    cJSON_Delete(now);
}

Test(update, rename_keeps_fingerprint) {
    setup();
    const char *nn = tname(&T, "Renamed");
    cJSON *u = agent_patch(&T, ID, fmt("{\"name\":\"%s\"}", nn));
    cr_assert_str_eq(jstr(u, "name"), nn);
    cr_assert_str_eq(jstr(u, "fingerprint"), jstr(A, "fingerprint"), "renaming changed the fingerprint");
    cr_assert(strcmp(jstr(u, "updated_at"), jstr(A, "updated_at")) >= 0, "updated_at went backwards");
    expect_unchanged_except(A, u, (const char *const[]){"name", NULL});
    cJSON *g = agent_get(&T, ID);
    cr_assert(cJSON_Compare(g, u, 1), "GET differs from the PATCH response");
    cJSON_Delete(g);
    cJSON_Delete(u);
}

Test(update, updated_at_advances) {
    setup();
    usleep(1100 * 1000); /* timestamps have second precision */
    cJSON *u = agent_patch(&T, ID, "{\"description\":\"later\"}");
    cr_assert(strcmp(jstr(u, "updated_at"), jstr(A, "updated_at")) > 0, "updated_at %s did not move past %s",
              jstr(u, "updated_at"), jstr(A, "updated_at"));
    cr_assert_str_eq(jstr(u, "created_at"), jstr(A, "created_at"));
    cJSON_Delete(u);
}

Test(update, description) {
    setup();
    cJSON *u = agent_patch(&T, ID, "{\"description\":\"after\"}");
    cr_assert_str_eq(jstr(u, "description"), "after");
    expect_unchanged_except(A, u, (const char *const[]){"description", NULL});
    cJSON_Delete(u);
    u = agent_patch(&T, ID, "{\"description\":null}");
    cr_assert(jnull(u, "description"), "description null clears it");
    cJSON_Delete(u);
}

Test(update, authorized_actions_replace_the_set) {
    setup();
    cJSON *u = agent_patch(&T, ID, "{\"authorized_actions\":[\"read:balances\"]}");
    const cJSON *acts = jarr(u, "authorized_actions");
    cr_assert_eq(cJSON_GetArraySize(acts), 1, "actions were merged, not replaced");
    cr_assert_str_eq(cJSON_GetArrayItem(acts, 0)->valuestring, "read:balances");
    expect_unchanged_except(A, u, (const char *const[]){"authorized_actions", NULL});
    cJSON_Delete(u);
}

Test(update, spending_limit_and_currency) {
    setup();
    cJSON *u = agent_patch(&T, ID, "{\"spending_limit\":1234.56,\"currency\":\"GBP\"}");
    cr_assert_eq(jnum(u, "spending_limit"), 1234.56);
    cr_assert_str_eq(jstr(u, "currency"), "GBP");
    expect_unchanged_except(A, u, (const char *const[]){"spending_limit", "currency", NULL});
    cJSON_Delete(u);
}

Test(update, all_mutable_fields_at_once) {
    setup();
    const char *nn = tname(&T, "Everything");
    cJSON *u = agent_patch(&T, ID, fmt("{\"name\":\"%s\",\"description\":\"d2\",\"authorized_actions\":[\"x\",\"y\"],"
                                      "\"spending_limit\":7,\"currency\":\"JPY\"}", nn));
    cr_assert_str_eq(jstr(u, "name"), nn);
    cr_assert_str_eq(jstr(u, "description"), "d2");
    cr_assert_eq(cJSON_GetArraySize(jarr(u, "authorized_actions")), 2);
    cr_assert_eq(jnum(u, "spending_limit"), 7);
    cr_assert_str_eq(jstr(u, "currency"), "JPY");
    expect_unchanged_except(A, u, (const char *const[]){"name", "description", "authorized_actions",
                                                        "spending_limit", "currency", NULL});
    cJSON_Delete(u);
}

Test(update, unknown_fields_ignored) {
    setup();
    cJSON *u = agent_patch(&T, ID, "{\"description\":\"x\",\"colour\":\"blue\"}");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(u, "colour"));
    cJSON_Delete(u);
}

Test(update, environment_is_immutable) { setup(); expect_patch_rejected("{\"environment\":\"staging\"}", "environment"); }
Test(update, id_is_immutable) { setup(); expect_patch_rejected("{\"id\":\"agent_other\"}", "id"); }
Test(update, fingerprint_is_immutable) {
    setup();
    expect_patch_rejected("{\"fingerprint\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}",
                          "fingerprint");
}
Test(update, status_is_immutable) { setup(); expect_patch_rejected("{\"status\":\"suspended\"}", "status"); }
Test(update, immutable_with_valid_field_changes_nothing) {
    setup();
    expect_patch_rejected(fmt("{\"name\":\"%s\",\"status\":\"active\"}", tname(&T, "Sneaky")), "status");
}
Test(update, several_immutable_fields_all_listed) {
    setup();
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", ID), tkey_min(&T, KEY_WRITE),
              "{\"environment\":\"sandbox\",\"id\":\"agent_x\",\"fingerprint\":\"sha256:00\",\"status\":\"deleted\"}",
              NULL, &r);
    expect_field_error(&r, "environment");
    expect_field_error(&r, "id");
    expect_field_error(&r, "fingerprint");
    expect_field_error(&r, "status");
    http_resp_free(&r);
}

Test(update, name_rules) {
    setup();
    expect_patch_rejected("{\"name\":\"x\"}", "name");
    expect_patch_rejected("{\"name\":null}", "name");
    expect_patch_rejected("{\"name\":5}", "name");
    char n[102];
    memset(n, 'n', 101);
    n[101] = '\0';
    expect_patch_rejected(fmt("{\"name\":\"%s\"}", n), "name");
}

Test(update, authorized_actions_rules) {
    setup();
    expect_patch_rejected("{\"authorized_actions\":[]}", "authorized_actions");
    expect_patch_rejected("{\"authorized_actions\":\"pay\"}", "authorized_actions");
    expect_patch_rejected("{\"authorized_actions\":null}", "authorized_actions");
    expect_patch_rejected("{\"authorized_actions\":[\"a\",\"b\",\"Not Valid\"]}", "authorized_actions[2]");
    expect_patch_rejected("{\"authorized_actions\":[\"a\",\"a\"]}", "authorized_actions[1]");
}

Test(update, spending_limit_rules) {
    setup();
    expect_patch_rejected("{\"spending_limit\":0}", "spending_limit");
    expect_patch_rejected("{\"spending_limit\":-1}", "spending_limit");
    expect_patch_rejected("{\"spending_limit\":10.001}", "spending_limit");
    expect_patch_rejected("{\"spending_limit\":1000000000001}", "spending_limit");
    expect_patch_rejected("{\"spending_limit\":\"5\"}", "spending_limit");
    expect_patch_rejected("{\"spending_limit\":null}", "spending_limit");
}

Test(update, currency_and_description_rules) {
    setup();
    expect_patch_rejected("{\"currency\":\"usd\"}", "currency");
    expect_patch_rejected("{\"currency\":\"US\"}", "currency");
    expect_patch_rejected("{\"currency\":5}", "currency");
    char d[502];
    memset(d, 'd', 501);
    d[501] = '\0';
    expect_patch_rejected(fmt("{\"description\":\"%s\"}", d), "description");
}

Test(update, rejected_update_applies_no_valid_field) {
    setup();
    expect_patch_rejected(fmt("{\"name\":\"%s\",\"description\":\"new\",\"spending_limit\":0}", tname(&T, "Half")),
                          "spending_limit");
}

Test(update, several_bad_fields_all_listed) {
    setup();
    struct http_resp r;
    http_call("PATCH", fmt("/agents/%s", ID), tkey_min(&T, KEY_WRITE),
              "{\"name\":\"x\",\"spending_limit\":0,\"currency\":\"usd\"}", NULL, &r);
    expect_field_error(&r, "name");
    expect_field_error(&r, "spending_limit");
    expect_field_error(&r, "currency");
    http_resp_free(&r);
}

Test(update, invalid_json_is_400) {
    setup();
    const char *bodies[] = {"{\"name\":", "[]", "\"name\"", "null"};
    for (int i = 0; i < 4; i++) {
        struct http_resp r;
        http_call("PATCH", fmt("/agents/%s", ID), tkey_min(&T, KEY_WRITE), bodies[i], NULL, &r);
        expect_error(&r, 400, "invalid_json");
        http_resp_free(&r);
    }
    cJSON *now = agent_get(&T, ID);
    cr_assert(cJSON_Compare(now, A, 1));
    cJSON_Delete(now);
}

Test(update, unknown_agent_is_404) {
    tenant_new(&T);
    const char *ids[] = {"agent_0000000000000000", "nope", "agent_UPPER"};
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("PATCH", fmt("/agents/%s", ids[i]), tkey_min(&T, KEY_WRITE), "{\"description\":\"x\"}", NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
}
