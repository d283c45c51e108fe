/* State snapshots (DESIGN.md sandbox controls): GET/PUT /_mock/state, --state FILE, and
 * POST /_mock/snapshot.  Each test runs a private agentmock: importing replaces the whole
 * store, which the shared mock's other tests must never see. */
#include "alter_harness.h"
#include "harness.h"
#include "receiver.h"
#include "webhook_helpers.h"

#include <glob.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct mock_process M = {.pid = -1};

static void stop_private(void) { mock_process_stop(&M, SIGTERM, 10000); }

static void start_private(const char *const *args) {
    require_mock();
    cr_assert(mock_process_start(&M, args), "private agentmock did not start");
}

/* POST /_mock/orgs on the private mock; returns its write key (static). */
static const char *private_org(char org_id[80]) {
    static char key[96];
    struct http_resp r;
    http_call("POST", fmt("%s/_mock/orgs", M.url), NULL, "{}", NULL, &r);
    expect_status(&r, 201);
    snprintf(key, sizeof key, "%s", jstr(jobj(r.json, "keys"), "write"));
    if (org_id) snprintf(org_id, 80, "%s", jstr(r.json, "id"));
    http_resp_free(&r);
    return key;
}

static char *private_agent(const char *key, const char *name) {
    struct http_resp r;
    char *body = agent_body(name);
    http_call("POST", fmt("%s/agents", M.url), key, body, NULL, &r);
    free(body);
    expect_status(&r, 201);
    char *id = strdup(jstr(r.json, "id"));
    http_resp_free(&r);
    return id;
}

static long private_status(const char *method, const char *path, const char *key, const char *body) {
    struct http_resp r;
    http_call(method, fmt("%s%s", M.url, path), key, body, NULL, &r);
    long status = r.status;
    http_resp_free(&r);
    return status;
}

