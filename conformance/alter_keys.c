/* Alter §4: the key lifecycle (mint, list, deprecate, undeprecate, revoke), its 409s, using
 * keys in every state, the rotation recipe as one scenario, and the last-active-key guard
 * under a race. */
#include "alter_harness.h"

#include <pthread.h>
#include <string.h>

#include <curl/curl.h>

static struct tenant T;

/* POST /sdk/agents/{id}/keys/{key}/<action> with body; returns the response. */
static void key_action(const char *agent_id, const char *key_id, const char *action,
                       const char *body, struct http_resp *r) {
    char path[192];
    snprintf(path, sizeof path, "/sdk/agents/%s/keys/%s/%s", agent_id, key_id, action);
    alter_http("POST", path, alter_key(&T), body, NULL, r);
}

static cJSON *key_action_ok(const char *agent_id, const char *key_id, const char *action,
                            const char *body) {
    struct http_resp r;
    key_action(agent_id, key_id, action, body, &r);
    expect_status(&r, 200);
    expect_agent_key(r.json);
    cr_assert_str_eq(jstr(r.json, "key_id"), key_id);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

/* GET /sdk/agents/me with key: its status, and whether X-Alter-Key-Deprecated: true came. */
static long use_key(const char *key, bool *deprecated) {
    struct http_resp r;
    alter_http("GET", "/sdk/agents/me", key, NULL, NULL, &r);
    const char *flag = resp_header(&r, "X-Alter-Key-Deprecated");
    *deprecated = flag && !strcmp(flag, "true");
    long status = r.status;
    if (status == 401) expect_alter_error(&r, 401, "key_revoked");
    http_resp_free(&r);
    return status;
}

Test(alter_keys, mint_returns_the_plaintext_once_and_list_shows_metadata_only) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "minty");
    const char *id = jstr(a, "id");
    cJSON *named = alter_expect("POST", fmt("/sdk/agents/%s/keys", id), alter_key(&T),
                                "{\"name\": \"ci runner\"}", 201);
    expect_agent_key(named);
    cr_assert_str_eq(jstr(named, "name"), "ci runner");
    cr_assert_str_eq(jstr(named, "agent_id"), id);
    cr_assert(is_agent_key(jstr(named, "api_key")));
    expect_key_prefix_of(jstr(named, "key_prefix"), jstr(named, "api_key"));
    cJSON *unnamed = alter_mint(&T, id);
    cr_assert(jnull(unnamed, "name"));
    cr_assert_str_neq(jstr(unnamed, "api_key"), jstr(named, "api_key"));
    cJSON *nulled = alter_expect("POST", fmt("/sdk/agents/%s/keys", id), alter_key(&T),
                                 "{\"name\": null}", 201);
    cr_assert(jnull(nulled, "name"));
    struct http_resp r;
    static const char *const bad[] = {"{\"name\": \"\"}", "{\"name\": 5}"};
    for (int i = 0; i < 2; i++) {
        alter_call_field_error("POST", fmt("/sdk/agents/%s/keys", id), alter_key(&T), bad[i], NULL,
                               "name");
    }
    alter_call_error("POST", "/sdk/agents/00000000-0000-4000-8000-000000000000/keys", alter_key(&T),
                     NULL, NULL, 404, "agent_not_found");
    alter_http("GET", fmt("/sdk/agents/%s/keys", id), alter_key(&T), NULL, NULL, &r);
    expect_status(&r, 200);
    const cJSON *items = jarr(r.json, "items");
    cr_assert_eq(cJSON_GetArraySize(items), 4, "first key + 3 minted");
    const char *order[] = {jstr(jobj(a, "key"), "key_id"), jstr(named, "key_id"),
                           jstr(unnamed, "key_id"), jstr(nulled, "key_id")};
    int i = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, items) {
        expect_agent_key(k);
        cr_assert_str_eq(jstr(k, "key_id"), order[i++], "keys are not listed oldest first");
        cr_assert_null(cJSON_GetObjectItemCaseSensitive(k, "api_key"),
                       "list_keys shows a plaintext");
    }
    const char *secrets[] = {jstr(a, "api_key"), jstr(named, "api_key"), jstr(unnamed, "api_key")};
    for (int s = 0; s < 3; s++)
        cr_assert(!strstr(r.body, secrets[s] + 16), "a plaintext leaked into list_keys");
    http_resp_free(&r);
    alter_call_error("GET", "/sdk/agents/00000000-0000-4000-8000-000000000000/keys", alter_key(&T),
                     NULL, NULL, 404, "agent_not_found");
    cJSON_Delete(named);
    cJSON_Delete(unnamed);
    cJSON_Delete(nulled);
    cJSON_Delete(a);
}

