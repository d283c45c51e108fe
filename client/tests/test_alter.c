/* The Alter client against a scripted server: each call sends the method, path, headers and
 * body of contract §3–§6 (its one route table), answers decode into the models, every §2
 * code becomes its own status, trace scopes merge into headers, and the local audit chain
 * check catches tampering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alter.h"
#include "canonical_json.h"
#include "leak_check.h"
#include "scripted_server.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define AGENT_ID "0b5e7c2a-1d2f-4e3a-9b8c-7d6e5f4a3b2c"
#define KEY_JSON                                                                                   \
    "{\"key_id\":\"key_0a1b2c\",\"agent_id\":\"" AGENT_ID                                          \
    "\",\"key_prefix\":\"alter_key_agent_vYbdGLvu\","                                              \
    "\"name\":null,\"status\":\"active\",\"created_at\":\"2026-01-02T03:04:05Z\","                 \
    "\"deprecated_at\":null,\"revoked_at\":null,\"last_used_at\":null}"
#define INFO_FIELDS                                                                                \
    "\"id\":\"" AGENT_ID "\",\"name\":\"research-bot\",\"display_name\":\"Research\","             \
    "\"type\":\"agent\",\"status\":\"active\",\"scopes\":{\"google\":[\"gmail.readonly\","         \
    "\"calendar\"],\"slack\":[]},\"metadata\":{\"team\":\"r\"},\"policy\":{\"rate_limit_rpm\":5}," \
    "\"created_at\":\"2026-01-02T03:04:05Z\",\"updated_at\":\"2026-01-02T03:04:05Z\","             \
    "\"revoked_at\":null"
#define INFO_JSON "{" INFO_FIELDS "}"
#define PLAINTEXT "alter_key_agent_0123456789abcdefghijABCDEFGHIJ0123"
#define ALTER_ERROR(code)                                                                          \
    "{\"error\":\"" code "\",\"message\":\"m\",\"details\":{},\"request_id\":\"req_9\"}"

static alter_app *app_for(const char *name) {
    alter_app *app = alter_app_new("alter_key_app_test", script_base_url(name));
    cr_assert_not_null(app);
    alter_app_set_max_retries(app, 0);
    return app;
}

static void assert_request(const cJSON *log, int i, const char *method, const char *path,
                           const char *body_json) {
    const cJSON *request = assert_request_at(log, i, method, path, body_json);
    cr_assert_str_eq(request_header(request, "x-api-key"), "alter_key_app_test");
    cr_assert_null(request_header(request, "Authorization"), "Alter keys go in x-api-key");
}

CLIENT_TEST(alter, every_call_uses_its_route) {
    const scripted_response script[] = {
        {201, NULL, "{" INFO_FIELDS ",\"api_key\":\"" PLAINTEXT "\",\"key\":" KEY_JSON "}", 0},
        {200, NULL,
         "{\"agents\":[" INFO_JSON "],\"total\":3,\"limit\":1,\"offset\":2,\"has_more\":false}", 0},
        {200, NULL, INFO_JSON, 0},
        {200, NULL, INFO_JSON, 0},
        {200, NULL, INFO_JSON, 0},
        {200, NULL, INFO_JSON, 0},
        {201, NULL,
         "{\"key_id\":\"key_2\",\"agent_id\":\"" AGENT_ID "\",\"key_prefix\":\"alter_key_agent_vYbdGLvu\","
         "\"name\":\"ci\",\"status\":\"active\",\"created_at\":\"2026-01-02T03:04:05Z\","
         "\"deprecated_at\":null,\"revoked_at\":null,\"last_used_at\":null,\"api_key\":\"" PLAINTEXT
         "\"}",
         0},
        {200, NULL, "{\"items\":[" KEY_JSON "," KEY_JSON "]}", 0},
        {200, NULL, KEY_JSON, 0},
        {200, NULL, KEY_JSON, 0},
        {200, NULL, KEY_JSON, 0},
        {200, NULL, "{\"rows\":[],\"next_cursor\":null}", 0},
        {200, NULL, "{\"valid\":true,\"length\":4,\"head_hash\":\"sha256:ab\",\"broken_at\":null}",
         0},
    };
    script_program("alter_routes", script, COUNT(script));
    alter_app *app = app_for("alter_routes");
    alter_error err = ALTER_ERROR_INIT;
    const char *gmail[] = {"gmail.readonly"};
    alter_scope_grant scopes[] = {{"google", gmail, 1}};
    alter_agent_create_params p = {.name = "research-bot",
                                   .type = "agent",
                                   .scopes = scopes,
                                   .scope_count = 1,
                                   .metadata_json = "{\"team\": \"r\"}",
                                   .idempotency_key = "idem-1"};
    alter_agent_create_result *created = NULL;
    cr_assert_eq(alter_agents_create(app, &p, &created, &err), ALTER_OK, "%s", err.message);
    cr_assert_str_eq(created->api_key, PLAINTEXT);
    cr_assert(!created->replayed);
    cr_assert_str_eq(created->key->key_id, "key_0a1b2c");
    cr_assert_str_eq(created->key->key_prefix, "alter_key_agent_vYbdGLvu"); /* as the wire has it */
    cr_assert_str_eq(created->agent.display_name, "Research");
    cr_assert_eq(created->agent.scope_count, 2);
    cr_assert_str_eq(created->agent.scopes[0].provider, "google");
    cr_assert_eq(created->agent.scopes[0].scope_count, 2);
    cr_assert_str_eq(created->agent.scopes[0].scopes[1], "calendar");
    cr_assert_str_eq(created->agent.scopes[1].provider, "slack");
    cr_assert_eq(created->agent.scopes[1].scope_count, 0);
    cr_assert_str_eq(created->agent.metadata_json, "{\"team\":\"r\"}");
    cr_assert_str_eq(created->agent.policy_json, "{\"rate_limit_rpm\":5}");
    cr_assert_null(created->agent.revoked_at);
    alter_agent_create_result_free(created);
    alter_agent_list_params lp = {.include_revoked = true, .limit = 1, .offset = 2};
    alter_agent_list *list = NULL;
    cr_assert_eq(alter_agents_list(app, &lp, &list, &err), ALTER_OK, "%s", err.message);
    cr_assert(list->count == 1 && list->total == 3 && list->limit == 1 && list->offset == 2 &&
              !list->has_more);
    alter_agent_list_free(list);
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_agents_get_by_name(app, "research bot", NULL, &err), ALTER_OK);
    alter_agent_update_params up = {.display_name = "New", .policy_json = "{}"};
    cr_assert_eq(alter_agents_update(app, AGENT_ID, &up, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_agents_delete(app, AGENT_ID, NULL, &err), ALTER_OK);
    alter_key_mint_result *minted = NULL;
    cr_assert_eq(alter_agents_mint_key(app, AGENT_ID, "ci", &minted, &err), ALTER_OK, "%s",
                 err.message);
    cr_assert_str_eq(minted->api_key, PLAINTEXT);
    cr_assert_str_eq(minted->key.name, "ci");
    alter_key_mint_result_free(minted);
    alter_key_list *keys = NULL;
    cr_assert_eq(alter_agents_list_keys(app, AGENT_ID, &keys, &err), ALTER_OK);
    cr_assert_eq(keys->count, 2);
    alter_key_list_free(keys);
    cr_assert_eq(alter_agents_deprecate_key(app, AGENT_ID, "key_0a1b2c", NULL, &err), ALTER_OK);
    cr_assert_eq(alter_agents_undeprecate_key(app, AGENT_ID, "key_0a1b2c", NULL, &err), ALTER_OK);
    cr_assert_eq(alter_agents_revoke_key(app, AGENT_ID, "key_0a1b2c", true, NULL, &err), ALTER_OK);
    alter_audit_params ap = {
        .after = "audit_1", .limit = 50, .run_id = "run a&b", .action = "agent.me"};
    cr_assert_eq(alter_audit_list(app, &ap, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_audit_verify(app, NULL, &err), ALTER_OK);

    cJSON *log = script_requests("alter_routes");
    cr_assert_eq(cJSON_GetArraySize(log), 13);
    assert_request(log, 0, "POST", "/sdk/agents",
                   "{\"name\":\"research-bot\",\"type\":\"agent\",\"scopes\":{\"google\":"
                   "[\"gmail.readonly\"]},\"metadata\":{\"team\":\"r\"}}");
    cr_assert_str_eq(request_header(cJSON_GetArrayItem(log, 0), "Idempotency-Key"), "idem-1");
    assert_request(log, 1, "GET", "/sdk/agents", NULL);
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 1), "query"),
                     "limit=1&offset=2&include_revoked=true");
    assert_request(log, 2, "GET", "/sdk/agents/" AGENT_ID, NULL);
    assert_request(log, 3, "GET", "/sdk/agents/by-name/research bot", NULL);
    assert_request(log, 4, "PATCH", "/sdk/agents/" AGENT_ID,
                   "{\"display_name\":\"New\",\"policy\":{}}");
    assert_request(log, 5, "DELETE", "/sdk/agents/" AGENT_ID, NULL);
    assert_request(log, 6, "POST", "/sdk/agents/" AGENT_ID "/keys", "{\"name\":\"ci\"}");
    assert_request(log, 7, "GET", "/sdk/agents/" AGENT_ID "/keys", NULL);
    assert_request(log, 8, "POST", "/sdk/agents/" AGENT_ID "/keys/key_0a1b2c/deprecate", NULL);
    assert_request(log, 9, "POST", "/sdk/agents/" AGENT_ID "/keys/key_0a1b2c/undeprecate", NULL);
    assert_request(log, 10, "POST", "/sdk/agents/" AGENT_ID "/keys/key_0a1b2c/revoke",
                   "{\"force\":true}");
    assert_request(log, 11, "GET", "/sdk/audit", NULL);
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 11), "query"),
                     "after=audit_1&limit=50&run_id=run+a%26b&action=agent.me");
    assert_request(log, 12, "GET", "/sdk/audit/verify", NULL);
    for (int i = 0; i < 13; i++) {
        const cJSON *request = cJSON_GetArrayItem(log, i);
        if (strcmp(request_member(request, "method"), "POST") == 0)
            cr_assert_not_null(request_header(request, "Idempotency-Key"), "POST %d without a key",
                               i);
        cr_assert_null(request_header(request, "X-Alter-Caller"),
                       "an app call sent X-Alter-Caller");
    }
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_app_free(app);
}

