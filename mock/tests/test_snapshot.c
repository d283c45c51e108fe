/* Snapshot export → import in process: the store comes back with the same records, every
 * index rebuilt, and an inconsistent snapshot changes nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alsorn/agents.h"
#include "alsorn/disputes.h"
#include "alsorn/transactions.h"
#include "alter/agents.h"
#include "alter/app.h"
#include "alter/approval.h"
#include "alter/grant.h"
#include "core/clock.h"
#include "sandbox/provision.h"
#include "sandbox/snapshot.h"
#include "store/store.h"
#include "tenant_parts.h"

static int append(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static char *export_all(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(snapshot_export(append, f), 0);
    fclose(f);
    return text;
}

static int import_all(const char *text, char *err, size_t err_size) {
    struct snapshot_loader *l = snapshot_loader_new();
    int rc = 0;
    for (const char *p = text; *p && rc == 0;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        rc = snapshot_loader_line(l, p, n, err, err_size);
        p += n + (nl ? 1 : 0);
    }
    if (rc == 0) rc = snapshot_loader_commit(l, err, err_size);
    snapshot_loader_free(l);
    return rc;
}

/* Everything after the meta line (whose saved_at moves). */
static const char *body_of(const char *state) {
    return strchr(state, '\n');
}

static struct agent *new_agent(struct tenant *t, const char *name, const char *limit) {
    char json[256];
    snprintf(json, sizeof json,
             "{\"name\":\"%s\",\"authorized_actions\":[\"pay\"],\"spending_limit\":%s,"
             "\"description\":\"d\"}",
             name, limit);
    cJSON *body = cJSON_Parse(json);
    struct field_errors fe = {0};
    struct agent *a = NULL;
    cr_assert_eq(alsorn_agent_create(t, body, t->user_id, clock_now(), &fe, &a), CREATE_OK);
    cJSON_Delete(body);
    return a;
}

static struct transaction *pay(struct tenant *t, struct agent *a, struct agent *b, int64_t cents,
                               enum tx_outcome expected) {
    struct tx_request req = {
        .agent_id = a->id, .counterparty_id = b->id, .action_type = "pay", .amount = cents};
    struct field_errors fe = {0};
    struct tx_result res;
    cr_assert_eq(transaction_execute(t, &req, clock_now(), &fe, &res), expected);
    return res.tx;
}

/* A dispute as POST /trust/report files it, then upheld as the sandbox resolves it. */
static void file_and_uphold(struct tenant *t, struct agent *reported, struct agent *reporter,
                            struct transaction *tx) {
    struct dispute *d = calloc(1, sizeof *d);
    snprintf(d->id, sizeof d->id, "dsp_unit000000000001");
    d->agent = reported;
    d->reported_by = reporter;
    d->transaction = tx;
    d->evidence[d->n_evidence++] = tx;
    d->reason = strdup("Goods never arrived");
    d->evidence_text = strdup("receipt #1");
    d->created_at = clock_now();
    dispute_set_add(&t->disputes, d);
    reported->trust.disputes_pending++;
    trust_evaluate(t, reported, clock_now(), TRUST_REASON_DISPUTE_FILED);
    cr_assert(dispute_resolve(t, d, true, t->user_id, clock_now()));
}

/* An endpoint with one logged failed attempt and one event waiting. */
static void add_webhook(struct tenant *t) {
    struct webhook *w = calloc(1, sizeof *w);
    snprintf(w->id, sizeof w->id, "wh_unit000000000001");
    w->url = strdup("http://127.0.0.1:9/hook");
    const char *events[] = {"transaction.completed", "agent.registered"};
    cr_assert_eq(webhook_set_events(w, events, 2), 0);
    snprintf(w->secret, sizeof w->secret, "whsec_0123456789abcdef0123456789abcdef");
    w->active = true;
    w->consecutive_failures = 1;
    w->created_at = w->updated_at = clock_now();
    cr_assert_eq(webhook_set_add(&t->webhooks, w), 0);
    const char *body = "{\"id\":\"evt_unit1\",\"event\":\"agent.registered\",\"data\":{\"x\":1.5}}";
    struct webhook_event *e =
        webhook_event_new("evt_unit1", "agent.registered", strdup(body), strlen(body));
    cr_assert_eq(webhook_enqueue(w, e), 0);
    webhook_event_release(e);
    w->head_attempts = 1;
    struct delivery_record rec = {.attempt = 1,
                                  .status_code = 503,
                                  .error = strdup("HTTP 503"),
                                  .duration_ms = 12,
                                  .delivered_at = clock_now(),
                                  .next_retry_at = clock_now() + 5};
    snprintf(rec.delivery_id, sizeof rec.delivery_id, "00000000-0000-4000-8000-000000000001");
    snprintf(rec.event_id, sizeof rec.event_id, "evt_unit1");
    snprintf(rec.event, sizeof rec.event, "agent.registered");
    delivery_log_append(&w->log, &rec);
}