Test(alter_keys, using_a_key_stamps_last_used_at) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "used");
    bool deprecated;
    cr_assert_eq(use_key(jstr(a, "api_key"), &deprecated), 200);
    cJSON *list =
        alter_expect("GET", fmt("/sdk/agents/%s/keys", jstr(a, "id")), alter_key(&T), NULL, 200);
    const cJSON *k = cJSON_GetArrayItem(jarr(list, "items"), 0);
    cr_assert(!jnull(k, "last_used_at"), "last_used_at not set after use");
    cr_assert(is_rfc3339_utc_seconds(jstr(k, "last_used_at")));
    cJSON_Delete(list);
    cJSON_Delete(a);
}

Test(alter_keys, deprecate_keeps_the_key_working_and_flags_every_response) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "depr");
    const char *id = jstr(a, "id"), *key_id = jstr(jobj(a, "key"), "key_id"),
               *key = jstr(a, "api_key");
    bool deprecated;
    cr_assert_eq(use_key(key, &deprecated), 200);
    cr_assert(!deprecated, "an active key is flagged deprecated");
    cJSON *d = key_action_ok(id, key_id, "deprecate", NULL);
    cr_assert_str_eq(jstr(d, "status"), "deprecated");
    cr_assert(!jnull(d, "deprecated_at"));
    cr_assert_eq(use_key(key, &deprecated), 200, "a deprecated key must still work");
    cr_assert(deprecated, "no X-Alter-Key-Deprecated: true with a deprecated key");
    /* error answers carry it too */
    struct http_resp r;
    alter_http("GET", "/sdk/agents", key, NULL, NULL, &r);
    expect_alter_error(&r, 403, "agent_cannot_mint_subagents");
    cr_assert(resp_header(&r, "X-Alter-Key-Deprecated") &&
              !strcmp(resp_header(&r, "X-Alter-Key-Deprecated"), "true"));
    http_resp_free(&r);
    /* again: unchanged */
    cJSON *d2 = key_action_ok(id, key_id, "deprecate", NULL);
    cr_assert_str_eq(jstr(d2, "deprecated_at"), jstr(d, "deprecated_at"));
    cr_assert_str_eq(jstr(d2, "status"), "deprecated");
    /* undeprecate: active again, no flag */
    cJSON *u = key_action_ok(id, key_id, "undeprecate", NULL);
    cr_assert_str_eq(jstr(u, "status"), "active");
    cr_assert(jnull(u, "deprecated_at"));
    cr_assert_eq(use_key(key, &deprecated), 200);
    cr_assert(!deprecated);
    cJSON *u2 = key_action_ok(id, key_id, "undeprecate", NULL); /* already active: unchanged */
    cr_assert_str_eq(jstr(u2, "status"), "active");
    cJSON_Delete(d);
    cJSON_Delete(d2);
    cJSON_Delete(u);
    cJSON_Delete(u2);
    cJSON_Delete(a);
}

Test(alter_keys, revoke_takes_effect_on_the_next_use_and_every_later_change_is_409) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "revo");
    const char *id = jstr(a, "id");
    cJSON *second = alter_mint(&T, id);
    const char *key_id = jstr(second, "key_id");
    bool deprecated;
    cr_assert_eq(use_key(jstr(second, "api_key"), &deprecated), 200);
    cJSON *rv =
        key_action_ok(id, key_id, "revoke", NULL); /* no body: force false; another key is active */
    cr_assert_str_eq(jstr(rv, "status"), "revoked");
    cr_assert(!jnull(rv, "revoked_at"));
    cr_assert_eq(use_key(jstr(second, "api_key"), &deprecated), 401, "a revoked key still works");
    static const char *const actions[] = {"revoke", "deprecate", "undeprecate"};
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        key_action(id, key_id, actions[i], i == 0 ? "{\"force\": true}" : NULL, &r);
        expect_alter_error(&r, 409, "key_already_revoked");
        http_resp_free(&r);
    }
    cr_assert_eq(use_key(jstr(a, "api_key"), &deprecated), 200, "revoking one key touched another");
    cJSON_Delete(rv);
    cJSON_Delete(second);
    cJSON_Delete(a);
}