CLIENT_TEST(alter, every_contract_code_has_its_own_status) {
    static const struct {
        long http;
        const char *code;
        alter_status status;
        const char *sdk_class;
    } cases[] = {
        {401, "missing_key", ALTER_ERR_MISSING_KEY, "InvalidKeyError"},
        {401, "invalid_key", ALTER_ERR_INVALID_KEY, "InvalidKeyError"},
        {401, "key_revoked", ALTER_ERR_KEY_REVOKED, "KeyRevokedError"},
        {403, "insufficient_scope", ALTER_ERR_INSUFFICIENT_SCOPE, "InsufficientScopeError"},
        {403, "agent_cannot_mint_subagents", ALTER_ERR_AGENT_CANNOT_MINT_SUBAGENTS,
         "AgentCannotMintSubagentsError"},
        {400, "me_requires_agent_key", ALTER_ERR_ME_REQUIRES_AGENT_KEY, "MeRequiresAgentKeyError"},
        {404, "agent_not_found", ALTER_ERR_AGENT_NOT_FOUND, "AgentNotFoundError"},
        {404, "key_not_found", ALTER_ERR_KEY_NOT_FOUND, "KeyNotFoundError"},
        {409, "agent_name_exists", ALTER_ERR_AGENT_NAME_EXISTS, "AgentNameExistsError"},
        {409, "agent_revoked", ALTER_ERR_AGENT_REVOKED, "AgentRevokedError"},
        {409, "agent_scope_narrowing_not_supported", ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED,
         "AgentScopeNarrowingNotSupportedError"},
        {409, "last_active_key", ALTER_ERR_LAST_ACTIVE_KEY, "LastActiveKeyError"},
        {409, "key_already_revoked", ALTER_ERR_KEY_ALREADY_REVOKED, "KeyAlreadyRevokedError"},
        {422, "idempotency_key_body_mismatch", ALTER_ERR_IDEMPOTENCY_KEY_BODY_MISMATCH,
         "IdempotencyKeyBodyMismatchError"},
        {409, "idempotency_key_agent_revoked", ALTER_ERR_IDEMPOTENCY_KEY_AGENT_REVOKED,
         "IdempotencyKeyAgentRevokedError"},
        {422, "validation_error", ALTER_ERR_VALIDATION, "AlterValueError"},
        {400, "invalid_json", ALTER_ERR_INVALID_JSON, "BackendError"},
        {429, "rate_limited", ALTER_ERR_RATE_LIMITED, "BackendError"},
        {403, "policy_violation", ALTER_ERR_POLICY_VIOLATION, "PolicyViolationError"},
        {404, "grant_not_found", ALTER_ERR_GRANT_NOT_FOUND, "GrantNotFoundError"},
        {410, "grant_revoked", ALTER_ERR_GRANT_REVOKED, "GrantRevokedError"},
        {403, "no_delegated_grant", ALTER_ERR_NO_DELEGATED_GRANT, "NoDelegatedGrantError"},
        {404, "approval_not_found", ALTER_ERR_APPROVAL_NOT_FOUND, "BackendError"},
        {409, "approval_not_executed", ALTER_ERR_APPROVAL_NOT_EXECUTED, "BackendError"},
        {502, "upstream_error", ALTER_ERR_UPSTREAM, "BackendError"},
        {500, "internal_error", ALTER_ERR_INTERNAL, "BackendError"},
        {405, "method_not_allowed", ALTER_ERR_HTTP, "BackendError"},
    };
    static char bodies[COUNT(cases)][256];
    scripted_response script[COUNT(cases)];
    for (size_t i = 0; i < COUNT(cases); i++) {
        snprintf(bodies[i], sizeof bodies[i],
                 "{\"error\":\"%s\",\"message\":\"why "
                 "%zu\",\"details\":{\"n\":%zu},\"request_id\":\"req_%zu\"}",
                 cases[i].code, i, i, i);
        script[i] = (scripted_response){
            cases[i].http, cases[i].http == 429 ? "Retry-After: 7\r\n" : NULL, bodies[i], 0};
    }
    script_program("alter_codes", script, COUNT(script));
    alter_app *app = app_for("alter_codes");
    for (size_t i = 0; i < COUNT(cases); i++) {
        alter_error err = ALTER_ERROR_INIT;
        alter_agent_info *info = NULL;
        alter_status st = alter_agents_get(app, AGENT_ID, &info, &err);
        cr_assert_eq(st, cases[i].status, "%s: got %s", cases[i].code, alter_status_name(st));
        cr_assert_null(info);
        cr_assert_eq(err.status, st);
        cr_assert_eq(err.http_status, cases[i].http);
        cr_assert_str_eq(err.code, cases[i].code);
        cr_assert_str_eq(alter_error_class(st), cases[i].sdk_class, "%s", cases[i].code);
        char want[32];
        snprintf(want, sizeof want, "why %zu", i);
        cr_assert_str_eq(err.message, want);
        snprintf(want, sizeof want, "req_%zu", i);
        cr_assert_str_eq(err.request_id, want);
        snprintf(want, sizeof want, "{\"n\":%zu}", i);
        cr_assert_str_eq(err.details_json, want);
        if (cases[i].http == 429) cr_assert_eq(err.retry_after, 7);
        alter_error_clear(&err);
    }
    alter_app_free(app);
}