static struct alter_audit_row *audit_row(const char *agent_id, const char *action) {
    static int n;
    struct alter_audit_row *r = calloc(1, sizeof *r);
    snprintf(r->id, sizeof r->id, "audit_unit%04d", n++);
    r->created_at = clock_now();
    snprintf(r->action, sizeof r->action, "%s", action);
    r->status_code = 200;
    snprintf(r->caller_key_prefix, sizeof r->caller_key_prefix, "alter_key_app_ab");
    snprintf(r->agent_id, sizeof r->agent_id, "%s", agent_id);
    r->run_id = strdup("run-1");
    r->trace = cJSON_Parse("{\"step\":\"2\"}");
    r->method = strdup("GET");
    r->path = strdup("/sdk/agents");
    snprintf(r->request_id, sizeof r->request_id, "req_unit%d", n);
    return r;
}

/* A grant delegated to agent, and a pending approval of a proxy call with a body on it. */
static struct alter_approval *add_vault(struct tenant *t, const struct alter_agent *agent) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"provider_id\": \"github\", \"account_identifier\": \"octo\", \"scopes\": "
             "[\"repo\"], \"principal_type\": \"user\", \"delegated_agent_ids\": [\"%s\"], "
             "\"upstream_token\": \"ghp_unit_secret\"}",
             agent->id);
    cJSON *body = cJSON_Parse(json);
    struct field_errors fe = {0};
    struct alter_grant *g = NULL;
    cr_assert_eq(alter_grant_add(t, body, clock_now(), &fe, &g), ALTER_GRANT_OK);
    cJSON_Delete(body);
    struct proxy_call call = {.url = strdup("http://127.0.0.1:9/repos"),
                              .headers = cJSON_Parse("{\"X-Trace\": \"1\"}"),
                              .body = (unsigned char *)strdup("hello"),
                              .body_len = 5,
                              .timeout_ms = 1000};
    snprintf(call.method, sizeof call.method, "POST");
    snprintf(call.host, sizeof call.host, "127.0.0.1");
    struct alter_approval *a = alter_approval_create(t, g->id, agent->id, &call,
                                                     audit_row(agent->id, "proxy.request"),
                                                     "http://127.0.0.1:4010/approvals", clock_now());
    cr_assert_not_null(a);
    return a;
}

struct fixture {
    struct org_spec spec;
    char org_id[ID_LEN], tx_reversed[ID_LEN], tx_failed[ID_LEN], agent_a[ID_LEN];
    char alter_agent_key[ALTER_KEY_MAX], alter_agent_id[UUID_LEN], approval_id[UUID_LEN];
};

