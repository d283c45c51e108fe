/* Caps on what grows with use (mock/README.md "Caps on what grows"): an Alter app's audit log
 * past --alter-audit-max drops its oldest rows and still verifies, on the server and in the
 * reference client, from the hash of the last row dropped; webhook endpoints past
 * --webhook-queue-max / --webhook-log-max drop and count.  Each test runs its own mock with
 * small caps. */
#include "alter_harness.h"
#include "harness.h"
#include "receiver.h"
#include "sandbox.h"
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alter.h"
#include "canonical_json.h"

#define AUDIT_MAX 32

static struct tenant T;

static void stop_own(void) { own_mock_stop(); }

/* Checks rows (as the API renders them) as one chain whose first row links to anchor. */
static void verify_rows_from(const cJSON *rows, const char *anchor) {
    const char *prev = anchor;
    int i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        cr_assert_str_eq(jstr(row, "previous_hash"), prev, "row %d does not link", i);
        cJSON *hashed = cJSON_Duplicate(row, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(hashed, "hash");
        char want[72];
        cr_assert(canonical_sha256(hashed, want) == 0);
        cJSON_Delete(hashed);
        cr_assert_str_eq(jstr(row, "hash"), want, "row %d: hash is not its canonical SHA-256", i);
        prev = jstr(row, "hash");
        i++;
    }
}