static char *export_state(void) {
    struct http_resp r;
    http_call("GET", fmt("%s/_mock/state", M.url), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(resp_header(&r, "Content-Type"), "application/x-ndjson");
    cr_assert(strncmp(r.body, "{\"type\":\"meta\"", 14) == 0, "first record is meta: %.80s", r.body);
    char *copy = strdup(r.body);
    http_resp_free(&r);
    return copy;
}

static void import_state(const char *body, long status, const char *code) {
    struct http_resp r;
    struct http_req req = {.method = "PUT", .path = fmt("%s/_mock/state", M.url), .body = body,
                           .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    if (code) expect_error(&r, status, code);
    else expect_status(&r, status);
    http_resp_free(&r);
}

Test(sandbox_state, import_restores_an_export_exactly, .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *kept = private_agent(key, "Kept Agent");
    cr_assert_eq(private_status("PATCH", fmt("/agents/%s", kept), key, "{\"spending_limit\": 12.34}"), 200);
    char *state = export_state();
    char *later = private_agent(key, "Later Agent");

    import_state(state, 200, NULL);
    cr_assert_eq(private_status("GET", fmt("/agents/%s", later), key, NULL), 404,
                 "an agent created after the export is gone after the import");
    struct http_resp r;
    http_call("GET", fmt("%s/agents/%s", M.url, kept), key, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_eq(jnum(r.json, "spending_limit"), 12.34);
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/audit/verify", M.url, kept), key, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(jbool(r.json, "valid"));
    cr_assert_eq(jnum(r.json, "length"), 2);
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/verify", M.url, kept), NULL, NULL, NULL, &r);
    cr_assert(jbool(r.json, "verified"), "the fingerprint still verifies");
    http_resp_free(&r);
    char *again = export_state();
    /* identical but for the meta line's saved_at */
    cr_assert_str_eq(strchr(again, '\n'), strchr(state, '\n'));
    free(again);
    free(state);
    free(kept);
    free(later);
}

Test(sandbox_state, tampered_audit_chain_is_refused_and_changes_nothing, .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *id = private_agent(key, "Honest Agent");
    cr_assert_eq(private_status("PATCH", fmt("/agents/%s", id), key, "{\"name\": \"Renamed Agent\"}"), 200);
    char *state = export_state();
    /* the payload is saved as its canonical text: a JSON string, quotes escaped */
    char *p = strstr(state, "\\\"new_value\\\":\\\"Renamed Agent\\\"");
    cr_assert_not_null(p, "the rename's audit payload is in the export");
    memcpy(p + strlen("\\\"new_value\\\":\\\""), "Forged", 6);
    char *after = private_agent(key, "Created Before Import");
    import_state(state, 422, "invalid_snapshot");
    cr_assert_eq(private_status("GET", fmt("/agents/%s", after), key, NULL), 200,
                 "a refused import leaves the store as it was");
    free(state);
    free(id);
    free(after);
}

Test(sandbox_state, malformed_snapshots_are_422, .fini = stop_private) {
    start_private(NULL);
    private_org(NULL);
    import_state("{\"type\":\"org\"}\n", 422, "invalid_snapshot");
    import_state("not json\n", 422, "invalid_snapshot");
    import_state("", 422, "invalid_snapshot");
    import_state("{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":1,\"clock_offset_seconds\":0}\n"
                 "{\"type\":\"agent\",\"org_id\":\"org_nowhere\"}\n", 422, "invalid_snapshot");
    import_state("{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":1,\"clock_offset_seconds\":0}\n"
                 "{\"type\":\"martian\"}\n", 422, "invalid_snapshot");
    cr_assert_eq(private_status("GET", "/_mock/health", NULL, NULL), 200);
}

static char *tmp_state_path(void) {
    char *path = strdup("/tmp/agentmock-state-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path); /* the mock creates it */
    return path;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s exists", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(sandbox_state, state_file_survives_a_restart_with_keys_and_chains) {
    char *path = tmp_state_path();
    const char *const args[] = {"--state", path, NULL};
    start_private(args);
    const char *key = private_org(NULL);
    char *id = private_agent(key, "Durable Agent");
    int status = mock_process_stop(&M, SIGTERM, 10000);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit after saving");

    start_private(args);
    struct http_resp r;
    http_call("GET", fmt("%s/agents/%s", M.url, id), key, NULL, NULL, &r);
    expect_status(&r, 200); /* the key works: restored from its hash */
    cr_assert_str_eq(jstr(r.json, "name"), "Durable Agent");
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/audit/verify", M.url, id), key, NULL, NULL, &r);
    cr_assert(jbool(r.json, "valid"));
    http_resp_free(&r);
    char *saved = slurp(path);
    cr_assert_null(strstr(saved, key), "the state file never holds a plaintext key");
    free(saved);
    stop_private();
    unlink(path);
    free(path);
    free(id);
}

Test(sandbox_state, sigkill_during_a_save_leaves_the_previous_file, .timeout = 90) {
    char *path = tmp_state_path();
    /* 30 ms per record: a save of ~40 records takes over a second, time to kill it midway */
    const char *const args[] = {"--state", path, "--snapshot-write-delay-us", "30000", NULL};
    start_private(args);
    const char *key = private_org(NULL);
    char *first = private_agent(key, "Saved Before");
    cr_assert_eq(private_status("POST", "/_mock/snapshot", NULL, NULL), 200);
    char *before = slurp(path);
    for (int i = 0; i < 30; i++) free(private_agent(key, fmt("Unsaved %d", i)));

    pid_t saver = fork();
    if (saver == 0) { /* the save request blocks until the save ends: send it from a child */
        struct http_resp r;
        http_call("POST", fmt("%s/_mock/snapshot", M.url), NULL, NULL, NULL, &r);
        _exit(0);
    }
    usleep(400 * 1000);
    int status = mock_process_stop(&M, SIGKILL, 5000);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed mid-save");
    waitpid(saver, NULL, 0);
    glob_t tmp;
    cr_assert_eq(glob(fmt("%s.tmp.*", path), 0, NULL, &tmp), 0,
                 "the kill landed during the save: its temporary file is still there");
    globfree(&tmp);

    char *after = slurp(path);
    cr_assert_str_eq(after, before, "the state file is the previous save, byte for byte");
    start_private((const char *const[]){"--state", path, NULL});
    cr_assert_eq(private_status("GET", fmt("/agents/%s", first), key, NULL), 200);
    struct http_resp r;
    http_call("GET", fmt("%s/agents?search=Unsaved", M.url), key, NULL, NULL, &r);
    cr_assert_eq(jnum(jobj(r.json, "pagination"), "total"), 0, "nothing of the killed save");
    http_resp_free(&r);
    stop_private();
    char tmp_glob[512];
    snprintf(tmp_glob, sizeof tmp_glob, "rm -f %s %s.tmp.*", path, path);
    cr_assert_eq(system(tmp_glob), 0);
    free(before);
    free(after);
    free(first);
    free(path);
}

/* A call on the private mock that must answer `status`; returns the parsed body (caller
 * deletes).  key: an Alsorn key (Bearer), or with alter set, an Alter key (x-api-key). */
static cJSON *private_json(const char *method, const char *path, const char *key, bool alter,
                           const char *body, long status) {
    struct http_resp r;
    if (alter) alter_http(method, fmt("%s%s", M.url, path), key, body, NULL, &r);
    else http_call(method, fmt("%s%s", M.url, path), key, body, NULL, &r);
    expect_status(&r, status);
    cJSON *json = r.json;
    cr_assert_not_null(json, "%s: not JSON: %s", r.request, resp_excerpt(&r));
    r.json = NULL;
    http_resp_free(&r);
    return json;
}

/* The raw body of a 200 GET on the private mock (caller frees). */
static char *private_read(const char *path, const char *key) {
    struct http_resp r;
    http_call("GET", fmt("%s%s", M.url, path), key, NULL, NULL, &r);
    expect_status(&r, 200);
    char *body = strdup(r.body);
    http_resp_free(&r);
    return body;
}

/* POST /transactions on the private mock; returns the transaction id (caller frees). */
static char *private_tx(const char *key, const char *from, const char *to, const char *amount,
                        long status) {
    cJSON *o = private_json("POST", "/transactions", key, false,
                            fmt("{\"agent_id\": \"%s\", \"counterparty_id\": \"%s\", \"amount\": %s,"
                                " \"action_type\": \"execute_trades\"}", from, to, amount),
                            status);
    const cJSON *holder = status == 201 ? o : jobj(o, "error");
    char *id = strdup(jstr(holder, status == 201 ? "id" : "transaction_id"));
    cJSON_Delete(o);
    return id;
}

/* Waits until the endpoint's delivery log lists n attempts: an attempt the receiver has seen
 * is logged once the mock has its answer (an attempt still in flight when a snapshot is
 * taken is made again after a restore). */
static void private_wait_logged(const char *wh_id, const char *admin_key, int n) {
    for (int waited = 0;; waited += 20) {
        cJSON *page = private_json("GET", fmt("/webhooks/%s/deliveries", wh_id), admin_key, false,
                                   NULL, 200);
        int logged = cJSON_GetArraySize(jarr(page, "data"));
        cJSON_Delete(page);
        if (logged >= n) return;
        cr_assert_lt(waited, 10000, "%d attempts logged after 10 s, expected %d", logged, n);
        usleep(20 * 1000);
    }
}

struct org_keys {
    char id[80], read[96], write[96], admin[96], alter[128];
};

static void private_org_keys(struct org_keys *k) {
    cJSON *o = private_json("POST", "/_mock/orgs", NULL, false, "{}", 201);
    snprintf(k->id, sizeof k->id, "%s", jstr(o, "id"));
    snprintf(k->read, sizeof k->read, "%s", jstr(jobj(o, "keys"), "read"));
    snprintf(k->write, sizeof k->write, "%s", jstr(jobj(o, "keys"), "write"));
    snprintf(k->admin, sizeof k->admin, "%s", jstr(jobj(o, "keys"), "admin"));
    snprintf(k->alter, sizeof k->alter, "%s", jstr(jobj(o, "alter"), "app_key"));
    cJSON_Delete(o);
}

/* A receiver answering 503 and a new org of the private mock with an endpoint there for
 * `event`, retried an hour after a failure: an event is still waiting when the mock stops
 * or its state is replaced.  *wh_id and *secret: the endpoint's (caller frees). */
static struct receiver *waiting_endpoint(struct org_keys *k, const char *event, char **wh_id,
                                         char **secret) {
    struct receiver *rc = receiver_start();
    receiver_reply(rc, 503, 0);
    private_org_keys(k);
    cJSON_Delete(private_json("PATCH", fmt("/_mock/orgs/%s/webhook-settings", k->id), NULL, false,
                              "{\"retry_base_ms\": 3600000, \"max_attempts\": 5}", 200));
    cJSON *wh = private_json("POST", "/webhooks", k->admin, false,
                             fmt("{\"url\": \"%s\", \"events\": [\"%s\"]}",
                                 receiver_url(rc, "/hook"), event),
                             201);
    *secret = strdup(jstr(wh, "secret"));
    *wh_id = strdup(jstr(wh, "id"));
    cJSON_Delete(wh);
    return rc;
}

/* Everything one org can hold, then a restart from the state file: every read answers the
 * same, keys of both APIs still authenticate, both kinds of chain verify, and the webhook
 * event that was waiting for a retry is delivered, signed, after the restart. */
Test(sandbox_state, every_feature_survives_a_restart, .timeout = 60) {
    char *path = tmp_state_path();
    const char *const args[] = {"--state", path, NULL};
    start_private(args);
    struct org_keys k;
    char *wh_id, *secret;
    struct receiver *rc = waiting_endpoint(&k, "transaction.completed", &wh_id, &secret);

    char *a = private_agent(k.write, "Payer"), *b = private_agent(k.write, "Payee");
    char *idem_body = agent_body("Registered Once");
    const char *idem_headers[] = {"Idempotency-Key: restart-1", NULL};
    struct http_req idem = {.method = "POST", .path = fmt("%s/agents", M.url), .api_key = k.write,
                            .body = idem_body, .headers = idem_headers};
    struct http_resp first;
    http_do(&idem, &first);
    expect_status(&first, 201);
    char *kept = private_tx(k.write, a, b, "10.00", 201);
    char *reversed = private_tx(k.write, a, b, "20.00", 201);
    char *failed = private_tx(k.write, a, b, "99999.00", 403); /* over the limit */
    cJSON_Delete(private_json("POST", fmt("/transactions/%s/reverse", reversed), k.write, false,
                              "{\"reason\": \"duplicate\"}", 200));
    cJSON *dispute = private_json("POST", "/trust/report", k.write, false,
                                  fmt("{\"agent_id\": \"%s\", \"reason\": \"never delivered\","
                                      " \"transaction_id\": \"%s\"}", b, kept),
                                  201);
    char *dispute_id = strdup(jstr(dispute, "dispute_id"));
    cJSON_Delete(dispute);
    cJSON *alter_agent = private_json("POST", "/sdk/agents", k.alter, true,
                                      "{\"name\": \"restart-bot\"}", 201);
    char *alter_id = strdup(jstr(alter_agent, "id")), *alter_key = strdup(jstr(alter_agent, "api_key"));
    cJSON_Delete(alter_agent);
    expect_deliveries(rc, 1, 10000); /* the first event's first attempt, answered 503 */
    private_wait_logged(wh_id, k.admin, 1);

    const char *reads[] = {
        "/transactions?limit=100", fmt("/transactions/%s", kept), fmt("/transactions/%s", reversed),
        fmt("/transactions/%s", failed), fmt("/trust/%s", a), fmt("/trust/%s/history", b),
        fmt("/trust/disputes/%s", dispute_id), fmt("/agents/%s/audit", a),
    };
    enum { N_READS = sizeof reads / sizeof reads[0] };
    char *paths[N_READS], *before[N_READS];
    for (size_t i = 0; i < N_READS; i++) {
        paths[i] = strdup(reads[i]);
        before[i] = private_read(paths[i], k.read);
    }
    char *log_before = private_read(fmt("/webhooks/%s/deliveries", wh_id), k.admin);
    int status = mock_process_stop(&M, SIGTERM, 10000);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit after saving");
    char *saved = slurp(path);
    const char *plaintexts[] = {k.read, k.write, k.admin, k.alter, alter_key};
    for (size_t i = 0; i < sizeof plaintexts / sizeof plaintexts[0]; i++)
        cr_assert_null(strstr(saved, plaintexts[i]), "the state file holds a plaintext key");
    cr_assert_not_null(strstr(saved, secret), "webhook secrets are saved: the mock signs with them");
    free(saved);

    start_private(args);
    for (size_t i = 0; i < N_READS; i++) {
        char *after = private_read(paths[i], k.read);
        cr_assert_str_eq(after, before[i], "GET %s differs after the restart", paths[i]);
        free(after);
        free(paths[i]);
        free(before[i]);
    }
    char *log_after = private_read(fmt("/webhooks/%s/deliveries", wh_id), k.admin);
    cr_assert_str_eq(log_after, log_before, "the delivery log survives");
    free(log_before);
    free(log_after);
    struct http_resp again;
    idem.path = fmt("%s/agents", M.url);
    http_do(&idem, &again);
    expect_status(&again, 201);
    cr_assert_str_eq(again.body, first.body, "the Idempotency-Key replays across the restart");
    cr_assert_str_eq(resp_header(&again, "Idempotent-Replayed"), "true");
    http_resp_free(&first);
    http_resp_free(&again);
    free(idem_body);
    cJSON *me = private_json("GET", "/sdk/agents/me", alter_key, true, NULL, 200);
    cr_assert_str_eq(jstr(me, "id"), alter_id, "the agent key still authenticates");
    cJSON_Delete(me);
    cJSON *verify = private_json("GET", "/sdk/audit/verify", k.alter, true, NULL, 200);
    cr_assert(jbool(verify, "valid"), "the Alter audit chain verifies after the restart");
    cr_assert_geq(jnum(verify, "length"), 1);
    cJSON_Delete(verify);
    cJSON *chain = private_json("GET", fmt("/agents/%s/audit/verify", a), k.read, false, NULL, 200);
    cr_assert(jbool(chain, "valid"));
    cJSON_Delete(chain);

    /* the waiting retry becomes due once the clock passes it; the second event follows it,
     * then one made after the restart */
    receiver_reply(rc, 200, 0);
    cJSON_Delete(private_json("POST", "/_mock/clock", NULL, false, "{\"advance_seconds\": 7200}", 200));
    free(private_tx(k.write, a, b, "1.00", 201));
    expect_deliveries(rc, 4, 15000);
    cr_assert_str_eq(receiver_get(rc, 1)->body, receiver_get(rc, 0)->body,
                     "the restored event goes out byte for byte as it was queued");
    for (size_t i = 1; i < 4; i++)
        cJSON_Delete(expect_delivery(receiver_get(rc, i), secret, "transaction.completed"));
    cJSON *last = received_json(receiver_get(rc, 3));
    cr_assert_str_neq(jstr(jobj(last, "data"), "id"), kept, "the new event comes last");
    cJSON_Delete(last);

    stop_private();
    receiver_stop(rc);
    unlink(path);
    free(path);
    free(secret), free(wh_id), free(a), free(b), free(kept), free(reversed), free(failed);
    free(dispute_id), free(alter_id), free(alter_key);
}

Test(sandbox_state, tampered_transaction_record_is_refused_naming_its_line, .fini = stop_private) {
    start_private(NULL);
    struct org_keys k;
    private_org_keys(&k);
    char *a = private_agent(k.write, "Payer"), *b = private_agent(k.write, "Payee");
    char *tx = private_tx(k.write, a, b, "12.34", 201);
    char *state = export_state();
    char *rec = strstr(state, fmt("{\"type\":\"transaction\",\"org_id\":\"%s\",\"id\":\"%s\"",
                                  k.id, tx));
    cr_assert_not_null(rec, "the export holds the transaction's record");
    size_t line = 1;
    for (const char *p = state; p < rec; p++) line += *p == '\n';
    char *amount = strstr(rec, "\"amount_cents\":1234,");
    cr_assert_not_null(amount);
    memcpy(amount + strlen("\"amount_cents\":"), "9234", 4);
    char *later = private_agent(k.write, "Created After Export");

    struct http_resp r;
    struct http_req req = {.method = "PUT", .path = fmt("%s/_mock/state", M.url), .body = state,
                           .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    expect_error(&r, 422, "invalid_snapshot");
    const char *message = jstr(jobj(r.json, "error"), "message");
    cr_assert_not_null(strstr(message, fmt("Line %zu:", line)), "names the line: %s", message);
    cr_assert_not_null(strstr(message, tx), "names the transaction: %s", message);
    http_resp_free(&r);
    cr_assert_eq(private_status("GET", fmt("/agents/%s", later), k.write, NULL), 200,
                 "a refused import leaves the store as it was");
    cJSON *got = private_json("GET", fmt("/transactions/%s", tx), k.read, false, NULL, 200);
    cr_assert_eq(jnum(got, "amount"), 12.34);
    cJSON_Delete(got);
    free(state), free(a), free(b), free(tx), free(later);
}

/* PUT /_mock/state replaces the org while one of its events waits for a retry: the restored
 * org delivers it once; the replaced one delivers nothing more. */
Test(sandbox_state, import_hands_waiting_deliveries_to_the_restored_org_only, .timeout = 60,
     .fini = stop_private) {
    start_private(NULL);
    struct org_keys k;
    char *wh_id, *secret;
    struct receiver *rc = waiting_endpoint(&k, "agent.registered", &wh_id, &secret);
    free(private_agent(k.write, "Announced"));
    expect_deliveries(rc, 1, 10000);
    private_wait_logged(wh_id, k.admin, 1);
    char *state = export_state();
    import_state(state, 200, NULL);

    receiver_reply(rc, 200, 0);
    cJSON_Delete(private_json("POST", "/_mock/clock", NULL, false, "{\"advance_seconds\": 7200}", 200));
    expect_deliveries(rc, 2, 10000);
    cJSON_Delete(expect_delivery(receiver_get(rc, 1), secret, "agent.registered"));
    cr_assert_str_eq(receiver_get(rc, 1)->body, receiver_get(rc, 0)->body);
    cr_assert_eq(receiver_wait(rc, 3, 1500), 2, "the replaced org's retry went out as well");
    receiver_stop(rc);
    free(secret);
    free(wh_id);
    free(state);
}

Test(sandbox_state, snapshot_without_a_state_file_is_409) {
    require_mock();
    struct http_resp r;
    http_call("POST", "/_mock/snapshot", NULL, NULL, NULL, &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
}