CLIENT_TEST(alter, validation_errors_bodies_that_are_not_ours_and_decode_failures) {
    const scripted_response script[] = {
        {422, NULL,
         "{\"error\":\"validation_error\",\"message\":\"2 fields failed validation\","
         "\"details\":{\"fields\":[{\"field\":\"name\",\"message\":\"must match\"},"
         "{\"field\":\"scopes.google[1]\",\"message\":\"duplicates\"}]},\"request_id\":\"req_1\"}",
         0},
        {502, NULL, "<html>bad gateway</html>", 0},
        {404, NULL, ALTER_ERROR("agent_not_found"), 0},
        {404, NULL, ALTER_ERROR("not_found"), 0},
        {200, NULL, "{\"name\":\"no id\"}", 0},
        {200, NULL, "[1]", 0},
    };
    script_program("alter_shapes", script, COUNT(script));
    alter_app *app = app_for("alter_shapes");
    alter_error err = ALTER_ERROR_INIT;
    alter_agent_create_params p = {.name = "x"};
    cr_assert_eq(alter_agents_create(app, &p, NULL, &err), ALTER_ERR_VALIDATION);
    cr_assert_eq(err.field_error_count, 2);
    cr_assert_str_eq(err.field_errors[1].field, "scopes.google[1]");
    cr_assert_str_eq(err.field_errors[1].message, "duplicates");
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_ERR_INTERNAL);
    cr_assert(strstr(err.message, "bad gateway"), "%s", err.message);
    cr_assert_eq(err.http_status, 502);
    alter_agent_info *info = (alter_agent_info *)1;
    cr_assert_eq(alter_agents_get_by_name(app, "ghost", &info, &err), ALTER_OK);
    cr_assert_null(info, "absent name: NULL, not an error");
    cr_assert_eq(err.status, ALTER_OK);
    cr_assert_eq(alter_agents_get_by_name(app, "ghost", &info, &err), ALTER_ERR_HTTP,
                 "a 404 that is not agent_not_found (a wrong base URL) is an error");
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_ERR_DECODE);
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_ERR_DECODE);
    /* rejected before sending */
    alter_agent_create_params bad_meta = {.name = "x", .metadata_json = "[1]"};
    cr_assert_eq(alter_agents_create(app, &bad_meta, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    alter_agent_create_params bad_idem = {.name = "x", .idempotency_key = "a\r\nb"};
    cr_assert_eq(alter_agents_create(app, &bad_idem, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alter_agents_get(app, NULL, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alter_agents_deprecate_key(app, AGENT_ID, "", NULL, &err),
                 ALTER_ERR_INVALID_ARGUMENT);
    cJSON *log = script_requests("alter_shapes");
    cr_assert_eq(cJSON_GetArraySize(log), 6, "a rejected argument was sent anyway");
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_app_free(app);
}

CLIENT_TEST(alter, replays_deprecated_keys_and_connection_failures_are_reported) {
    const scripted_response script[] = {
        {201, "Idempotent-Replayed: true\r\n",
         "{" INFO_FIELDS ",\"api_key\":null,\"key\":" KEY_JSON "}", 0},
        {200, "X-Alter-Key-Deprecated: true\r\n", INFO_JSON, 0},
        {200, NULL, INFO_JSON, 0},
    };
    script_program("alter_flags", script, COUNT(script));
    alter_app *app = app_for("alter_flags");
    alter_error err = ALTER_ERROR_INIT;
    alter_agent_create_params p = {.name = "research-bot", .idempotency_key = "k"};
    alter_agent_create_result *r = NULL;
    cr_assert_eq(alter_agents_create(app, &p, &r, &err), ALTER_OK);
    cr_assert(r->replayed && !r->api_key);
    alter_agent_create_result_free(r);
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_OK);
    cr_assert(alter_app_last_key_deprecated(app));
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_OK);
    cr_assert(!alter_app_last_key_deprecated(app));
    alter_app_free(app);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    app = alter_app_new("alter_key_app_test", url);
    alter_app_set_max_retries(app, 0);
    cr_assert_eq(alter_agents_get(app, AGENT_ID, NULL, &err), ALTER_ERR_CONNECTION);
    cr_assert_eq(err.http_status, 0);
    cr_assert_str_eq(alter_error_class(err.status), "BackendError");
    alter_error_clear(&err);
    alter_app_free(app);
    cr_assert_null(alter_app_new("", url), "an empty key makes no app");
}

CLIENT_TEST(alter, agents_send_x_alter_caller_and_their_trace_scopes) {
    scripted_response script[6];
    for (int i = 0; i < 6; i++)
        script[i] = (scripted_response){200, NULL, INFO_JSON, 0};
    script_program("alter_trace", script, COUNT(script));
    alter_app *app = app_for("alter_trace");
    alter_agent *agent = alter_app_get_agent(app, AGENT_ID);
    cr_assert_not_null(agent);
    alter_error err = ALTER_ERROR_INIT;
    alter_agent_info *me = NULL;
    cr_assert_eq(alter_agent_me(agent, &me, &err), ALTER_OK, "%s", err.message); /* no scope */
    cr_assert_str_eq(me->name, "research-bot");
    alter_agent_info_free(me);
    alter_trace_entry outer_meta[] = {{"step", "plan"}, {"team", "qa"}};
    alter_trace outer = {.run_id = "r1",
                         .thread_id = "t1",
                         .parent_run_id = "p0",
                         .metadata = outer_meta,
                         .metadata_count = 2};
    alter_trace_entry inner_meta[] = {{"Step", "act"}, {"team", ALTER_TRACE_CLEAR}, {"new", "n"}};
    alter_trace inner = {.run_id = "r2",
                         .parent_run_id = ALTER_TRACE_CLEAR,
                         .metadata = inner_meta,
                         .metadata_count = 3};
    cr_assert_eq(alter_trace_begin(agent, &outer), ALTER_OK);
    cr_assert_eq(alter_agent_me(agent, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_trace_begin(agent, &inner), ALTER_OK);
    cr_assert_eq(alter_agent_me(agent, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_trace_end(agent), ALTER_OK);
    cr_assert_eq(alter_agent_me(agent, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_trace_end(agent), ALTER_OK);
    cr_assert_eq(alter_agent_me(agent, NULL, &err), ALTER_OK);
    cr_assert_eq(alter_trace_end(agent), ALTER_ERR_INVALID_ARGUMENT);
    cr_assert_eq(alter_trace_begin(agent, &outer), ALTER_OK); /* left open: freed with the agent */
    alter_agent *by_key = alter_agent_new(PLAINTEXT, script_base_url("alter_trace"));
    alter_agent_set_max_retries(by_key, 0);
    cr_assert_eq(alter_agent_me(by_key, NULL, &err), ALTER_OK);

    cJSON *log = script_requests("alter_trace");
    cr_assert_eq(cJSON_GetArraySize(log), 6);
    struct {
        const char *run, *thread, *parent, *step_key, *step, *team, *new_value;
    } want[] = {
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL},
        {"r1", "t1", "p0", "step", "plan", "qa", NULL},
        {"r2", "t1", NULL, "Step", "act", NULL, "n"},
        {"r1", "t1", "p0", "step", "plan", "qa", NULL},
        {NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    };
    for (int i = 0; i < 5; i++) {
        const cJSON *request = cJSON_GetArrayItem(log, i);
        cr_assert_str_eq(request_member(request, "path"), "/sdk/agents/me");
        cr_assert_str_eq(request_header(request, "X-Alter-Caller"), AGENT_ID);
        cr_assert_str_eq(request_header(request, "x-api-key"), "alter_key_app_test");
        const char *got[] = {request_header(request, "X-Alter-Run-Id"),
                             request_header(request, "X-Alter-Thread-Id"),
                             request_header(request, "X-Alter-Parent-Run-Id"),
                             request_header(request, "X-Alter-Trace-team"),
                             request_header(request, "X-Alter-Trace-new")};
        const char *expect[] = {want[i].run, want[i].thread, want[i].parent, want[i].team,
                                want[i].new_value};
        for (int f = 0; f < 5; f++) {
            if (expect[f])
                cr_assert(got[f] && !strcmp(got[f], expect[f]), "request %d field %d: %s", i, f,
                          got[f]);
            else
                cr_assert_null(got[f], "request %d field %d: %s", i, f, got[f]);
        }
        const char *step = request_header(request, "X-Alter-Trace-step"); /* case-insensitive */
        if (want[i].step)
            cr_assert(step && !strcmp(step, want[i].step), "request %d step %s", i, step);
        else
            cr_assert_null(step);
    }
    const cJSON *last = cJSON_GetArrayItem(log, 5);
    cr_assert_str_eq(request_header(last, "x-api-key"), PLAINTEXT);
    cr_assert_null(request_header(last, "X-Alter-Caller"));
    cJSON_Delete(log);
    alter_error_clear(&err);
    alter_agent_free(by_key);
    alter_agent_free(agent);
    alter_app_free(app);
}

/* Rows as the server would send them, with real hashes over canonical JSON. */
static void make_chain(alter_audit_row *rows, size_t n) {
    char prev[72] = "";
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        char id[32];
        snprintf(id, sizeof id, "audit_%zu", i);
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "action", i ? "agent.me" : "agent.created");
        cJSON_AddNumberToObject(o, "status_code", 200);
        cJSON_AddItemToObject(o, "trace", cJSON_Parse("{\"b\":\"2\",\"a\":\"1\"}"));
        cJSON_AddStringToObject(o, "future_field", "hashed too");
        if (i)
            cJSON_AddStringToObject(o, "previous_hash", prev);
        else
            cJSON_AddNullToObject(o, "previous_hash");
        char hash[72];
        cr_assert_eq(canonical_sha256(o, hash), 0);
        cJSON_AddStringToObject(o, "hash", hash);
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].id = strdup(id);
        rows[i].previous_hash = i ? strdup(prev) : NULL;
        rows[i].hash = strdup(hash);
        rows[i].row_json = cJSON_PrintUnformatted(o);
        snprintf(prev, sizeof prev, "%s", hash);
        cJSON_Delete(o);
    }
}

static void free_rows(alter_audit_row *rows, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(rows[i].id);
        free(rows[i].previous_hash);
        free(rows[i].hash);
        free(rows[i].row_json);
    }
}