/* One org holding something of every kind the store keeps. */
static void build(struct fixture *f) {
    store_init(&tenant_parts);
    f->spec = (struct org_spec){.name = "Round Trip", .plan = PLAN_GROWTH, .max_agents = -1};
    struct tenant *t = provision_org(&f->spec);
    cr_assert_not_null(t);
    snprintf(f->org_id, sizeof f->org_id, "%s", t->id);
    tenant_lock(t);
    struct agent *a = new_agent(t, "Agent One", "99.95"), *b = new_agent(t, "Agent Two", "50");
    new_agent(t, "Agent Three", "1");
    snprintf(f->agent_a, sizeof f->agent_a, "%s", a->id);
    struct transaction *kept = pay(t, a, b, 1000, TX_OK);
    struct transaction *reversed = pay(t, a, b, 2000, TX_OK);
    struct transaction *failed = pay(t, b, a, 999900, TX_REFUSED); /* over b's limit */
    snprintf(f->tx_reversed, sizeof f->tx_reversed, "%s", reversed->id);
    snprintf(f->tx_failed, sizeof f->tx_failed, "%s", failed->id);
    struct tx_result res;
    cr_assert_eq(transaction_reverse(t, reversed, "duplicate charge", clock_now(), &res), TX_OK);
    file_and_uphold(t, b, a, kept);
    t->webhook_settings.max_attempts = 3;
    snprintf(t->webhook_settings.forward_to, sizeof t->webhook_settings.forward_to,
             "http://127.0.0.1:4242/hook");
    add_webhook(t);

    cJSON *body = cJSON_Parse("{\"name\":\"planner\",\"metadata\":{\"team\":\"ops\"}}");
    struct field_errors fe = {0};
    struct alter_agent *aa = NULL, *gone = NULL;
    char key[ALTER_KEY_MAX], spare[ALTER_KEY_MAX];
    cr_assert_eq(alter_agent_add(t, body, NULL, NULL, clock_now(), &fe, &aa, key), ALTER_CREATE_OK);
    snprintf(f->alter_agent_key, sizeof f->alter_agent_key, "%s", key);
    snprintf(f->alter_agent_id, sizeof f->alter_agent_id, "%s", aa->id);
    struct alter_key *second = alter_key_issue(t, aa, NULL, "rotation", 0, clock_now(), spare);
    alter_key_set_status(second, ALTER_KEY_DEPRECATED, clock_now());
    cJSON_Delete(body);
    body = cJSON_Parse("{\"name\":\"retired\"}");
    cr_assert_eq(alter_agent_add(t, body, NULL, NULL, clock_now(), &fe, &gone, spare),
                 ALTER_CREATE_OK);
    alter_app_revoke_agent(t->alter, gone, clock_now());
    cJSON_Delete(body);
    cr_assert_eq(
        idempotency_put(&t->alter->idempotency, "idem-1", "sha256:00", aa->id, clock_now()), 0);
    cr_assert_eq(alter_audit_log_append(&t->alter->audit, audit_row(aa->id, "agent.registered")),
                 0);
    cr_assert_eq(alter_audit_log_append(&t->alter->audit, audit_row("", "agent.listed")), 0);
    snprintf(f->approval_id, sizeof f->approval_id, "%s", add_vault(t, aa)->id);
    tenant_unlock(t);
    tenant_release(t);
}