Test(alter_keys, the_last_active_key_needs_force_and_deprecated_keys_do_not_count) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "last");
    const char *id = jstr(a, "id"), *first = jstr(jobj(a, "key"), "key_id");
    struct http_resp r;
    key_action(id, first, "revoke", NULL, &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    key_action(id, first, "revoke", "{\"force\": false}", &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    /* a deprecated second key does not make the first one not-the-last */
    cJSON *second = alter_mint(&T, id);
    cJSON_Delete(key_action_ok(id, jstr(second, "key_id"), "deprecate", NULL));
    key_action(id, first, "revoke", "{}", &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    bool deprecated;
    cr_assert_eq(use_key(jstr(a, "api_key"), &deprecated), 200, "a refused revoke revoked the key");
    /* a deprecated key can go without force while another key stays active */
    cJSON_Delete(key_action_ok(id, jstr(second, "key_id"), "revoke", NULL));
    cJSON *forced = key_action_ok(id, first, "revoke", "{\"force\": true}");
    cr_assert_str_eq(jstr(forced, "status"), "revoked");
    cr_assert_eq(use_key(jstr(a, "api_key"), &deprecated), 401);
    /* the agent is still there, with no usable key, and can get a new one */
    cJSON *fresh = alter_mint(&T, id);
    cr_assert_eq(use_key(jstr(fresh, "api_key"), &deprecated), 200);
    key_action(id, first, "revoke", "{\"force\": \"yes\"}", &r);
    expect_alter_field_error(&r, "force");
    http_resp_free(&r);
    cJSON_Delete(fresh);
    cJSON_Delete(forced);
    cJSON_Delete(second);
    cJSON_Delete(a);
}

Test(alter_keys, deprecating_the_only_key_then_revoking_it_still_needs_force) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "twostep");
    const char *id = jstr(a, "id"), *only = jstr(jobj(a, "key"), "key_id");
    cJSON_Delete(key_action_ok(id, only, "deprecate", NULL));
    struct http_resp r;
    key_action(id, only, "revoke", NULL, &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    key_action(id, only, "revoke", "{\"force\": false}", &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    bool deprecated;
    cr_assert_eq(use_key(jstr(a, "api_key"), &deprecated), 200, "a refused revoke revoked the key");
    cr_assert(deprecated);
    /* with another active key the deprecated one goes without force */
    cJSON *second = alter_mint(&T, id);
    cJSON *gone = key_action_ok(id, only, "revoke", NULL);
    cr_assert_str_eq(jstr(gone, "status"), "revoked");
    /* and the last active one needs force again, then goes */
    key_action(id, jstr(second, "key_id"), "revoke", "{}", &r);
    expect_alter_error(&r, 409, "last_active_key");
    http_resp_free(&r);
    cJSON_Delete(key_action_ok(id, jstr(second, "key_id"), "revoke", "{\"force\": true}"));
    cJSON_Delete(gone);
    cJSON_Delete(second);
    cJSON_Delete(a);
}

Test(alter_keys, unknown_keys_and_keys_of_other_agents_are_key_not_found) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "owner");
    cJSON *b = alter_create_named(&T, "stranger");
    const char *b_key = jstr(jobj(b, "key"), "key_id");
    static const char *const actions[] = {"deprecate", "undeprecate", "revoke"};
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        key_action(jstr(a, "id"), "key_000000000000000000000000", actions[i], NULL, &r);
        expect_alter_error(&r, 404, "key_not_found");
        http_resp_free(&r);
        key_action(jstr(a, "id"), b_key, actions[i], "{\"force\": true}", &r);
        expect_alter_error(&r, 404, "key_not_found");
        http_resp_free(&r);
        key_action("00000000-0000-4000-8000-000000000000", b_key, actions[i], NULL, &r);
        expect_alter_error(&r, 404, "agent_not_found");
        http_resp_free(&r);
    }
    bool deprecated;
    cr_assert_eq(use_key(jstr(b, "api_key"), &deprecated), 200);
    cr_assert(!deprecated, "another agent's key was changed through the wrong agent");
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* The rotation recipe: mint new -> deprecate old -> roll out -> revoke old. */
Test(alter_keys, rotation_recipe) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "rotating");
    const char *id = jstr(a, "id"), *old_key = jstr(a, "api_key"),
               *old_id = jstr(jobj(a, "key"), "key_id");
    bool deprecated;
    /* 1. mint the new key: both work, neither is flagged */
    cJSON *fresh = alter_mint(&T, id);
    const char *new_key = jstr(fresh, "api_key");
    cr_assert(use_key(old_key, &deprecated) == 200 && !deprecated);
    cr_assert(use_key(new_key, &deprecated) == 200 && !deprecated);
    /* 2. deprecate the old one: it still works, and says so, so stragglers can be found */
    cJSON_Delete(key_action_ok(id, old_id, "deprecate", NULL));
    cr_assert(use_key(old_key, &deprecated) == 200 && deprecated);
    cr_assert(use_key(new_key, &deprecated) == 200 && !deprecated);
    /* 3. roll out: the deployments switch to the new key (and the old key's use is visible) */
    cJSON *keys = alter_expect("GET", fmt("/sdk/agents/%s/keys", id), alter_key(&T), NULL, 200);
    const cJSON *k;
    int active = 0, deprecated_n = 0;
    cJSON_ArrayForEach(k, jarr(keys, "items")) {
        active += !strcmp(jstr(k, "status"), "active");
        deprecated_n += !strcmp(jstr(k, "status"), "deprecated");
        cr_assert(!jnull(k, "last_used_at"), "both keys were used during the rollout");
    }
    cr_assert(active == 1 && deprecated_n == 1);
    cJSON_Delete(keys);
    /* 4. revoke the old one: no force needed (it is deprecated, the new one is active) */
    cJSON_Delete(key_action_ok(id, old_id, "revoke", NULL));
    cr_assert_eq(use_key(old_key, &deprecated), 401);
    cr_assert(use_key(new_key, &deprecated) == 200 && !deprecated);
    cJSON *me = alter_expect("GET", "/sdk/agents/me", new_key, NULL, 200);
    cr_assert_str_eq(jstr(me, "id"), id);
    cJSON_Delete(me);
    /* the audit log tells the story, in order */
    cJSON *rows = alter_audit_all(&T, fmt("agent_id=%s", id));
    const char *want[] = {"agent.created", "key.minted", "key.deprecated", "key.revoked"};
    int w = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        if (w < 4 && !strcmp(jstr(row, "action"), want[w]) &&
            !strcmp(jstr(row, "outcome"), "success"))
            w++;
    }
    cr_assert_eq(w, 4, "the audit log does not show created, minted, deprecated, revoked in order");
    cJSON_Delete(rows);
    cJSON_Delete(fresh);
    cJSON_Delete(a);
}

