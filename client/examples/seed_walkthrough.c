/* The SDK documents' examples, in C, in the order the documents show them, against a local
 * agentmock: first the Alsorn Python SDK page (quick start, agents, trust, transactions,
 * webhooks, error handling), then the Alter SDK reference (agents and keys, Agent.me(),
 * Agent.trace() with agent.request(), and App.request() / App.proxy_request()).
 *
 *   ALSORN_API_KEY=als_<admin key> ALTER_API_KEY=alter_key_app_... \
 *   [ALSORN_BASE_URL=http://127.0.0.1:4010] [ALTER_BASE_URL=...] [MOCK_ADMIN_TOKEN=...] \
 *   ./seed_walkthrough
 *
 * The documents' ids ("agent_7f3k9x2m", "tx_r4s5t6u7v8", "agent_uuid", url1, g1) are
 * placeholders: each step uses the object an earlier step made.  Two departures, both because
 * an example names an object before the document creates it: trust.report() cites the
 * transaction of transactions.execute(), so it runs after the transactions section; and
 * App.get_agent().me() needs an agent, so it runs after agents.create().
 *
 * What a sandbox adds, through its /_mock/ API, so the examples work as written offline:
 *   - the webhook is registered to the document's https://example.com/webhooks/alsorn, and
 *     the organization's forward target (like `stripe listen --forward-to`) brings every
 *     delivery to a receiver this program serves on a free loopback port, where the
 *     signature is checked the way the documents' receiver does: webhooks.test() then
 *     prints 200 / True, as the document shows;
 *   - the grants g1, g2 are seeded through the sandbox, and the "provider" behind url1, url2
 *     is the same local server, answering with the credential it received.
 * Exits 0 when every example did what its document says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "alsorn.h"
#include "alter.h"

#define EXAMPLE_BASE_URL "http://127.0.0.1:4010"
#define DOC_WEBHOOK_URL  "https://example.com/webhooks/alsorn"

static int failures;

/* ---- the local receiver and provider -------------------------------------------------------- */

static char webhook_secret[64];
static int webhooks_verified, webhooks_refused;

static void answer(struct mg_connection *conn, int status, const char *body) {
    mg_printf(conn,
              "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n%s",
              status, strlen(body), body);
}

/* POST /hook: the documents' receiver check, on the raw body, before any parsing. */
static int receiver(struct mg_connection *conn, void *data) {
    (void)data;
    enum { BODY_MAX = 65536 }; /* on the heap: CivetWeb's worker stacks are small */
    char *body = malloc(BODY_MAX);
    int len = 0, n;
    while (body && len < BODY_MAX - 1 && (n = mg_read(conn, body + len, BODY_MAX - 1 - len)) > 0)
        len += n;
    const char *sig = mg_get_header(conn, "X-Alsorn-Signature");
    const char *event = mg_get_header(conn, "X-Alsorn-Event");
    const char *from = mg_get_header(conn, "X-Alsorn-Forwarded-From");
    bool ok = body && alsorn_webhook_verify_signature(webhook_secret, body, (size_t)len, sig);
    free(body);
    printf("  receiver: %s, signature %s, forwarded from %s\n", event ? event : "?",
           ok ? "verified" : "REFUSED", from ? from : "(not forwarded)");
    if (ok) webhooks_verified++;
    else webhooks_refused++;
    answer(conn, ok ? 200 : 400, ok ? "{\"received\": true}" : "{\"error\": \"bad signature\"}");
    return 200;
}

