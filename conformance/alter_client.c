/* The reference Alter client (client/include/alter.h) end to end against the target: every
 * call of its route table, typed errors, trace scopes reaching the audit log, and the audit
 * chain verified here without trusting the server. */
#include "alter_harness.h"

#include <stdlib.h>
#include <string.h>

#include "alter.h"

static struct tenant T;

static void expect_ok(alter_status st, const alter_error *err, const char *what) {
    cr_assert_eq(st, ALTER_OK, "%s: %s (HTTP %ld, %s: %s)", what, alter_status_name(st),
                 err->http_status, err->code, err->message);
}

static alter_app *app_for(struct tenant *t) {
    alter_app *app = alter_app_new(alter_key(t), alter_base_url());
    cr_assert_not_null(app);
    cr_assert_eq(alter_app_set_max_retries(app, 0), ALTER_OK); /* see every answer as is */
    return app;
}

Test(alter_client, agents_and_keys_round_trip) {
    tenant_new(&T);
    alter_app *app = app_for(&T);
    alter_error err = ALTER_ERROR_INIT;
    const char *google[] = {"gmail.readonly"};
    alter_scope_grant scopes[] = {{"google", google, 1}};
    char idem[64];
    snprintf(idem, sizeof idem, "client-%s", T.tag);
    alter_agent_create_params p = {.name = alter_name(&T, "client"),
                                   .display_name = "Client",
                                   .type = "service",
                                   .scopes = scopes,
                                   .scope_count = 1,
                                   .metadata_json = "{\"team\": \"qa\"}",
                                   .policy_json = "{\"rate_limit_rpm\": 30}",
                                   .idempotency_key = idem};
    alter_agent_create_result *created = NULL;
    expect_ok(alter_agents_create(app, &p, &created, &err), &err, "create");
    cr_assert(is_uuid_v4(created->agent.id) && is_agent_key(created->api_key) &&
              !created->replayed);
    cr_assert_str_eq(created->agent.type, "service");
    cr_assert_eq(created->agent.scope_count, 1);
    cr_assert_str_eq(created->agent.scopes[0].provider, "google");
    cr_assert_str_eq(created->agent.scopes[0].scopes[0], "gmail.readonly");
    cr_assert_str_eq(created->agent.metadata_json, "{\"team\":\"qa\"}");
    cr_assert_not_null(created->key);
    cr_assert_str_eq(created->key->status, "active");
    /* the same call again is a replay: same agent, no plaintext */
    alter_agent_create_result *replay = NULL;
    expect_ok(alter_agents_create(app, &p, &replay, &err), &err, "create replay");
    cr_assert(replay->replayed && !replay->api_key);
    cr_assert_str_eq(replay->agent.id, created->agent.id);
    alter_agent_create_result_free(replay);
    /* get, get_by_name (and NULL when absent), list */
    alter_agent_info *info = NULL;
    expect_ok(alter_agents_get(app, created->agent.id, &info, &err), &err, "get");
    cr_assert_str_eq(info->display_name, "Client");
    alter_agent_info_free(info);
    expect_ok(alter_agents_get_by_name(app, created->agent.name, &info, &err), &err, "get_by_name");
    cr_assert_str_eq(info->id, created->agent.id);
    alter_agent_info_free(info);
    info = (alter_agent_info *)1;
    expect_ok(alter_agents_get_by_name(app, "nobody-by-this-name", &info, &err), &err, "absent");
    cr_assert_null(info, "get_by_name of an absent name is NULL");
    if (target_is_mock()) {
        alter_agent_list *list = NULL;
        alter_agent_list_params lp = {.limit = 10};
        expect_ok(alter_agents_list(app, &lp, &list, &err), &err, "list");
        cr_assert(list->count == 1 && list->total == 1 && !list->has_more && list->limit == 10);
        cr_assert_str_eq(list->items[0].id, created->agent.id);
        alter_agent_list_free(list);
    }
    /* update: adding scopes works, narrowing is a typed error */
    const char *more[] = {"gmail.readonly", "gmail.send"};
    alter_scope_grant wider[] = {{"google", more, 2}};
    alter_agent_update_params up = {.clear_display_name = true, .scopes = wider, .scope_count = 1};
    expect_ok(alter_agents_update(app, created->agent.id, &up, &info, &err), &err, "update");
    cr_assert_null(info->display_name);
    cr_assert_eq(info->scopes[0].scope_count, 2);
    alter_agent_info_free(info);
    alter_agent_update_params narrow = {.scopes = scopes, .scope_count = 0};
    cr_assert_eq(alter_agents_update(app, created->agent.id, &narrow, NULL, &err),
                 ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED);
    cr_assert_str_eq(alter_error_class(err.status), "AgentScopeNarrowingNotSupportedError");
    cr_assert_eq(err.http_status, 409);
    /* the key lifecycle */
    alter_key_mint_result *minted = NULL;
    expect_ok(alter_agents_mint_key(app, created->agent.id, "second", &minted, &err), &err, "mint");
    cr_assert(is_agent_key(minted->api_key));
    cr_assert_str_eq(minted->key.name, "second");
    alter_key_list *keys = NULL;
    expect_ok(alter_agents_list_keys(app, created->agent.id, &keys, &err), &err, "list_keys");
    cr_assert_eq(keys->count, 2);
    cr_assert_str_eq(keys->items[1].key_id, minted->key.key_id);
    alter_key_list_free(keys);
    alter_agent_key *k = NULL;
    expect_ok(alter_agents_deprecate_key(app, created->agent.id, created->key->key_id, &k, &err),
              &err, "deprecate");
    cr_assert_str_eq(k->status, "deprecated");
    alter_agent_key_free(k);
    alter_agent *old = alter_agent_new(created->api_key, alter_base_url());
    alter_agent_set_max_retries(old, 0);
    expect_ok(alter_agent_me(old, &info, &err), &err, "me with the deprecated key");
    cr_assert(alter_agent_last_key_deprecated(old), "the deprecated flag did not reach the client");
    alter_agent_info_free(info);
    expect_ok(alter_agents_undeprecate_key(app, created->agent.id, created->key->key_id, &k, &err),
              &err, "undeprecate");
    cr_assert_str_eq(k->status, "active");
    alter_agent_key_free(k);
    expect_ok(
        alter_agents_revoke_key(app, created->agent.id, created->key->key_id, false, &k, &err),
        &err, "revoke");
    cr_assert_str_eq(k->status, "revoked");
    alter_agent_key_free(k);
    cr_assert_eq(alter_agent_me(old, NULL, &err), ALTER_ERR_KEY_REVOKED);
    cr_assert_str_eq(alter_error_class(err.status), "KeyRevokedError");
    cr_assert_eq(
        alter_agents_revoke_key(app, created->agent.id, minted->key.key_id, false, NULL, &err),
        ALTER_ERR_LAST_ACTIVE_KEY);
    cr_assert_eq(
        alter_agents_revoke_key(app, created->agent.id, created->key->key_id, true, NULL, &err),
        ALTER_ERR_KEY_ALREADY_REVOKED);
    cr_assert_eq(alter_agents_deprecate_key(app, created->agent.id, "key_0000", NULL, &err),
                 ALTER_ERR_KEY_NOT_FOUND);
    /* delete */
    expect_ok(alter_agents_delete(app, created->agent.id, &info, &err), &err, "delete");
    cr_assert_str_eq(info->status, "revoked");
    cr_assert_not_null(info->revoked_at);
    alter_agent_info_free(info);
    cr_assert_eq(alter_agents_mint_key(app, created->agent.id, NULL, NULL, &err),
                 ALTER_ERR_AGENT_REVOKED);
    cr_assert_eq(alter_agents_create(app, &p, NULL, &err), ALTER_ERR_IDEMPOTENCY_KEY_AGENT_REVOKED);
    alter_agent_create_params bad = {.name = "BAD NAME"};
    cr_assert_eq(alter_agents_create(app, &bad, NULL, &err), ALTER_ERR_VALIDATION);
    cr_assert(err.field_error_count >= 1 && !strcmp(err.field_errors[0].field, "name"));
    cr_assert_eq(alter_agents_get(app, "00000000-0000-4000-8000-000000000000", NULL, &err),
                 ALTER_ERR_AGENT_NOT_FOUND);
    cr_assert(!strncmp(err.request_id, "req_", 4));
    alter_agent_free(old);
    alter_key_mint_result_free(minted);
    alter_agent_create_result_free(created);
    alter_error_clear(&err);
    alter_app_free(app);
}