/* The whole state as GET /_mock/state exports it (caller frees). */
static char *export_state(void) {
    struct http_resp r;
    http_call("GET", "/_mock/state", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    char *state = strdup(r.body);
    http_resp_free(&r);
    return state;
}

/* PUT /_mock/state with body; the caller checks and frees *r. */
static void import_state(const char *body, struct http_resp *r) {
    struct http_req put = {.method = "PUT", .path = "/_mock/state", .body = body,
                           .content_type = "application/x-ndjson"};
    http_do(&put, r);
}

/* Exports the whole state and imports it back. */
static void state_round_trip(void) {
    char *state = export_state();
    struct http_resp r;
    import_state(state, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    free(state);
}

static cJSON *org_usage(const char *org_id) {
    return mock_call("GET", fmt("/_mock/orgs/%s", org_id), NULL, 200);
}

Test(caps, alter_audit_log_past_its_cap_verifies_from_its_anchor, .fini = stop_own, .timeout = 120) {
    static const char *const flags[] = {"--alter-audit-max", "32", NULL};
    own_mock_start(flags);
    cJSON *health = mock_call("GET", "/_mock/health", NULL, 200);
    cr_assert_eq(jnum(jobj(health, "caps"), "alter_audit_max"), AUDIT_MAX);
    cJSON_Delete(health);
    tenant_new(&T);
    cJSON_Delete(alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200));
    cJSON *early = alter_expect("GET", "/sdk/audit?limit=1", alter_key(&T), NULL, 200);
    char early_id[96];
    snprintf(early_id, sizeof early_id, "%s", jstr(cJSON_GetArrayItem(jarr(early, "rows"), 0), "id"));
    cr_assert(jnull(early, "anchor_hash") && jnum(early, "dropped") == 0, "nothing dropped yet");
    cJSON_Delete(early);
    for (int i = 0; i < 100; i++) cJSON_Delete(alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200));
    /* a cursor naming a row dropped since is refused like any unknown id */
    alter_call_field_error("GET", fmt("/sdk/audit?after=%s", early_id), alter_key(&T), NULL, NULL, "after");

    cJSON *v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(v, "valid"), "the kept chain verifies from its anchor");
    double length = jnum(v, "length"), dropped = jnum(v, "dropped");
    cr_assert_leq(length, AUDIT_MAX);
    cr_assert_geq(dropped, 100 - AUDIT_MAX, "at least 68 of the 100 rows were dropped");
    cr_assert_geq(length + dropped, 100, "every row is kept or counted as dropped");
    cr_assert(is_sha256_tagged(jstr(v, "anchor_hash")), "anchor_hash: %s", jstr(v, "anchor_hash"));
    cr_assert(jnull(v, "broken_at"));
    char anchor[80];
    snprintf(anchor, sizeof anchor, "%s", jstr(v, "anchor_hash"));
    cJSON_Delete(v);

    /* the list says where the chain starts, and its first row links there */
    cJSON *page = alter_expect("GET", "/sdk/audit?limit=1000", alter_key(&T), NULL, 200);
    cr_assert(is_sha256_tagged(jstr(page, "anchor_hash")));
    cr_assert_geq(jnum(page, "dropped"), dropped);
    verify_rows_from(jarr(page, "rows"), jstr(page, "anchor_hash"));
    cr_assert_leq(cJSON_GetArraySize(jarr(page, "rows")), AUDIT_MAX);
    cJSON_Delete(page);

    /* the sandbox shows the count */
    cJSON *org = org_usage(T.org_id);
    const cJSON *audit = jobj(jobj(org, "usage"), "alter_audit");
    cr_assert_eq(jnum(audit, "max"), AUDIT_MAX);
    cr_assert_leq(jnum(audit, "rows"), AUDIT_MAX);
    cr_assert_geq(jnum(audit, "dropped"), dropped);
    cJSON_Delete(org);

    /* the reference client verifies the same chain from the anchor it read with the rows */
    alter_app *app = alter_app_new(alter_key(&T), alter_base_url());
    cr_assert_not_null(app);
    alter_error err = ALTER_ERROR_INIT;
    alter_audit_row *rows = NULL;
    size_t n = 0;
    char *from = NULL;
    cr_assert_eq(alter_audit_get_chain_from(app, &rows, &n, &from, &err), ALTER_OK, "%s", err.message);
    cr_assert_not_null(from, "the client got the anchor");
    cr_assert(n > 0 && n <= AUDIT_MAX);
    size_t broken = 99;
    cr_assert_eq(alter_audit_chain_verify_from(rows, n, from, &broken), 1);
    cr_assert_eq(alter_audit_chain_verify(rows, n, &broken), 0,
                 "as a chain starting at null it does not verify");
    cr_assert_eq(broken, 0);
    /* tampering with a kept row is still found */
    char *tampered = strstr(rows[2].row_json, "\"status_code\":200");
    cr_assert_not_null(tampered, "row 2: %s", rows[2].row_json);
    tampered[strlen("\"status_code\":")] = '5';
    cr_assert_eq(alter_audit_chain_verify_from(rows, n, from, &broken), 0);
    cr_assert_eq(broken, 2);
    alter_audit_rows_free(rows, n);
    free(from);
    alter_audit_verification *sv = NULL;
    cr_assert_eq(alter_audit_verify(app, &sv, &err), ALTER_OK);
    cr_assert(sv->valid && sv->anchor_hash && sv->dropped >= dropped);
    alter_audit_verification_free(sv);
    alter_app_free(app);
}

Test(caps, a_state_export_keeps_the_anchor_and_the_count, .fini = stop_own, .timeout = 120) {
    static const char *const flags[] = {"--alter-audit-max", "32", NULL};
    own_mock_start(flags);
    tenant_new(&T);
    for (int i = 0; i < 50; i++) cJSON_Delete(alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200));
    cJSON *before = org_usage(T.org_id);
    double dropped = jnum(jobj(jobj(before, "usage"), "alter_audit"), "dropped");
    char anchor[80];
    snprintf(anchor, sizeof anchor, "%s", jstr(jobj(jobj(before, "usage"), "alter_audit"), "anchor_hash"));
    cJSON_Delete(before);
    cr_assert_gt(dropped, 0);

    state_round_trip();

    cJSON *after = org_usage(T.org_id);
    const cJSON *audit = jobj(jobj(after, "usage"), "alter_audit");
    cr_assert_eq(jnum(audit, "dropped"), dropped, "the count survives the round trip");
    cr_assert_str_eq(jstr(audit, "anchor_hash"), anchor);
    cJSON_Delete(after);
    cJSON *v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(v, "valid"));
    cr_assert_str_eq(jstr(v, "anchor_hash"), anchor);
    cJSON_Delete(v);
}

