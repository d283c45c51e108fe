/* The report names Alter SDK bugs: the small SDK of sdk_variant.h, speaking Alter (x-api-key,
 * /sdk/ paths, offset pages and audit cursors), runs one workload against its own org's app,
 * once correct and once with each deliberate bug.  Each bug must be named by its check, and
 * only by it; the correct SDK, four threads on one app key under real 429s, must draw no
 * violation at all. */
#include "alter_harness.h"
#include "sandbox.h"
#include "sdk_variant.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MISSING_AGENT "/sdk/agents/00000000-0000-4000-8000-000000000000"

/* GET /sdk/agents?limit=2&offset=... to the end (has_more false), or with BUG_PAGE_PAST_END to
 * the first empty page, or with BUG_PAGINATION_LOOP asking the first page twice. */
static void walk_agents(struct sdk *s) {
    char path[96];
    long offset = 0;
    bool looped = false;
    struct answer a;
    do {
        snprintf(path, sizeof path, "/sdk/agents?limit=2&offset=%ld", offset);
        a = sdk_call(s, "GET", path, NULL);
        EXPECT(s, a.status == 200, "list: HTTP %ld", a.status);
        const cJSON *more = cJSON_GetObjectItemCaseSensitive(a.json, "has_more");
        EXPECT(s, cJSON_IsBool(more), "list: no has_more");
        bool empty = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a.json, "agents")) == 0;
        bool last = cJSON_IsFalse(more);
        cJSON_Delete(a.json);
        if (s->bug == BUG_PAGINATION_LOOP && !looped) {
            looped = true; /* forgets to advance, once */
            continue;
        }
        if (s->bug == BUG_PAGE_PAST_END ? empty : last) break;
        offset += 2;
    } while (offset < 100);
}

/* GET /sdk/audit following next_cursor until it is null. */
static void walk_audit(struct sdk *s) {
    char path[160] = "/sdk/audit?limit=50";
    for (int page = 0; page < 50; page++) {
        struct answer a = sdk_call(s, "GET", path, NULL);
        EXPECT(s, a.status == 200, "audit: HTTP %ld", a.status);
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(a.json, "next_cursor");
        EXPECT(s, cJSON_IsString(next) || cJSON_IsNull(next), "audit: no next_cursor");
        bool more = cJSON_IsString(next);
        if (more) snprintf(path, sizeof path, "/sdk/audit?limit=50&after=%s", next->valuestring);
        cJSON_Delete(a.json);
        if (!more) return;
    }
    snprintf(s->error, sizeof s->error, "audit: no end after 50 pages");
}

/* agents.me with the agent's own key, on the same connection. */
static void me(struct sdk *s, const char *agent_key, const char *agent_id) {
    struct sdk agent = *s;
    agent.key = agent_key;
    struct answer a = sdk_call(&agent, "GET", "/sdk/agents/me", NULL);
    s->n = agent.n;
    EXPECT(s, a.status == 200 && !strcmp(sdk_str(a.json, "id"), agent_id), "me: HTTP %ld",
           a.status);
    cJSON_Delete(a.json);
}

/* The workload: create agents (the org's faults put a 429, a 503 and a drop in the way), look
 * one up that does not exist, walk the list, read one by name, update it (a 503 first), mint
 * it a key and call as the agent, then read the audit log to its end. */