Test(alter_client, agents_call_as_themselves_and_trace_scopes_reach_the_audit_log) {
    tenant_new(&T);
    alter_app *app = app_for(&T);
    alter_error err = ALTER_ERROR_INIT;
    alter_agent_create_params p = {.name = alter_name(&T, "traced")};
    alter_agent_create_result *created = NULL;
    expect_ok(alter_agents_create(app, &p, &created, &err), &err, "create");
    /* App.get_agent(id): the app key plus X-Alter-Caller */
    alter_agent *as_agent = alter_app_get_agent(app, created->agent.id);
    alter_agent_info *me = NULL;
    expect_ok(alter_agent_me(as_agent, &me, &err), &err, "get_agent().me()");
    cr_assert_str_eq(me->id, created->agent.id);
    alter_agent_info_free(me);
    cr_assert_eq(alter_agent_me((alter_agent *)NULL, NULL, &err), ALTER_ERR_INVALID_ARGUMENT);
    /* the bare app key cannot call me: emulate it with a handle without a caller */
    alter_agent *bare = alter_agent_new(alter_key(&T), alter_base_url());
    alter_agent_set_max_retries(bare, 0);
    cr_assert_eq(alter_agent_me(bare, NULL, &err), ALTER_ERR_ME_REQUIRES_AGENT_KEY);
    alter_agent_free(bare);
    /* nested scopes: the inner run wins, thread and metadata are inherited or overridden */
    char run_outer[48], run_inner[48];
    snprintf(run_outer, sizeof run_outer, "outer-%s", T.tag);
    snprintf(run_inner, sizeof run_inner, "inner-%s", T.tag);
    alter_trace_entry outer_meta[] = {{"step", "plan"}, {"team", "qa"}};
    alter_trace outer = {
        .run_id = run_outer, .thread_id = "th-1", .metadata = outer_meta, .metadata_count = 2};
    alter_trace_entry inner_meta[] = {{"STEP", "act"}, {"team", ALTER_TRACE_CLEAR}};
    alter_trace inner = {.run_id = run_inner,
                         .parent_run_id = run_outer,
                         .metadata = inner_meta,
                         .metadata_count = 2};
    alter_agent *agent = alter_agent_new(created->api_key, alter_base_url());
    alter_agent_set_max_retries(agent, 0);
    cr_assert_eq(alter_trace_begin(agent, &outer), ALTER_OK);
    expect_ok(alter_agent_me(agent, NULL, &err), &err, "me in outer");
    cr_assert_eq(alter_trace_begin(agent, &inner), ALTER_OK);
    expect_ok(alter_agent_me(agent, NULL, &err), &err, "me in inner");
    cr_assert_eq(alter_trace_end(agent), ALTER_OK);
    expect_ok(alter_agent_me(agent, NULL, &err), &err, "me in outer again");
    cr_assert_eq(alter_trace_end(agent), ALTER_OK);
    cr_assert_eq(alter_trace_end(agent), ALTER_ERR_INVALID_ARGUMENT, "no scope left to end");
    alter_trace_entry bad_key[] = {{"a.b", "x"}};
    alter_trace bad = {.metadata = bad_key, .metadata_count = 1};
    cr_assert_eq(alter_trace_begin(agent, &bad), ALTER_ERR_INVALID_ARGUMENT);
    alter_trace crlf = {.run_id = "a\r\nX-Evil: 1"};
    cr_assert_eq(alter_trace_begin(agent, &crlf), ALTER_ERR_INVALID_ARGUMENT);

    alter_audit_params q = {.agent_id = created->agent.id, .action = "agent.me", .limit = 10};
    alter_audit_page *page = NULL;
    expect_ok(alter_audit_list(app, &q, &page, &err), &err, "audit list");
    cr_assert_eq(page->count, 4, "get_agent().me() + three traced calls");
    cr_assert_null(page->rows[0].run_id);
    cr_assert_str_eq(page->rows[1].run_id, run_outer);
    cr_assert_str_eq(page->rows[1].thread_id, "th-1");
    cr_assert_null(page->rows[1].parent_run_id);
    cr_assert_str_eq(page->rows[1].trace_json, "{\"step\":\"plan\",\"team\":\"qa\"}");
    cr_assert_str_eq(page->rows[2].run_id, run_inner);
    cr_assert_str_eq(page->rows[2].thread_id, "th-1");
    cr_assert_str_eq(page->rows[2].parent_run_id, run_outer);
    cr_assert_str_eq(page->rows[2].trace_json, "{\"step\":\"act\"}"); /* keys lower-cased */
    cr_assert_str_eq(page->rows[3].run_id, run_outer);
    cr_assert_str_eq(page->rows[0].caller_type, "agent");
    cr_assert_null(page->next_cursor);
    alter_audit_page_free(page);
    alter_agent_free(agent);
    alter_agent_free(as_agent);
    alter_agent_create_result_free(created);
    alter_error_clear(&err);
    alter_app_free(app);
}