/* A state line naming an anchor without a count (or a count without an anchor) is refused
 * and changes nothing. */
Test(caps, an_anchor_without_its_count_is_refused, .fini = stop_own, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    struct http_resp r;
    char *state = export_state();
    char *at = strstr(state, "\"audit_anchor_hash\":null");
    cr_assert_not_null(at, "the app record has its anchor");
    /* same length: "null" → a 4-character string would not be a hash; use a count instead */
    char *count = strstr(at, "\"audit_dropped\":0");
    cr_assert_not_null(count);
    count[strlen("\"audit_dropped\":")] = '7';
    import_state(state, &r);
    cr_assert_eq(r.status, 422, "HTTP %ld: %s", r.status, resp_excerpt(&r));
    cr_assert_not_null(strstr(r.body, "audit_anchor_hash"), "%s", resp_excerpt(&r));
    http_resp_free(&r);
    free(state);
    cJSON *v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(v, "valid") && jnum(v, "dropped") == 0, "nothing changed");
    cJSON_Delete(v);
}

Test(caps, webhook_queue_and_log_past_their_caps_drop_and_count, .fini = stop_own, .timeout = 120) {
    static const char *const flags[] = {"--webhook-queue-max", "2", "--webhook-log-max", "3",
                                        "--webhook-retry-base-ms", "1", NULL};
    own_mock_start(flags);
    cJSON *health = mock_call("GET", "/_mock/health", NULL, 200);
    cr_assert_eq(jnum(jobj(health, "caps"), "webhook_queue_max"), 2);
    cr_assert_eq(jnum(jobj(health, "caps"), "webhook_log_max"), 3);
    cJSON_Delete(health);
    tenant_new(&T);
    struct receiver *rc = receiver_start();
    receiver_reply(rc, 500, 400); /* every attempt fails, slowly: events wait behind the head */
    webhook_settings(&T, "{\"max_attempts\": 3}");
    cJSON *hook = webhook_create(&T, receiver_url(rc, "/hook"), "[\"agent.registered\"]");
    char hook_id[96];
    snprintf(hook_id, sizeof hook_id, "%s", jstr(hook, "id"));
    cJSON_Delete(hook);
    for (int i = 0; i < 6; i++) cJSON_Delete(agent_register_named(&T, fmt("Capped %d", i)));

    /* 6 events, at most 2 queued at once: the head (being retried) and one behind it */
    cJSON *org = org_usage(T.org_id);
    const cJSON *hooks = jobj(jobj(org, "usage"), "webhooks");
    cr_assert_eq(jnum(hooks, "queue_max"), 2);
    cr_assert_leq(jnum(hooks, "queued"), 2);
    cr_assert_geq(jnum(hooks, "events_dropped"), 4, "events_dropped %g", jnum(hooks, "events_dropped"));
    cJSON_Delete(org);

    /* the two kept events get 3 attempts each: 6 attempts, the log keeps 3 and counts 3 */
    receiver_wait(rc, 6, 30000);
    cJSON *deliveries = webhook_wait_deliveries(&T, hook_id, 3, 30000);
    cJSON_Delete(deliveries);
    for (int tries = 0; tries < 300; tries++) {
        org = org_usage(T.org_id);
        hooks = jobj(jobj(org, "usage"), "webhooks");
        if (jnum(hooks, "deliveries_dropped") >= 3 && jnum(hooks, "queued") == 0) break;
        cJSON_Delete(org);
        org = NULL;
        usleep(100 * 1000);
    }
    cr_assert_not_null(org, "the endpoint never finished its 6 attempts");
    cr_assert_eq(jnum(hooks, "deliveries_logged"), 3);
    cr_assert_eq(jnum(hooks, "deliveries_dropped"), 3);
    cr_assert_eq(jnum(hooks, "log_max"), 3);
    cJSON_Delete(org);
    struct http_resp r;
    http_call("GET", fmt("/webhooks/%s/deliveries?limit=100", hook_id), tkey_min(&T, KEY_ADMIN), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(r.json, "data")), 3, "the log keeps the newest 3");
    http_resp_free(&r);
    receiver_stop(rc);

    /* the counts survive a state round trip */
    state_round_trip();
    org = org_usage(T.org_id);
    hooks = jobj(jobj(org, "usage"), "webhooks");
    cr_assert_eq(jnum(hooks, "deliveries_dropped"), 3);
    cr_assert_geq(jnum(hooks, "events_dropped"), 4);
    cr_assert_eq(jnum(hooks, "deliveries_logged"), 3);
    cJSON_Delete(org);

    /* a negative count is refused, and the import changes nothing */
    char *state = export_state();
    char *count = strstr(state, "\"deliveries_dropped\":3");
    cr_assert_not_null(count, "the webhook record carries its count");
    size_t digit = (size_t)(count - state) + strlen("\"deliveries_dropped\":");
    char *bad = NULL; /* the same file with -3 for 3 */
    cr_assert(asprintf(&bad, "%.*s-%s", (int)digit, state, state + digit) > 0);
    import_state(bad, &r);
    cr_assert_eq(r.status, 422, "HTTP %ld: %s", r.status, resp_excerpt(&r));
    cr_assert_not_null(strstr(r.body, hook_id), "the error names the webhook: %s", resp_excerpt(&r));
    http_resp_free(&r);
    free(bad);
    free(state);
    org = org_usage(T.org_id);
    cr_assert_eq(jnum(jobj(jobj(org, "usage"), "webhooks"), "deliveries_dropped"), 3, "unchanged");
    cJSON_Delete(org);
}

