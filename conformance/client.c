/* Client-driven checks: the reference client (client/include/alsorn.h) against the target.
 * The contract checks above talk raw HTTP; these make sure the client and the server agree
 * end to end (models decode, errors map, the audit chain verifies locally). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "alsorn.h"

static struct tenant T;

static alsorn_client *client_for(const char *key) {
    alsorn_client *c = alsorn_client_new(key, target_base_url(), 10);
    cr_assert(c, "alsorn_client_new failed");
    cr_assert_eq(alsorn_client_set_max_retries(c, 0), ALSORN_OK); /* see every answer as is */
    return c;
}

static void expect_ok(alsorn_status st, const alsorn_error *err, const char *what) {
    cr_assert_eq(st, ALSORN_OK, "%s: %s (HTTP %ld, code %s: %s)", what, alsorn_status_name(st), err->http_status,
                 err->code, err->message);
}

static alsorn_agent *client_register(alsorn_client *c, const char *base, double limit) {
    static const char *const acts[] = {"execute_trades", "read:balances"};
    alsorn_agent_params p = {.name = tname(&T, base), .authorized_actions = acts,
                             .authorized_action_count = 2, .spending_limit = limit};
    alsorn_agent *a = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    expect_ok(alsorn_agents_register(c, &p, &a, &err), &err, "register");
    alsorn_error_clear(&err);
    return a;
}