Test(alter_client, the_audit_chain_verifies_locally_and_a_tampered_row_is_caught) {
    tenant_new(&T);
    alter_app *app = app_for(&T);
    alter_error err = ALTER_ERROR_INIT;
    alter_agent_create_params p = {.name = alter_name(&T, "audited")};
    expect_ok(alter_agents_create(app, &p, NULL, &err), &err, "create");
    expect_ok(alter_agents_list(app, NULL, NULL, &err), &err, "list");
    alter_audit_row *rows = NULL;
    size_t n = 0;
    expect_ok(alter_audit_get_chain(app, &rows, &n, &err), &err, "get_chain");
    cr_assert_geq(n, 2);
    size_t broken = 99;
    cr_assert_eq(alter_audit_chain_verify(rows, n, &broken), 1,
                 "the chain does not verify (row %zu)", broken);
    alter_audit_verification *v = NULL;
    expect_ok(alter_audit_verify(app, &v, &err), &err, "verify");
    cr_assert(v->valid && !v->broken_at && v->length >= (long long)n);
    alter_audit_verification_free(v);
    /* change one recorded field: that row no longer verifies */
    size_t last = n - 1;
    char *tampered = strdup(rows[last].row_json);
    char *at = strstr(tampered, "\"status_code\":200");
    cr_assert_not_null(at, "the list call's row: %s", tampered);
    at[strlen("\"status_code\":")] = '5';
    free(rows[last].row_json);
    rows[last].row_json = tampered;
    cr_assert_eq(alter_audit_chain_verify(rows, n, &broken), 0);
    cr_assert_eq(broken, last);
    alter_audit_rows_free(rows, n);
    alter_error_clear(&err);
    alter_app_free(app);
}