Test(snapshot, round_trip_restores_every_kind_of_state_identically) {
    struct fixture f;
    build(&f);
    char *first = export_all();
    /* a restore must bring the pepper back, or no Alter key could be found */
    cr_assert_eq(alter_key_pepper_set_hex(
                     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
                 0);
    char err[512] = "";
    cr_assert_eq(import_all(first, err, sizeof err), 0, "%s", err);
    char *second = export_all();
    cr_assert_str_eq(body_of(second), body_of(first), "export → import → export is identical");

    struct caller c = {0};
    cr_assert_eq(store_key_lookup(f.spec.keys[KEY_WRITE], &c), KEY_FOUND);
    cr_assert_str_eq(c.tenant->id, f.org_id);
    tenant_release(c.tenant);
    struct tenant *t = store_agent_owner(f.agent_a);
    cr_assert_not_null(t, "the agent directory is rebuilt");
    tenant_lock(t);
    struct agent *a = agent_set_find(&t->agents, f.agent_a);
    cr_assert_eq(a->spending_limit, 9995);
    cr_assert_eq(a->transactions.n, 4, "both transfers, the refused one and the reversal");
    struct audit_check check;
    audit_chain_verify(&a->audit, a->id, &check);
    cr_assert(check.valid);
    struct transaction *rev = transaction_set_find(&t->transactions, f.tx_reversed);
    cr_assert_eq(rev->status, TX_REVERSED);
    cr_assert_not_null(rev->reversal, "the transfer's link to its reversal is rebuilt");
    cr_assert_eq(rev->reversal->original, rev);
    cr_assert_str_eq(transaction_set_find(&t->transactions, f.tx_failed)->error_code,
                     "SPENDING_LIMIT_EXCEEDED");
    cr_assert_eq(transaction_set_count(&t->transactions, TX_FAILED), 1);
    cr_assert_eq(transaction_set_count(&t->transactions, TX_REVERSED), 2);
    struct webhook *w = webhook_set_find(&t->webhooks, "wh_unit000000000001");
    cr_assert_eq(w->n_pending, 1, "the waiting event survives");
    cr_assert_str_eq(w->secret, "whsec_0123456789abcdef0123456789abcdef");
    cr_assert_eq(t->webhook_settings.max_attempts, 3);
    cr_assert_str_eq(t->webhook_settings.forward_to, "http://127.0.0.1:4242/hook");
    struct alter_agent *aa = alter_app_find_agent(t->alter, f.alter_agent_id);
    cr_assert_eq(aa->n_keys, 2);
    cr_assert_eq(aa->n_active, 1);
    cr_assert_null(alter_app_find_name(t->alter, "retired"), "revoked names stay free");
    cr_assert_eq(alter_app_count(t->alter, false), 1);
    cr_assert_eq(t->alter->audit.n, 2);
    struct alter_audit_filter by_run = {.run_id = "run-1"};
    size_t pos[4];
    bool more;
    cr_assert_eq(alter_audit_log_query(&t->alter->audit, &by_run, -1, 4, pos, &more), 2,
                 "the audit indexes are rebuilt");
    struct alter_approval *approval = alter_approval_find(t, f.approval_id, clock_now());
    cr_assert_eq(approval->status, ALTER_APPROVAL_PENDING);
    cr_assert_eq(approval->call.body_len, 5);
    cr_assert(memcmp(approval->call.body, "hello", 5) == 0);
    struct alter_grant *grant = alter_grant_find(&t->alter->grants, approval->grant_id);
    cr_assert_str_eq(grant->upstream_token, "ghp_unit_secret");
    struct alter_grant_filter by_agent = {.agent_id = f.alter_agent_id};
    struct alter_grant *page[2];
    size_t total = 0;
    alter_grants_page(&t->alter->grants, &by_agent, 0, 2, page, &total);
    cr_assert_eq(total, 1, "the grant indexes are rebuilt");
    tenant_unlock(t);
    tenant_release(t);

    struct alter_key *k = NULL;
    t = store_alter_key_find(f.alter_agent_key, alter_key_lookup_index, &k);
    cr_assert_not_null(t, "the agent key is found under the restored pepper");
    cr_assert(alter_key_verifier_matches(&k->verifier, f.alter_agent_key));
    tenant_release(t);
    t = store_alter_object_owner(f.approval_id);
    cr_assert_not_null(t, "approvals are found by id in the directory again");
    tenant_release(t);
    cr_assert_null(strstr(first, f.alter_agent_key), "no plaintext Alter key is saved");
    cr_assert_null(strstr(first, f.spec.keys[KEY_ADMIN]), "no plaintext Alsorn key is saved");
    free(first);
    free(second);
    store_clear();
}

/* Replaces the first occurrence of from (which must be there) in a copy of text. */
static char *edit(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    cr_assert_not_null(at, "the export holds %s", from);
    char *out = malloc(strlen(text) + strlen(to) + 1);
    sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* The line of text that contains `marker`, as [*start, *end) (its newline excluded). */
static void line_of(const char *text, const char *marker, const char **start, const char **end) {
    const char *at = strstr(text, marker);
    cr_assert_not_null(at, "the export holds %s", marker);
    for (*start = at; *start > text && (*start)[-1] != '\n';)
        (*start)--;
    *end = strchr(at, '\n');
}

static char *without_line(const char *text, const char *marker) {
    const char *start, *end;
    line_of(text, marker, &start, &end);
    char *out = malloc(strlen(text) + 1);
    sprintf(out, "%.*s%s", (int)(start - text), text, end + 1);
    return out;
}

/* text with the line holding marker appended once more at the end. */
static char *with_line_again(const char *text, const char *marker) {
    const char *start, *end;
    line_of(text, marker, &start, &end);
    char *out = malloc(strlen(text) + (size_t)(end - start) + 2);
    sprintf(out, "%s%.*s\n", text, (int)(end - start), start);
    return out;
}

/* An export with `from` changed to `to` is refused with a reason naming `why`, and the
 * store is as it was. */
static void expect_refused(const char *state, const char *from, const char *to, const char *why) {
    char *bad = edit(state, from, to);
    char err[512] = "";
    cr_assert_eq(import_all(bad, err, sizeof err), -1, "accepted: %s -> %s", from, to);
    cr_assert_not_null(strstr(err, why), "reason for %s -> %s: %s", from, to, err);
    char *after = export_all();
    cr_assert_str_eq(body_of(after), body_of(state), "a refused import changed the store");
    free(after);
    free(bad);
}

Test(snapshot, inconsistent_records_are_refused_and_change_nothing) {
    struct fixture f;
    build(&f);
    char *state = export_all();
    char from[128], to[128];
    /* a transaction naming an agent that is not there */
    snprintf(from, sizeof from, "\"counterparty_id\":\"%s\",\"amount_cents\"", f.agent_a);
    expect_refused(state, from, "\"counterparty_id\":\"agent_nowhere\",\"amount_cents\"",
                   "names no agent");
    /* an audit_index outside the initiator's chain (its audit_hash would read past it) */
    expect_refused(state, "\"audit_index\":", "\"audit_index\":1000,\"was\":", "audit_index");
    /* an amount edited by hand: the chain entry the record points at disagrees */
    expect_refused(state, "\"amount_cents\":1000,", "\"amount_cents\":1,",
                   "does not match its entry");
    /* a duplicate transaction id */
    snprintf(from, sizeof from, "\"id\":\"%s\"", f.tx_failed);
    snprintf(to, sizeof to, "\"id\":\"%s\"", f.tx_reversed);
    expect_refused(state, from, to, "duplicate id");
    expect_refused(state, "\"transaction_type\":\"reversal\"", "\"transaction_type\":\"transfer\"",
                   "transfer names no original_id");
    expect_refused(state, "\"reversal_reason\":null,\"error_code\":\"SPENDING_LIMIT_EXCEEDED\"",
                   "\"reversal_reason\":null,\"error_code\":\"MADE_UP\"", "error_code");
    expect_refused(state, "\"reason\":\"Transaction completed\"", "\"reason\":\"Because\"",
                   "history reason");
    expect_refused(state, "\"id\":\"dsp_unit000000000001\",\"agent_id\":\"",
                   "\"id\":\"dsp_unit000000000001\",\"agent_id\":\"agent_nowhere\",\"was\":\"",
                   "names no agent");
    /* an agent's chain, an Alter audit row, an Alter key naming no agent */
    expect_refused(state, "\"action\":\"agent.registered\"", "\"action\":\"agent.forged\"",
                   "audit chain does not verify");
    expect_refused(state, "\"action\":\"agent.listed\"", "\"action\":\"agent.deleted\"",
                   "chain is broken");
    snprintf(from, sizeof from, "\"agent_id\":\"%s\",\"prefix\"", f.alter_agent_id);
    expect_refused(state, from, "\"agent_id\":\"nobody\",\"prefix\"", "agent_id names no agent");
    expect_refused(state, "\"webhook_id\":\"wh_unit000000000001\"", "\"webhook_id\":\"wh_other\"",
                   "no such endpoint");
    snprintf(from, sizeof from, "\"delegated_agent_ids\":[\"%s\"]", f.alter_agent_id);
    expect_refused(state, from, "\"delegated_agent_ids\":[\"nobody\"]",
                   "names an agent the app does not have");
    char *no_grant = without_line(state, "\"type\":\"alter_grant\"");
    char err0[512] = "";
    cr_assert_eq(import_all(no_grant, err0, sizeof err0), -1, "an approval without its grant");
    cr_assert_not_null(strstr(err0, "names a grant or agent"), "%s", err0);
    free(no_grant);
    expect_refused(state, "\"forward_to\":\"http://127.0.0.1:4242/hook\"", "\"forward_to\":42",
                   "bad webhook_settings");
    expect_refused(state, "\"alter_key_pepper\":\"", "\"alter_key_pepper\":\"zz",
                   "alter_key_pepper");
    expect_refused(state, "\"version\":3", "\"version\":1", "the first record must be");
    /* a reversed transfer whose reversal record is missing: found once every record is in */
    char *no_reversal = without_line(state, "\"transaction_type\":\"reversal\"");
    char err[512] = "";
    cr_assert_eq(import_all(no_reversal, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "no reversal record names it"), "%s", err);
    free(no_reversal);
    /* the same org twice; the same agent twice */
    char *twice = with_line_again(state, "{\"type\":\"org\"");
    cr_assert_eq(import_all(twice, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "appears twice"), "%s", err);
    free(twice);
    twice = with_line_again(state, "{\"type\":\"agent\"");
    cr_assert_eq(import_all(twice, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "duplicate id"), "%s", err);
    free(twice);
    free(state);
    store_clear();
}

/* state with fn applied to every agent record (parsed, changed in place, printed again). */
static char *with_agent_records(const char *state, void (*fn)(cJSON *rec)) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (const char *p = state; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        cJSON *rec = cJSON_ParseWithLength(p, n);
        cr_assert_not_null(rec);
        if (strcmp(cJSON_GetObjectItem(rec, "type")->valuestring, "agent") == 0) {
            fn(rec);
            char *text = cJSON_PrintUnformatted(rec);
            fprintf(f, "%s\n", text);
            free(text);
        } else {
            fprintf(f, "%.*s\n", (int)n, p);
        }
        cJSON_Delete(rec);
        p += n + (nl ? 1 : 0);
    }
    fclose(f);
    return out;
}

/* As version 2 saved an agent: every entry whole, those recording a transaction included
 * (their fields read from the live store, which the state was exported from). */
static void whole_entries(cJSON *rec) {
    struct tenant *t = store_tenant_get(cJSON_GetObjectItem(rec, "org_id")->valuestring);
    tenant_lock(t);
    struct agent *a = agent_set_find(&t->agents, cJSON_GetObjectItem(rec, "id")->valuestring);
    cJSON *audit = cJSON_GetObjectItem(rec, "audit");
    for (int i = 0; i < cJSON_GetArraySize(audit); i++) {
        struct audit_fields fields;
        cr_assert_eq(audit_entry_fields(&a->audit.entries[i], &fields), 0);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", fields.id);
        cJSON_AddStringToObject(e, "action", fields.action);
        cJSON_AddStringToObject(e, "payload", fields.payload);
        cJSON_AddStringToObject(e, "actor_id", fields.actor_id);
        cJSON_AddNumberToObject(e, "created_at", (double)fields.created_at);
        cJSON_AddStringToObject(e, "payload_hash", fields.payload_hash);
        cJSON_ReplaceItemInArray(audit, i, e);
        audit_fields_free(&fields);
    }
    tenant_unlock(t);
    tenant_release(t);
}

Test(snapshot, a_version_2_file_with_whole_transaction_entries_still_loads) {
    struct fixture f;
    build(&f);
    char *current = export_all();
    cr_assert_not_null(strstr(current, "\"version\":3,"));
    char *whole = with_agent_records(current, whole_entries);
    char *v2 = edit(whole, "\"version\":3,", "\"version\":2,");
    cr_assert_not_null(strstr(v2, "\"action\":\"transaction.reversed\""));
    char err[512] = "";
    cr_assert_eq(import_all(v2, err, sizeof err), 0, "%s", err);
    char *again = export_all();
    cr_assert_str_eq(body_of(again), body_of(current), "a version 2 file loads the same state");
    /* a whole transaction entry is checked as version 2 checked it, then again against its
     * transaction */
    char *edited = edit(v2, "\\\"amount\\\":10,", "\\\"amount\\\":11,");
    cr_assert_eq(import_all(edited, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "audit chain does not verify"), "%s", err);
    free(edited);
    free(again);
    free(v2);
    free(whole);
    free(current);
    store_clear();
}

/* Agent Three (one entry of its own) gets an entry recording a transaction that is not there. */
static void add_unclaimed_entry(cJSON *rec) {
    if (strcmp(cJSON_GetObjectItem(rec, "name")->valuestring, "Agent Three") != 0) return;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "id", "audit_0000000000000000");
    cJSON_AddStringToObject(e, "payload_hash", "sha256:0000000000000000000000000000000000000000"
                                               "000000000000000000000000");
    cJSON_AddItemToArray(cJSON_GetObjectItem(rec, "audit"), e);
}