static void workload(struct sdk *s, const char *tag) {
    char id[64] = "", name[64] = "", path[160];
    for (int i = 0; i < 3; i++) {
        char body[256], this_name[64];
        snprintf(this_name, sizeof this_name, "variant-%.40s-%d", tag, i);
        snprintf(body, sizeof body, "{\"name\": \"%s\", \"metadata\": {\"step\": %d}%s}", this_name, i,
                 s->bug == BUG_UNKNOWN_FIELD ? ", \"colour\": \"red\"" : "");
        struct answer a = sdk_call(s, "POST", "/sdk/agents", body);
        EXPECT(s, a.status == 201, "create: HTTP %ld", a.status);
        if (!id[0]) {
            snprintf(id, sizeof id, "%s", sdk_str(a.json, "id"));
            memcpy(name, this_name, sizeof name);
        }
        cJSON_Delete(a.json);
    }
    struct answer a = sdk_call(s, "GET", MISSING_AGENT, NULL);
    EXPECT(s, a.status == 404 && !strcmp(sdk_str(a.json, "error"), "agent_not_found"),
           "missing agent: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    walk_agents(s);
    if (s->error[0]) return;
    snprintf(path, sizeof path, "/sdk/agents/by-name/%s", name);
    a = sdk_call(s, "GET", path, NULL);
    EXPECT(s, a.status == 200, "get_by_name: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    snprintf(path, sizeof path, "/sdk/agents/%s", id);
    a = sdk_call(s, "PATCH", path,
                 s->bug == BUG_WRONG_TYPE ? "{\"display_name\": 7}" : "{\"display_name\": \"Seven\"}");
    EXPECT(s, a.status == (s->bug == BUG_WRONG_TYPE ? 422 : 200) || sdk_gave_up(s, &a),
           "update: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    snprintf(path, sizeof path, "/sdk/agents/%s/keys", id);
    a = sdk_call(s, "POST", path, "{\"name\": \"variant\"}");
    EXPECT(s, a.status == 201, "mint_key: HTTP %ld", a.status);
    char agent_key[96];
    snprintf(agent_key, sizeof agent_key, "%s", sdk_str(a.json, "api_key"));
    cJSON_Delete(a.json);
    me(s, agent_key, id);
    if (s->error[0]) return;
    walk_audit(s);
}

static struct sdk sdk_for(struct tenant *t, enum bug bug) {
    return (struct sdk){.base = alter_base_url(), .auth = "x-api-key: ", .key = alter_key(t),
                        .probe_path = "/sdk/agents?limit=1", .bug = bug};
}

static const struct sdk_api API = {.sdk_for = sdk_for, .workload = workload, .post_prefix = "/sdk/agents",
                                   .patch_prefix = "/sdk/agents/", .slow_get_prefix = "/sdk/agents/by-name/", .post_route = "/sdk/agents"};

Test(sdk_variants_alter, each_bug_is_named_by_its_check_and_only_by_it, .timeout = 240) {
    require_mock();
    sdk_check_each_bug(&API);
}

Test(sdk_variants_alter, the_correct_sdk_draws_no_violation, .timeout = 60) {
    require_mock();
    struct tenant t;
    cJSON *rep = sdk_check_correct(&API, &t);
    cr_assert_eq(coverage_count(rep, "GET", "/sdk/agents/by-name/{name}", "200"), 1,
                 "the slow read was abandoned or retried");
    cJSON_Delete(rep);
}

/* A 422 for a value of the right type but out of its range says "must be an array of at most
 * ..." or "must be a string of 1 to ... characters": a correct SDK passing on its caller's
 * value is not sending a wrong type.  A value of another type is one, however it is worded. */
Test(sdk_variants_alter, a_value_of_its_type_refused_for_its_size_is_no_wrong_type) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *key = alter_key(&t);
    char cidrs[2200] = "";
    for (int i = 0; i < 101; i++) /* one over policy.ip_allowlist's 100 */
        snprintf(cidrs + strlen(cidrs), sizeof cidrs - strlen(cidrs), "%s\"10.0.%d.0/24\"", i ? ", " : "", i);
    const char *refused[] = {
        "{\"name\": \"sized-a\", \"scopes\": {\"github\": [\"\"]}}",
        fmt("{\"name\": \"sized-b\", \"policy\": {\"ip_allowlist\": [%s]}}", cidrs),
        "{\"name\": \"typed-a\", \"scopes\": {\"github\": [5]}}",
        "{\"name\": \"typed-b\", \"scopes\": {\"github\": \"repo\"}}",
        "{\"name\": \"typed-c\", \"policy\": {\"time_window\": \"9-17\"}}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        cJSON_Delete(alter_expect("POST", "/sdk/agents", key, refused[i], 422));
    struct http_resp r; /* the same on Alsorn: too few agent ids, then one of the wrong type */
    http_call("POST", "/trust/query", t.key[KEY_READ], "{\"agent_ids\": []}", NULL, &r);
    expect_field_error(&r, "agent_ids");
    http_resp_free(&r);
    http_call("POST", "/trust/query", t.key[KEY_READ], "{\"agent_ids\": [7]}", NULL, &r);
    expect_field_error(&r, "agent_ids[0]");
    http_resp_free(&r);
    cJSON *rep = report_of(&t);
    sdk_expect_only(rep, "wrong_type", 4);
    cJSON_Delete(rep);
}

/* The vault routes' bodies (alter.md §7) are known field by field too: every field the route
 * takes draws nothing, one it does not is named.  The grant does not exist; the body's fields
 * are judged all the same. */
Test(sdk_variants_alter, unknown_fields_of_the_vault_routes_are_named) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *key = alter_key(&t), *grant = "00000000-0000-4000-8000-000000000000";
    const char *target = "\"method\": \"GET\", \"url\": \"http://127.0.0.1:9/x\", \"reason\": \"r\", "
                         "\"context\": {\"k\": \"v\"}";
    cJSON_Delete(alter_expect("POST", "/sdk/token", key,
                              fmt("{\"grant_id\": \"%s\", %s}", grant, target), 404));
    cJSON_Delete(alter_expect("POST", "/sdk/proxy", key,
                              fmt("{\"grant_id\": \"%s\", %s, \"headers\": {\"Accept\": \"text/plain\"}, "
                                  "\"body_b64\": \"\", \"timeout_ms\": 1000}", grant, target), 404));
    cJSON_Delete(alter_expect("POST", fmt("/sdk/grants/%s/revoke", grant), key, "{\"reason\": \"r\"}", 404));
    cJSON *rep = report_of(&t);
    sdk_expect_clean(rep);
    cJSON_Delete(rep);
    cJSON_Delete(alter_expect("POST", "/sdk/token", key,
                              fmt("{\"grant_id\": \"%s\", %s, \"scope\": \"repo\"}", grant, target), 404));
    cJSON_Delete(alter_expect("POST", "/sdk/proxy", key,
                              fmt("{\"grant_id\": \"%s\", %s, \"body\": \"hi\"}", grant, target), 404));
    cJSON_Delete(alter_expect("POST", fmt("/sdk/grants/%s/revoke", grant), key, "{\"why\": \"r\"}", 404));
    rep = report_of(&t);
    sdk_expect_only(rep, "unknown_field", 3);
    cJSON_Delete(rep);
}

/* Alter takes an Idempotency-Key on agent creation only (alter.md §3): a key deprecated, put
 * back and deprecated again is the same POST twice without one, and no retry. */
Test(sdk_variants_alter, a_post_without_an_idempotency_key_on_routes_that_take_none_is_no_violation) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *key = alter_key(&t);
    cJSON *a = alter_create_named(&t, "toggle");
    const char *id = jstr(a, "id"), *key_id = jstr(jobj(a, "key"), "key_id");
    cJSON_Delete(alter_mint(&t, id));
    const char *steps[] = {"deprecate", "undeprecate", "deprecate"};
    for (int i = 0; i < 3; i++)
        cJSON_Delete(alter_expect("POST", fmt("/sdk/agents/%s/keys/%s/%s", id, key_id, steps[i]), key, NULL, 200));
    cJSON *rep = report_of(&t);
    sdk_expect_clean(rep);
    cJSON_Delete(rep);
    cJSON_Delete(a);
}

static void stop_own(void) { own_mock_stop(); }

/* Four threads, one app key, a limit they all run into.  Alter's window is a fixed minute from
 * the key's first request, so a 429 says to come back when that minute ends: the test spends
 * most of a window, then moves the clock of a mock of its own (the clock is the server's) to
 * the window's last seconds, so the threads' 429s last seconds, not a minute. */
Test(sdk_variants_alter, the_correct_sdk_on_four_threads_under_real_429s_is_clean,
     .fini = stop_own, .timeout = 150) {
    own_mock_start(NULL);
    struct tenant t;
    tenant_new(&t);
    cJSON_Delete(org_patch(&t, "{\"alter_rate_limit_rpm\": 80}"));
    sdk_hard_cases(&API, &t, BUG_NONE);
    /* 70 of the 80 (a read that says nothing more follows is never a retry); the threads need
     * about 14 each, so the three that do not sleep on the hard cases' 429 run into the limit,
     * and the rest fit in the next window */
    struct http_resp r;
    for (int i = 0; i < 70; i++) {
        alter_http("GET", "/sdk/agents?limit=1", alter_key(&t), NULL, NULL, &r);
        expect_status(&r, 200);
        if (i < 69) http_resp_free(&r);
    }
    long long left = header_int(&r, "X-RateLimit-Reset") - (long long)time(NULL);
    http_resp_free(&r);
    if (left > 3)
        cJSON_Delete(mock_call("POST", "/_mock/clock", fmt("{\"advance_seconds\": %lld}", left - 3), 200));
    sdk_run_threads(4, &API, &t);
    cJSON *rep = report_of(&t);
    long limited = sdk_answered(rep, "429") - 1; /* one is the hard cases' */
    cr_assert(limited >= 3, "the threads ran into the limit (%ld real 429s)", limited);
    sdk_expect_clean(rep);
    cJSON_Delete(rep);
}