/* Any other path: a provider that shows the credential it got. */
static int provider(struct mg_connection *conn, void *data) {
    (void)data;
    const char *auth = mg_get_header(conn, "Authorization");
    char body[512];
    snprintf(body, sizeof body, "{\"path\": \"%s\", \"authorization\": \"%s\"}",
             mg_get_request_info(conn)->local_uri, auth ? auth : "(none)");
    answer(conn, auth ? 200 : 401, body);
    return 200;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static void check(bool ok, const char *what) {
    if (ok) return;
    fprintf(stderr, "FAILED: %s\n", what);
    failures++;
}

static bool alsorn_ok(alsorn_status st, const char *what, const alsorn_error *err) {
    if (st == ALSORN_OK) return true;
    fprintf(stderr, "FAILED: %s: %s (HTTP %ld) %s: %s\n", what, alsorn_status_name(st),
            err->http_status, err->code[0] ? err->code : "-", err->message);
    failures++;
    return false;
}

static bool alter_ok(alter_status st, const char *what, const alter_error *err) {
    if (st == ALTER_OK) return true;
    fprintf(stderr, "FAILED: %s: %s (%s) %s\n", what, alter_status_name(st),
            alter_error_class(st), err->message);
    failures++;
    return false;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Alter's base URL: ALTER_BASE_URL, else the Alsorn one (the mock serves both). */
static const char *alter_base_url(void) {
    return env_or("ALTER_BASE_URL", env_or("ALSORN_BASE_URL", EXAMPLE_BASE_URL));
}

/* The sandbox's answer, kept NUL-terminated up to its buffer. */
struct text {
    char buf[4096];
    size_t n;
};

static size_t keep(char *data, size_t size, size_t nmemb, void *ud) {
    struct text *t = ud;
    size_t n = size * nmemb, room = sizeof t->buf - 1 - t->n;
    memcpy(t->buf + t->n, data, n < room ? n : room);
    t->n += n < room ? n : room;
    t->buf[t->n] = '\0';
    return n;
}

/* One sandbox call (the /_mock/ API is not part of either SDK); returns the status, the
 * answer into out (may be NULL). */
static long sandbox(const char *method, const char *path, const char *body, struct text *out) {
    struct text ignored;
    if (!out) out = &ignored;
    out->n = 0;
    out->buf[0] = '\0';
    CURL *c = curl_easy_init();
    if (!c) return 0;
    char url[512], token[300];
    snprintf(url, sizeof url, "%s%s", env_or("ALSORN_BASE_URL", EXAMPLE_BASE_URL), path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    const char *admin = getenv("MOCK_ADMIN_TOKEN");
    if (admin && *admin) {
        snprintf(token, sizeof token, "X-Mock-Admin-Token: %s", admin);
        h = curl_slist_append(h, token);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

/* POST /_mock/alter/grants: a grant of the app, delegated to agent_id; its id into out. */
static bool seed_grant(const char *org_id, const char *agent_id, const char *token, char *out,
                       size_t size) {
    char body[512];
    snprintf(body, sizeof body,
             "{\"org_id\": \"%s\", \"provider_id\": \"google\", \"scopes\": [\"gmail.readonly\"], "
             "\"account_identifier\": \"me@example.test\", \"principal_type\": \"user\", "
             "\"delegated_agent_ids\": [\"%s\"], \"upstream_token\": \"%s\"}",
             org_id, agent_id, token);
    struct text answer_text;
    const char *id = sandbox("POST", "/_mock/alter/grants", body, &answer_text) == 201
                         ? strstr(answer_text.buf, "\"grant_id\":\"")
                         : NULL;
    if (!id) return false;
    id += strlen("\"grant_id\":\"");
    snprintf(out, size, "%.*s", (int)strcspn(id, "\""), id);
    return true;
}

/* ---- the Alsorn document -------------------------------------------------------------------- */

static void alsorn_document(alsorn_client *client, const char *local, char *org_id, size_t org_size) {
    alsorn_error err = ALSORN_ERROR_INIT;
    printf("== Alsorn: Quick Start\n");
    const char *quick_actions[] = {"execute_trade", "transfer_funds"};
    alsorn_agent_params quick = {.name = "order-fulfillment-agent",
                                 .authorized_actions = quick_actions,
                                 .authorized_action_count = 2,
                                 .spending_limit = 10000,
                                 .currency = "USD",
                                 .environment = "sandbox"};
    alsorn_agent *agent = NULL;
    if (!alsorn_ok(alsorn_agents_register(client, &quick, &agent, &err), "agents.register", &err))
        return;
    alsorn_trust_profile *trust = NULL;
    if (alsorn_ok(alsorn_trust_query(client, agent->id, &trust, &err), "trust.query", &err))
        printf("Score: %d, Assessment: %s\n", trust->score, trust->assessment);
    alsorn_trust_profile_free(trust);

    printf("== Alsorn: Client Configuration (agents.list)\n");
    alsorn_agent_list *all = NULL;
    if (alsorn_ok(alsorn_agents_list(client, NULL, &all, &err), "agents.list", &err))
        for (size_t i = 0; i < all->count; i++) printf("%s\n", all->items[i].name);
    alsorn_agent_list_free(all);

    printf("== Alsorn: Agents\n");
    const char *pipeline_actions[] = {"execute_trade"};
    alsorn_agent_params pipeline = {.name = "data-pipeline-agent",
                                    .authorized_actions = pipeline_actions,
                                    .authorized_action_count = 1,
                                    .spending_limit = 5000,
                                    .currency = "USD",
                                    .environment = "production"};
    alsorn_agent *second = NULL;
    if (!alsorn_ok(alsorn_agents_register(client, &pipeline, &second, &err), "agents.register", &err))
        goto done;
    printf("%s %s\n", second->id, second->fingerprint);
    alsorn_agent_list_params active = {.status = "active", .limit = 50};
    if (alsorn_ok(alsorn_agents_list(client, &active, &all, &err), "agents.list(status)", &err))
        for (size_t i = 0; i < all->count; i++)
            printf("%s %s %s\n", all->items[i].id, all->items[i].name, all->items[i].status);
    alsorn_agent_list_free(all);
    alsorn_agent *got = NULL;
    if (alsorn_ok(alsorn_agents_get(client, second->id, &got, &err), "agents.get", &err))
        printf("%s %s %s\n", got->name, got->status, got->created_at);
    alsorn_agent_free(got);
    alsorn_verification *v = NULL;
    if (alsorn_ok(alsorn_agents_verify(client, second->id, NULL, &v, &err), "agents.verify", &err)) {
        printf("%s\n%s\n", v->verified ? "True" : "False", v->fingerprint);
        check(v->verified, "verify() prints True");
    }
    alsorn_verification_free(v);
    alsorn_agent_update rename = {.name = "renamed-agent", .spending_limit = 20000};
    alsorn_agent *updated = NULL;
    if (alsorn_ok(alsorn_agents_update(client, second->id, &rename, &updated, &err), "agents.update",
                  &err)) {
        printf("%s\n", updated->name);
        check(!strcmp(updated->name, "renamed-agent"), "update() prints renamed-agent");
    }
    alsorn_agent_free(updated);
    alsorn_agent *suspended = NULL;
    if (alsorn_ok(alsorn_agents_suspend(client, second->id, &suspended, &err), "agents.suspend",
                  &err)) {
        printf("%s\n", suspended->status);
        check(!strcmp(suspended->status, "suspended"), "suspend() prints suspended");
    }
    alsorn_agent_free(suspended);
    alsorn_audit_entry *chain = NULL;
    size_t n_chain = 0;
    if (alsorn_ok(alsorn_agents_get_audit_chain(client, second->id, &chain, &n_chain, &err),
                  "agents.get_audit_chain", &err))
        for (size_t i = 0; i < n_chain; i++)
            printf("%s %s %s\n", chain[i].action, chain[i].created_at,
                   chain[i].actor_id ? chain[i].actor_id : "None");
    alsorn_audit_entries_free(chain, n_chain);

    printf("== Alsorn: Trust\n");
    if (alsorn_ok(alsorn_trust_query(client, agent->id, &trust, &err), "trust.query", &err)) {
        printf("%d\n%s\n", trust->score, trust->assessment);
        printf("{ completion_rate: %g, dispute_ratio: %g, ... }\n", trust->factors.completion_rate,
               trust->factors.dispute_ratio);
    }
    alsorn_trust_profile_free(trust);
    alsorn_trust_evaluation_params eval = {.action = "transfer_funds", .amount = 5000,
                                           .currency = "USD"};
    alsorn_trust_profile *evaluation = NULL;
    if (alsorn_ok(alsorn_trust_evaluate(client, agent->id, &eval, &evaluation, &err),
                  "trust.evaluate", &err) &&
        evaluation->decision) {
        printf("%s\n%s\n", evaluation->decision->allowed ? "True" : "False",
               evaluation->decision->reason);
        check(evaluation->decision->allowed, "evaluate() prints True");
    }
    alsorn_trust_profile_free(evaluation);
    const char *ids[] = {agent->id, second->id, "agent_9c1n5r3s"};
    alsorn_trust_batch *batch = NULL;
    if (alsorn_ok(alsorn_trust_batch_query(client, ids, 3, &batch, &err), "trust.batch_query", &err))
        for (size_t i = 0; i < batch->count; i++)
            if (batch->items[i])
                printf("%s %d %s\n", batch->items[i]->agent_id, batch->items[i]->score,
                       batch->items[i]->assessment);
    alsorn_trust_batch_free(batch);
    alsorn_trust_history_params since = {.since = "2025-01-01T00:00:00Z"};
    alsorn_trust_history *history = NULL;
    if (alsorn_ok(alsorn_trust_get_history(client, agent->id, &since, &history, &err),
                  "trust.get_history", &err))
        for (size_t i = 0; i < history->count; i++)
            printf("%s %d %s\n", history->items[i].created_at, history->items[i].score,
                   history->items[i].assessment);
    alsorn_trust_history_free(history);

    printf("== Alsorn: Transactions\n");
    alsorn_transaction_params pay = {.from_agent = agent->id,
                                     .to_agent = second->id,
                                     .action = "transfer_funds",
                                     .amount = 500,
                                     .currency = "USD",
                                     .memo = "Payment for data processing job"};
    alsorn_transaction *tx = NULL;
    if (!alsorn_ok(alsorn_transactions_execute(client, &pay, &tx, &err), "transactions.execute",
                   &err))
        goto done;
    printf("%s %s\n", tx->id, tx->status);
    check(!strcmp(tx->status, "completed"), "execute() prints completed");
    alsorn_transaction_list_params filter = {.agent_id = agent->id, .status = "completed",
                                             .limit = 25};
    alsorn_transaction_list *txns = NULL;
    if (alsorn_ok(alsorn_transactions_list(client, &filter, &txns, &err), "transactions.list", &err))
        for (size_t i = 0; i < txns->count; i++)
            printf("%s %.2f %s %s\n", txns->items[i].id, txns->items[i].amount,
                   txns->items[i].currency, txns->items[i].status);
    alsorn_transaction_list_free(txns);
    alsorn_transaction *read = NULL;
    if (alsorn_ok(alsorn_transactions_get(client, tx->id, &read, &err), "transactions.get", &err))
        printf("%s %s %.2f %s\n", read->agent_id, read->counterparty_id, read->amount, read->status);
    alsorn_transaction_free(read);
    alsorn_transaction *reversal = NULL;
    if (alsorn_ok(alsorn_transactions_reverse(client, tx->id, "Duplicate payment", &reversal, &err),
                  "transactions.reverse", &err)) {
        printf("%s %s\n", reversal->id, reversal->status);
        check(!strcmp(reversal->status, "reversed"), "reverse() prints reversed");
    }
    alsorn_transaction_free(reversal);
    alsorn_transaction_export_params export = {.format = "csv",
                                               .since = "2025-01-01T00:00:00Z",
                                               .until = "2025-06-01T00:00:00Z"};
    FILE *csv = tmpfile();
    if (csv && alsorn_ok(alsorn_transactions_export(client, &export, csv, &err),
                         "transactions.export", &err))
        printf("transactions.csv: %ld bytes\n", ftell(csv));
    if (csv) fclose(csv);
    /* trust.report() cites this transaction, so it runs here rather than in the trust part */
    const char *evidence[] = {tx->id};
    alsorn_dispute_params report = {.agent_id = agent->id,
                                    .reason = "Agent did not deliver agreed-upon results.",
                                    .evidence_ids = evidence,
                                    .evidence_id_count = 1};
    alsorn_dispute *dispute = NULL;
    if (alsorn_ok(alsorn_trust_report(client, &report, &dispute, &err), "trust.report", &err))
        printf("%s\n", dispute->dispute_id);
    alsorn_dispute_free(dispute);

    printf("== Alsorn: Webhooks\n");
    const char *events[] = {"agent.registered", "transaction.completed"};
    alsorn_webhook_params hook = {.url = DOC_WEBHOOK_URL, .events = events, .event_count = 2};
    alsorn_webhook *webhook = NULL;
    if (!alsorn_ok(alsorn_webhooks_register(client, &hook, &webhook, &err), "webhooks.register",
                   &err))
        goto done;
    printf("%s\n%s\n", webhook->id, webhook->secret);
    snprintf(webhook_secret, sizeof webhook_secret, "%s", webhook->secret);
    snprintf(org_id, org_size, "%s", webhook->org_id);
    /* the sandbox's forward target: every delivery of the org goes to our receiver */
    char settings[256];
    snprintf(settings, sizeof settings, "{\"forward_to\": \"%s/hook\"}", local);
    char path[160];
    snprintf(path, sizeof path, "/_mock/orgs/%s/webhook-settings", org_id);
    check(sandbox("PATCH", path, settings, NULL) == 200, "setting the forward target");
    alsorn_webhook_list *hooks = NULL;
    if (alsorn_ok(alsorn_webhooks_list(client, &hooks, &err), "webhooks.list", &err))
        for (size_t i = 0; i < hooks->count; i++)
            printf("%s %s %s\n", hooks->items[i].id, hooks->items[i].url,
                   hooks->items[i].active ? "True" : "False");
    alsorn_webhook_list_free(hooks);
    alsorn_webhook *one = NULL;
    if (alsorn_ok(alsorn_webhooks_get(client, webhook->id, &one, &err), "webhooks.get", &err))
        printf("%s %zu events %lld\n", one->url, one->event_count, one->consecutive_failures);
    alsorn_webhook_free(one);
    const char *more[] = {"agent.registered", "transaction.completed", "trust.score_changed"};
    alsorn_webhook_update change = {.events = more, .event_count = 3};
    alsorn_webhook *changed = NULL;
    if (alsorn_ok(alsorn_webhooks_update(client, webhook->id, &change, &changed, &err),
                  "webhooks.update", &err))
        printf("%zu events\n", changed->event_count);
    alsorn_webhook_free(changed);
    alsorn_webhook_test_result *result = NULL;
    if (alsorn_ok(alsorn_webhooks_test(client, webhook->id, &result, &err), "webhooks.test", &err)) {
        printf("%d\n%s\n", result->status_code, result->success ? "True" : "False");
        check(result->status_code == 200 && result->success, "test() prints 200 and True");
    }
    alsorn_webhook_test_result_free(result);
    check(webhooks_verified == 1 && webhooks_refused == 0,
          "the receiver verified the forwarded test event");
    if (alsorn_ok(alsorn_webhooks_delete(client, webhook->id, &err), "webhooks.delete", &err))
        printf("deleted %s\n", webhook->id);
    alsorn_webhook_free(webhook);

    printf("== Alsorn: Error Handling\n");
    alsorn_agent *missing = NULL;
    alsorn_status st = alsorn_agents_get(client, "agent_nonexistent", &missing, &err);
    if (st == ALSORN_ERR_NOT_FOUND) printf("Agent not found: %s\n", err.message);
    check(st == ALSORN_ERR_NOT_FOUND, "get(\"agent_nonexistent\") raises AlsornNotFoundError");
    alsorn_agent_free(missing);
done:
    alsorn_transaction_free(tx);
    alsorn_agent_free(second);
    alsorn_agent_free(agent);
    alsorn_error_clear(&err);
}

/* ---- the Alter document --------------------------------------------------------------------- */

static void alter_document(alter_app *app, const char *local, const char *org_id) {
    alter_error err = ALTER_ERROR_INIT;
    char name[64];
    snprintf(name, sizeof name, "walkthrough-%ld", (long)getpid()); /* names are unique per app */
    printf("== Alter: App.agents\n");
    const char *gmail[] = {"gmail.readonly"}, *chat[] = {"chat.write"};
    alter_scope_grant scopes[] = {{"google", gmail, 1}, {"slack", chat, 1}};
    alter_agent_create_params create = {.name = name,
                                        .display_name = "Research Bot",
                                        .type = "agent",
                                        .scopes = scopes,
                                        .scope_count = 2,
                                        .metadata_json = "{\"team\": \"research\"}",
                                        .idempotency_key = name};
    alter_agent_create_result *created = NULL;
    if (!alter_ok(alter_agents_create(app, &create, &created, &err), "agents.create", &err)) return;
    const char *id = created->agent.id;
    printf("%s %s (api_key shown once: %.24s...)\n", id, created->agent.name, created->api_key);

    printf("== Alter: App.get_agent()\n");
    alter_agent *research_bot = alter_app_get_agent(app, id);
    alter_agent_info *me = NULL;
    if (alter_ok(alter_agent_me(research_bot, &me, &err), "get_agent().me()", &err))
        check(!strcmp(me->id, id), "get_agent(id).me() is that agent");
    alter_agent_info_free(me);
    me = NULL;

    alter_agent_list *list = NULL;
    if (alter_ok(alter_agents_list(app, NULL, &list, &err), "agents.list", &err))
        printf("%zu agents\n", list->count);
    alter_agent_list_free(list);
    alter_agent_info *info = NULL;
    if (alter_ok(alter_agents_get(app, id, &info, &err), "agents.get", &err))
        printf("%s %s\n", info->name, info->status);
    alter_agent_info_free(info);
    info = NULL;
    if (alter_ok(alter_agents_get_by_name(app, name, &info, &err), "agents.get_by_name", &err))
        check(info && !strcmp(info->id, id), "get_by_name finds it");
    alter_agent_info_free(info);
    info = NULL;
    const char *more_gmail[] = {"gmail.readonly", "gmail.send"};
    alter_scope_grant wider[] = {{"google", more_gmail, 2}, {"slack", chat, 1}};
    alter_agent_update_params update = {.scopes = wider, .scope_count = 2};
    if (alter_ok(alter_agents_update(app, id, &update, &info, &err), "agents.update (FULL scopes)",
                 &err))
        printf("scopes: %zu providers\n", info->scope_count);
    alter_agent_info_free(info);
    info = NULL;
    alter_agent_update_params narrower = {.scopes = scopes, .scope_count = 1};
    check(alter_agents_update(app, id, &narrower, &info, &err) ==
              ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED,
          "narrowing raises AgentScopeNarrowingNotSupportedError");

    alter_key_mint_result *minted = NULL;
    if (alter_ok(alter_agents_mint_key(app, id, NULL, &minted, &err), "agents.mint_key", &err))
        printf("%s %s\n", minted->key.key_id, minted->key.key_prefix);
    alter_key_list *keys = NULL;
    if (alter_ok(alter_agents_list_keys(app, id, &keys, &err), "agents.list_keys", &err)) {
        for (size_t i = 0; i < keys->count; i++)
            printf("%s %s %s\n", keys->items[i].key_id, keys->items[i].key_prefix,
                   keys->items[i].status);
        check(keys->count == 2 && strcmp(keys->items[0].key_prefix, keys->items[1].key_prefix),
              "two keys, told apart by key_prefix");
    }
    alter_key_list_free(keys);
    const char *first_key = created->key ? created->key->key_id : "";
    alter_agent_key *key = NULL;
    if (alter_ok(alter_agents_deprecate_key(app, id, first_key, &key, &err), "deprecate_key", &err))
        printf("%s %s\n", key->key_id, key->status);
    alter_agent_key_free(key);
    key = NULL;
    if (alter_ok(alter_agents_undeprecate_key(app, id, first_key, &key, &err), "undeprecate_key",
                 &err))
        printf("%s %s\n", key->key_id, key->status);
    alter_agent_key_free(key);
    key = NULL;
    if (minted && alter_ok(alter_agents_revoke_key(app, id, minted->key.key_id, false, &key, &err),
                           "revoke_key", &err))
        printf("%s %s\n", key->key_id, key->status);
    alter_agent_key_free(key);
    key = NULL;
    check(alter_agents_revoke_key(app, id, first_key, false, &key, &err) ==
              ALTER_ERR_LAST_ACTIVE_KEY,
          "revoking the last active key without force raises LastActiveKeyError");
    alter_key_mint_result_free(minted);

    printf("== Alter: Agent.me()\n");
    alter_agent *agent = alter_agent_new(created->api_key, alter_base_url());
    if (alter_ok(alter_agent_me(agent, &me, &err), "Agent.me()", &err)) printf("%s\n", me->name);
    alter_agent_info_free(me);
    me = NULL;

    printf("== Alter: Agent.trace()\n");
    char g1[64] = "", g2[64] = "", url1[160], url2[160];
    check(org_id[0] && seed_grant(org_id, id, "ya29.walkthrough-g1", g1, sizeof g1) &&
              seed_grant(org_id, id, "ya29.walkthrough-g2", g2, sizeof g2),
          "seeding the grants g1, g2 through the sandbox");
    snprintf(url1, sizeof url1, "%s/gmail/v1/users/me/messages", local);
    snprintf(url2, sizeof url2, "%s/gmail/v1/users/me/drafts", local);
    alter_trace run = {.run_id = "run-abc"};
    alter_trace_begin(agent, &run);
    alter_request_params r1 = {.method = "GET", .url = url1, .grant_id = g1};
    alter_request_params r2 = {.method = "POST", .url = url2, .grant_id = g2};
    alter_response *resp = NULL;
    if (alter_ok(alter_agent_request(agent, &r1, &resp, &err), "agent.request(GET, url1, g1)", &err))
        printf("%ld %.*s\n", resp->status_code, (int)resp->body_len, (const char *)resp->body);
    alter_response_free(resp);
    resp = NULL;
    resp = NULL;
    if (alter_ok(alter_agent_request(agent, &r2, &resp, &err), "agent.request(POST, url2, g2)",
                 &err))
        printf("%ld %.*s\n", resp->status_code, (int)resp->body_len, (const char *)resp->body);
    alter_response_free(resp);
    resp = NULL;
    alter_trace_end(agent);

    printf("== Alter: App.request() / App.proxy_request()\n");
    resp = NULL;
    if (alter_ok(alter_app_request(app, &r1, &resp, &err), "app.request(GET, url1, g1)", &err))
        printf("%ld %.*s\n", resp->status_code, (int)resp->body_len, (const char *)resp->body);
    alter_response_free(resp);
    resp = NULL;
    alter_proxy_result *proxied = NULL;
    if (alter_ok(alter_app_proxy_request(app, &r2, &proxied, &err), "app.proxy_request(POST, url2)",
                 &err) &&
        proxied->response)
        printf("%ld %.*s\n", proxied->response->status_code, (int)proxied->response->body_len,
               (const char *)proxied->response->body);
    alter_proxy_result_free(proxied);

    alter_agent_info *deleted = NULL;
    if (alter_ok(alter_agents_delete(app, id, &deleted, &err), "agents.delete", &err))
        printf("%s %s\n", deleted->name, deleted->status);
    alter_agent_info_free(deleted);
    deleted = NULL;
    alter_agent_free(agent);
    alter_agent_free(research_bot);
    alter_agent_create_result_free(created);
}

int main(void) {
    mg_init_library(0);
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
    struct mg_context *ctx = mg_start(NULL, NULL, options);
    struct mg_server_port port;
    if (!ctx || mg_get_server_ports(ctx, 1, &port) < 1) {
        fprintf(stderr, "could not start the local receiver\n");
        return 1;
    }
    mg_set_request_handler(ctx, "/hook", receiver, NULL);
    mg_set_request_handler(ctx, "/", provider, NULL);
    char local[64];
    snprintf(local, sizeof local, "http://127.0.0.1:%d", port.port);

    alsorn_client *client = alsorn_client_new(NULL, env_or("ALSORN_BASE_URL", EXAMPLE_BASE_URL), 0);
    alter_app *app = alter_app_new(NULL, alter_base_url());
    if (!client || !app) {
        fprintf(stderr, "set ALSORN_API_KEY (an admin key) and ALTER_API_KEY (an app key)\n");
        failures++;
    } else {
        char org_id[64] = "";
        alsorn_document(client, local, org_id, sizeof org_id);
        alter_document(app, local, org_id);
    }
    alsorn_client_free(client);
    alter_app_free(app);
    mg_stop(ctx);
    mg_exit_library();
    if (failures) fprintf(stderr, "%d example(s) did not do what the documents say\n", failures);
    else printf("every example worked as the documents show\n");
    return failures ? 1 : 0;
}