Test(snapshot, a_transaction_entry_must_match_its_transaction) {
    struct fixture f;
    build(&f);
    char *state = export_all();
    /* the first entry saved as id and hash: another hash no longer matches the transaction */
    const char *at = strstr(state, "\",\"payload_hash\":\"sha256:");
    cr_assert_not_null(at, "an entry recording a transaction is saved as its id and hash");
    at += strlen("\",\"payload_hash\":\"sha256:");
    char from[160], to[160];
    snprintf(from, sizeof from, "\"payload_hash\":\"sha256:%.64s\"}", at);
    snprintf(to, sizeof to, "\"payload_hash\":\"sha256:%c%.63s\"}", *at == '0' ? '1' : '0',
             at + 1);
    expect_refused(state, from, to, "does not match its entry");
    char *unclaimed = with_agent_records(state, add_unclaimed_entry);
    char err[512] = "";
    cr_assert_eq(import_all(unclaimed, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "records no transaction of the snapshot"), "%s", err);
    free(unclaimed);
    free(state);
    store_clear();
}

Test(snapshot, an_approval_running_when_saved_loads_as_interrupted) {
    struct fixture f;
    build(&f);
    struct tenant *t = store_tenant_get(f.org_id);
    tenant_lock(t);
    struct alter_approval *a = alter_approval_find(t, f.approval_id, clock_now());
    a->status = ALTER_APPROVAL_EXECUTING; /* as if approved and its call under way */
    a->decided_at = clock_now();
    tenant_unlock(t);
    tenant_release(t);
    char *state = export_all(), err[512] = "";
    cr_assert_eq(import_all(state, err, sizeof err), 0, "%s", err);
    t = store_alter_object_owner(f.approval_id);
    tenant_lock(t);
    a = alter_approval_find(t, f.approval_id, clock_now());
    cr_assert_eq(a->status, ALTER_APPROVAL_FAILED);
    cr_assert_str_eq(cJSON_GetObjectItem(a->error, "code")->valuestring, "interrupted");
    cr_assert_eq(a->executed_at, a->decided_at);
    tenant_unlock(t);
    tenant_release(t);
    free(state);
    store_clear();
}