Test(client, register_and_get_round_trip) {
    tenant_new(&T);
    alsorn_client *c = client_for(tkey_min(&T, KEY_WRITE));
    alsorn_agent *a = client_register(c, "Client Made", 1234.56);
    cr_assert(has_prefix_alnum(a->id, "agent_"));
    cr_assert_eq(a->spending_limit_cents, 123456, "spending_limit_cents %lld", a->spending_limit_cents);
    cr_assert_str_eq(a->status, "active");
    cr_assert_str_eq(a->currency, "USD");
    cr_assert_eq(a->authorized_action_count, 2);
    cr_assert_not_null(a->trust_record);
    cr_assert_eq(a->trust_record->score, 500);
    cr_assert_null(a->description);
    cr_assert_null(a->suspended_at);
    alsorn_agent *g = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    expect_ok(alsorn_agents_get(c, a->id, &g, &err), &err, "get");
    cr_assert_str_eq(g->fingerprint, a->fingerprint);
    cr_assert_str_eq(g->created_at, a->created_at);
    char fp[72];
    expected_fingerprint(a->id, a->org_id, a->name, a->environment, a->created_at, fp);
    cr_assert_str_eq(a->fingerprint, fp);
    const char *rid = alsorn_client_last_request_id(c);
    cr_assert(rid && !strncmp(rid, "req_", 4), "last_request_id \"%s\"", rid ? rid : "(null)");
    alsorn_agent_free(g);
    alsorn_agent_free(a);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(client, validation_error_maps_every_field) {
    tenant_new(&T);
    alsorn_client *c = client_for(tkey_min(&T, KEY_WRITE));
    static const char *const acts[] = {"ok", "ok", "BAD"};
    alsorn_agent_params p = {.name = "x", .authorized_actions = acts, .authorized_action_count = 3,
                             .spending_limit = -5, .currency = "usd"};
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_agent *a = NULL;
    alsorn_status st = alsorn_agents_register(c, &p, &a, &err);
    cr_assert_eq(st, ALSORN_ERR_VALIDATION, "got %s", alsorn_status_name(st));
    cr_assert_null(a);
    cr_assert_eq(err.http_status, 422);
    cr_assert_str_eq(err.code, "validation_error");
    cr_assert(!strncmp(err.request_id, "req_", 4));
    const char *want[] = {"name", "authorized_actions[1]", "authorized_actions[2]", "spending_limit", "currency"};
    for (size_t w = 0; w < 5; w++) {
        bool found = false;
        for (size_t i = 0; i < err.field_error_count; i++) found |= !strcmp(err.field_errors[i].field, want[w]);
        cr_assert(found, "client field_errors lack %s", want[w]);
    }
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(client, errors_map_to_statuses) {
    tenant_new(&T);
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_client *c = client_for(tkey_min(&T, KEY_READ));
    alsorn_agent *a = NULL;
    alsorn_status st = alsorn_agents_get(c, "agent_0000000000000000", &a, &err);
    cr_assert_eq(st, ALSORN_ERR_NOT_FOUND, "unknown agent: %s", alsorn_status_name(st));
    cr_assert_str_eq(err.code, "not_found");
    alsorn_client_free(c);

    c = client_for("als_0000000000000000000000000000000000000000000000000000000000000000");
    st = alsorn_agents_get(c, "agent_0000000000000000", &a, &err);
    cr_assert_eq(st, ALSORN_ERR_AUTH, "unknown key: %s", alsorn_status_name(st));
    cr_assert_str_eq(err.code, "invalid_api_key");
    cr_assert_eq(err.http_status, 401);
    alsorn_client_free(c);

    if (T.key[KEY_READ][0]) {
        c = client_for(T.key[KEY_READ]);
        static const char *const acts[] = {"a"};
        alsorn_agent_params p = {.name = tname(&T, "Nope"), .authorized_actions = acts,
                                 .authorized_action_count = 1, .spending_limit = 5};
        st = alsorn_agents_register(c, &p, &a, &err);
        cr_assert_eq(st, ALSORN_ERR_FORBIDDEN, "read key register: %s", alsorn_status_name(st));
        cr_assert_str_eq(err.code, "forbidden");
        alsorn_client_free(c);
    }
    alsorn_error_clear(&err);
}

Test(client, lifecycle_and_audit_chain_verify_locally_and_remotely) {
    require_ext();
    tenant_new(&T);
    alsorn_client *c = client_for(tkey(&T, KEY_ADMIN));
    alsorn_agent *a = client_register(c, "Chained", 100);
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_agent *x = NULL;
    alsorn_agent_update u = {.description = "now described", .spending_limit = 99.99, .currency = "EUR"};
    expect_ok(alsorn_agents_update(c, a->id, &u, &x, &err), &err, "update");
    cr_assert_eq(x->spending_limit_cents, 9999);
    alsorn_agent_free(x);
    expect_ok(alsorn_agents_suspend(c, a->id, &x, &err), &err, "suspend");
    cr_assert_str_eq(x->status, "suspended");
    alsorn_agent_free(x);
    expect_ok(alsorn_agents_reactivate(c, a->id, &x, &err), &err, "reactivate");
    cr_assert_str_eq(x->status, "active");
    alsorn_agent_free(x);
    expect_ok(alsorn_agents_delete(c, a->id, &x, &err), &err, "delete");
    cr_assert_str_eq(x->status, "deleted");
    alsorn_agent_free(x);

    alsorn_audit_entry *entries = NULL;
    size_t n = 0;
    expect_ok(alsorn_agents_get_audit_chain(c, a->id, &entries, &n, &err), &err, "audit chain");
    cr_assert_eq(n, 7, "registered + 3 updated + suspended + reactivated + deleted, got %zu", n);
    cr_assert_str_eq(entries[0].action, "agent.registered", "client returns chain order (oldest first)");
    cr_assert_str_eq(entries[n - 1].action, "agent.deleted");
    size_t broken = 0;
    cr_assert_eq(alsorn_audit_chain_verify(entries, n, &broken), 1, "chain broken at %zu", broken);
    alsorn_audit_verification *v = NULL;
    expect_ok(alsorn_agents_verify_audit_chain_remote(c, a->id, &v, &err), &err, "audit verify");
    cr_assert(v->valid);
    cr_assert_eq(v->length, (long long)n);
    cr_assert_str_eq(v->head_hash, entries[n - 1].payload_hash);
    alsorn_audit_verification_free(v);
    alsorn_audit_entries_free(entries, n);

    alsorn_verification *pv = NULL;
    expect_ok(alsorn_agents_verify(c, a->id, a->fingerprint, &pv, &err), &err, "verify");
    cr_assert_str_eq(pv->status, "deleted");
    cr_assert(!pv->verified, "a deleted agent does not verify");
    alsorn_verification_free(pv);
    alsorn_agent_free(a);
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}

Test(client, list_pages_and_filters) {
    tenant_new(&T);
    alsorn_client *c = client_for(tkey_min(&T, KEY_WRITE));
    char ids[3][96];
    for (int i = 0; i < 3; i++) {
        alsorn_agent *a = client_register(c, fmt("Listed %d", i), 10 + i);
        snprintf(ids[i], sizeof ids[i], "%s", a->id);
        alsorn_agent_free(a);
    }
    alsorn_agent_list_params lp = {.search = T.tag, .page = 2, .limit = 2};
    alsorn_agent_list *l = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    expect_ok(alsorn_agents_list(c, &lp, &l, &err), &err, "list");
    cr_assert_eq(l->count, 1);
    cr_assert_eq(l->total, 3);
    cr_assert_eq(l->total_pages, 2);
    cr_assert_eq(l->page, 2);
    cr_assert_str_eq(l->items[0].id, ids[0], "oldest agent on the last page");
    alsorn_agent_list_free(l);
    lp = (alsorn_agent_list_params){.limit = 101};
    cr_assert_eq(alsorn_agents_list(c, &lp, &l, &err), ALSORN_ERR_VALIDATION, "limit 101 must be a 422");
    alsorn_error_clear(&err);
    alsorn_client_free(c);
}