CLIENT_TEST(alter, local_chain_check_catches_every_kind_of_tampering) {
    alter_audit_row rows[4];
    size_t broken = 99;
    cr_assert_eq(alter_audit_chain_verify(NULL, 0, &broken), 1, "an empty chain is valid");
    make_chain(rows, 4);
    cr_assert_eq(alter_audit_chain_verify(rows, 4, &broken), 1);
    /* a field changed (even one the client does not model) */
    char *saved = rows[2].row_json;
    char *edited = strdup(saved);
    memcpy(strstr(edited, "hashed too"), "HASHED TOO", 10);
    rows[2].row_json = edited;
    cr_assert_eq(alter_audit_chain_verify(rows, 4, &broken), 0);
    cr_assert_eq(broken, 2);
    rows[2].row_json = saved;
    free(edited);
    /* a link that does not match */
    char *link = rows[3].previous_hash;
    rows[3].previous_hash = rows[1].hash;
    cr_assert_eq(alter_audit_chain_verify(rows, 4, &broken), 0);
    cr_assert_eq(broken, 3);
    rows[3].previous_hash = link;
    /* a chain that does not start at the start */
    cr_assert_eq(alter_audit_chain_verify(rows + 1, 3, &broken), 0);
    cr_assert_eq(broken, 0);
    /* a row that is not JSON */
    saved = rows[0].row_json;
    rows[0].row_json = "not json";
    cr_assert_eq(alter_audit_chain_verify(rows, 4, &broken), 0);
    cr_assert_eq(broken, 0);
    rows[0].row_json = saved;
    free_rows(rows, 4);
}