Test(snapshot, a_bad_record_changes_nothing) {
    store_init(&tenant_parts);
    struct org_spec spec = {.name = "Stays", .plan = PLAN_STARTER, .max_agents = -1};
    tenant_release(provision_org(&spec));
    char err[256] = "";
    const char *bad = "{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":2,"
                      "\"clock_offset_seconds\":0,\"alter_key_pepper\":"
                      "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}\n"
                      "{\"type\":\"org\",\"id\":\"org_x\"}\n";
    cr_assert_eq(import_all(bad, err, sizeof err), -1);
    cr_assert_neq(err[0], '\0');
    struct caller c = {0};
    cr_assert_eq(store_key_lookup(spec.keys[KEY_ADMIN], &c), KEY_FOUND, "old state intact");
    tenant_release(c.tenant);
    store_clear();
}

static char *temp_path(void) {
    char *path = strdup("/tmp/agentmock-unit-state-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    return path;
}

/* The start-up load reads ahead in a thread, in batches: a file of many batches comes back
 * exactly, and a bad line deep in it is named by its number. */
Test(snapshot, a_saved_file_loads_back_through_the_read_ahead) {
    struct fixture f;
    build(&f);
    struct tenant *t = store_tenant_get(f.org_id);
    tenant_lock(t);
    t->max_agents = 0;
    for (int i = 0; i < 700; i++)
        new_agent(t, "Bulk Agent", "1");
    tenant_unlock(t);
    tenant_release(t);
    char *path = temp_path(), err[512] = "";
    cr_assert_eq(snapshot_save_file(path, err, sizeof err), 0, "%s", err);
    char *before = export_all();
    store_clear();
    cr_assert_eq(snapshot_load_file(path, err, sizeof err), 1, "%s", err);
    char *after = export_all();
    cr_assert_str_eq(body_of(after), body_of(before));

    /* line 600 of the file made unreadable */
    FILE *in = fopen(path, "r"), *out = fopen(path, "r+");
    char *line = NULL;
    size_t cap = 0;
    long offset = 0;
    for (int n = 1; n < 600 && getline(&line, &cap, in) > 0; n++)
        offset = ftell(in);
    fseek(out, offset, SEEK_SET);
    fputc('#', out);
    fclose(out);
    fclose(in);
    free(line);
    cr_assert_eq(snapshot_load_file(path, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "line 600: the line is not valid JSON"), "%s", err);
    char *unchanged = export_all();
    cr_assert_str_eq(body_of(unchanged), body_of(before), "a refused file changes nothing");
    unlink(path);
    free(path), free(before), free(after), free(unchanged);
    store_clear();
}