/* ---- the race: two revokes of the last two active keys at once --------------------------- */

struct racer {
    const char *agent_id, *key_id;
    long status;
    char code[64];
};

static void *revoke_in_thread(void *arg) {
    struct racer *w = arg;
    struct http_resp r;
    char path[192];
    snprintf(path, sizeof path, "/sdk/agents/%s/keys/%s/revoke", w->agent_id, w->key_id);
    alter_http("POST", path, T.alter_key, "{\"force\": false}", NULL, &r);
    w->status = r.status;
    const cJSON *code = r.json ? cJSON_GetObjectItemCaseSensitive(r.json, "error") : NULL;
    snprintf(w->code, sizeof w->code, "%s", cJSON_IsString(code) ? code->valuestring : "");
    http_resp_free(&r);
    return NULL;
}

Test(alter_keys, racing_revokes_of_the_last_two_active_keys_leave_exactly_one, .timeout = 120) {
    tenant_new(&T);
    alter_key(&T);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int round = 0; round < 20; round++) {
        cJSON *a = alter_create_named(&T, fmt("race%d", round));
        cJSON *second = alter_mint(&T, jstr(a, "id"));
        struct racer w[2] = {{jstr(a, "id"), jstr(jobj(a, "key"), "key_id"), 0, ""},
                             {jstr(a, "id"), jstr(second, "key_id"), 0, ""}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            cr_assert_eq(pthread_create(&th[i], NULL, revoke_in_thread, &w[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        int ok = 0, refused = 0;
        for (int i = 0; i < 2; i++) {
            ok += w[i].status == 200;
            refused += w[i].status == 409 && !strcmp(w[i].code, "last_active_key");
        }
        cr_assert(ok == 1 && refused == 1, "round %d: revokes answered %ld %s / %ld %s", round,
                  w[0].status, w[0].code, w[1].status, w[1].code);
        cJSON *keys = alter_expect("GET", fmt("/sdk/agents/%s/keys", jstr(a, "id")), alter_key(&T),
                                   NULL, 200);
        int active = 0;
        const cJSON *k;
        cJSON_ArrayForEach(k, jarr(keys, "items")) active += !strcmp(jstr(k, "status"), "active");
        cr_assert_eq(active, 1, "round %d: %d active keys left", round, active);
        cJSON_Delete(keys);
        cJSON_Delete(second);
        cJSON_Delete(a);
    }
}