CLIENT_TEST(alter, a_chain_whose_oldest_rows_were_dropped_verifies_from_its_anchor) {
    alter_audit_row rows[5];
    make_chain(rows, 5);
    size_t broken = 99;
    /* rows 0 and 1 dropped: the rest link to row 1's hash */
    cr_assert_eq(alter_audit_chain_verify_from(rows + 2, 3, rows[1].hash, &broken), 1);
    cr_assert_eq(alter_audit_chain_verify_from(rows + 2, 3, rows[0].hash, &broken), 0,
                 "another anchor is refused");
    cr_assert_eq(broken, 0);
    cr_assert_eq(alter_audit_chain_verify_from(rows + 2, 3, NULL, &broken), 0);
    cr_assert_eq(alter_audit_chain_verify_from(rows, 5, NULL, &broken), 1, "NULL: starts at null");
    char *saved = rows[3].row_json, *edited = strdup(saved);
    memcpy(strstr(edited, "hashed too"), "HASHED TOO", 10);
    rows[3].row_json = edited;
    cr_assert_eq(alter_audit_chain_verify_from(rows + 2, 3, rows[1].hash, &broken), 0);
    cr_assert_eq(broken, 1, "tampering after the anchor is found");
    rows[3].row_json = saved;
    free(edited);
    free_rows(rows, 5);
}