/* A state file saved before the log had a cap has no anchor or count on its app record: it
 * loads as a chain that starts at null. */
Test(caps, a_state_file_without_the_anchor_fields_still_loads, .fini = stop_own, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    for (int i = 0; i < 3; i++) cJSON_Delete(alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200));
    struct http_resp r;
    char *state = export_state();
    static const char *const fields[] = {",\"audit_anchor_hash\":null", ",\"audit_dropped\":0"};
    int removed = 0;
    for (int f = 0; f < 2; f++)
        for (char *at; (at = strstr(state, fields[f])); removed++)
            memmove(at, at + strlen(fields[f]), strlen(at + strlen(fields[f])) + 1);
    cr_assert_geq(removed, 2, "the export had the fields to remove");
    import_state(state, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    free(state);
    cJSON *v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(v, "valid"));
    cr_assert(jnull(v, "anchor_hash"));
    cr_assert_eq(jnum(v, "dropped"), 0);
    cr_assert_geq(jnum(v, "length"), 3);
    cJSON_Delete(v);
}

#ifndef AGENTMOCK_BIN
#define AGENTMOCK_BIN "agentmock"
#endif

/* A cap flag out of range stops the mock at start with a message naming the flag (exit 2). */
Test(caps, a_cap_flag_out_of_range_is_refused_at_start, .timeout = 30) {
    require_mock();
    const char *bin = getenv("AGENTMOCK_BIN");
    if (!bin || !*bin) bin = AGENTMOCK_BIN;
    static const char *const cases[][2] = {
        {"--alter-audit-max", "0"},       {"--alter-audit-max", "10000001"},
        {"--webhook-log-max", "-1"},      {"--webhook-queue-max", "many"},
        {"--unlock-delay-us", "100001"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "'%s' --listen 127.0.0.1:0 --no-fixtures %s '%s' 2>&1", bin,
                 cases[i][0], cases[i][1]);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        char out[512] = "";
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        int status = pclose(p);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s %s: status 0x%x, %s",
                  cases[i][0], cases[i][1], status, out);
        cr_assert_not_null(strstr(out, cases[i][0] + 2), "%s %s: %s", cases[i][0], cases[i][1], out);
        cr_assert_not_null(strstr(out, "takes"), "%s", out);
    }
}