CLIENT_TEST(alter, get_chain_from_returns_the_anchor_of_the_first_page) {
    alter_audit_row made[4];
    make_chain(made, 4);
    static char page1[4096], page2[4096];
    snprintf(page1, sizeof page1,
             "{\"rows\":[%s],\"next_cursor\":\"audit_2\",\"anchor_hash\":\"%s\",\"dropped\":2}",
             made[2].row_json, made[1].hash);
    /* a later page may name a later anchor (rows were dropped meanwhile): the first one counts */
    snprintf(page2, sizeof page2,
             "{\"rows\":[%s],\"next_cursor\":null,\"anchor_hash\":\"%s\",\"dropped\":3}",
             made[3].row_json, made[2].hash);
    const scripted_response script[] = {{200, NULL, page1, 0}, {200, NULL, page2, 0}};
    script_program("alter_anchor", script, COUNT(script));
    alter_app *app = app_for("alter_anchor");
    alter_error err = ALTER_ERROR_INIT;
    alter_audit_row *rows = NULL;
    size_t n = 0;
    char *anchor = NULL;
    cr_assert_eq(alter_audit_get_chain_from(app, &rows, &n, &anchor, &err), ALTER_OK, "%s",
                 err.message);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(anchor, made[1].hash);
    cr_assert_eq(alter_audit_chain_verify_from(rows, n, anchor, NULL), 1);
    alter_audit_rows_free(rows, n);
    free(anchor);
    free_rows(made, 4);
    alter_app_free(app);
}

CLIENT_TEST(alter, get_chain_follows_the_cursor) {
    alter_audit_row made[3];
    make_chain(made, 3);
    static char page1[4096], page2[4096];
    snprintf(page1, sizeof page1, "{\"rows\":[%s,%s],\"next_cursor\":\"audit_1\"}",
             made[0].row_json, made[1].row_json);
    snprintf(page2, sizeof page2, "{\"rows\":[%s],\"next_cursor\":null}", made[2].row_json);
    const scripted_response script[] = {{200, NULL, page1, 0}, {200, NULL, page2, 0}};
    script_program("alter_chain", script, COUNT(script));
    alter_app *app = app_for("alter_chain");
    alter_error err = ALTER_ERROR_INIT;
    alter_audit_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(alter_audit_get_chain(app, &rows, &n, &err), ALTER_OK, "%s", err.message);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[2].id, "audit_2");
    cr_assert_str_eq(rows[1].action, "agent.me");
    cr_assert_eq(rows[1].status_code, 200);
    cr_assert_str_eq(rows[1].trace_json, "{\"b\":\"2\",\"a\":\"1\"}");
    cr_assert_eq(alter_audit_chain_verify(rows, n, NULL), 1);
    cJSON *log = script_requests("alter_chain");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "query"), "limit=1000");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 1), "query"), "after=audit_1&limit=1000");
    cJSON_Delete(log);
    alter_audit_rows_free(rows, n);
    free_rows(made, 3);
    alter_app_free(app);
}
