/* State snapshots (DESIGN.md sandbox controls): GET/PUT /_mock/state, --state FILE, and
 * POST /_mock/snapshot.  Each test runs a private agentmock: importing replaces the whole
 * store, which the shared mock's other tests must never see. */
#include "alter_harness.h"
#include "canonical_json.h"
#include "harness.h"
#include "receiver.h"
#include "webhook_helpers.h"

#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <time.h>
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

/* ?audit_chains=as_given keeps the forged entry with the hash it was saved with: the chain
 * loads and its verification reports the entry broken, the one after it still linking. */
Test(sandbox_state, tampered_chain_imported_as_given_verifies_broken, .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *id = private_agent(key, "Honest Agent");
    cr_assert_eq(private_status("PATCH", fmt("/agents/%s", id), key, "{\"name\": \"Renamed Agent\"}"), 200);
    cr_assert_eq(private_status("POST", fmt("/agents/%s/suspend", id), key, NULL), 200);
    char *state = export_state();
    char *p = strstr(state, "\\\"new_value\\\":\\\"Renamed Agent\\\"");
    cr_assert_not_null(p, "the rename's audit payload is in the export");
    memcpy(p + strlen("\\\"new_value\\\":\\\""), "Forged", 6);

    struct http_resp r;
    struct http_req bad = {.method = "PUT", .path = fmt("%s/_mock/state?audit_chains=maybe", M.url),
                           .body = state, .content_type = "application/x-ndjson"};
    http_do(&bad, &r);
    expect_field_error(&r, "audit_chains");
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/audit/verify", M.url, id), key, NULL, NULL, &r);
    cr_assert(jbool(r.json, "valid"), "a refused import changes nothing");
    http_resp_free(&r);

    /* as_given still needs a hash: an entry whose payload_hash is not one is refused */
    char *unhashed = strdup(state), *h = strstr(unhashed, "\"payload_hash\":\"sha256:");
    cr_assert_not_null(h);
    memcpy(h + strlen("\"payload_hash\":\"sha256:"), "zz", 2);
    struct http_req garbled = {.method = "PUT", .path = fmt("%s/_mock/state?audit_chains=as_given", M.url),
                               .body = unhashed, .content_type = "application/x-ndjson"};
    http_do(&garbled, &r);
    expect_error(&r, 422, "invalid_snapshot");
    http_resp_free(&r);
    free(unhashed);

    struct http_req req = {.method = "PUT", .path = fmt("%s/_mock/state?audit_chains=as_given", M.url),
                           .body = state, .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/audit/verify", M.url, id), key, NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert(!jbool(r.json, "valid"), "the forged entry is caught: %s", resp_excerpt(&r));
    cr_assert_eq(jnum(r.json, "length"), 3);
    char *broken_at = strdup(jstr(r.json, "broken_at"));
    http_resp_free(&r);
    http_call("GET", fmt("%s/agents/%s/audit", M.url, id), key, NULL, NULL, &r);
    expect_status(&r, 200);
    const cJSON *rename = cJSON_GetArrayItem(jarr(r.json, "data"), 1); /* newest first */
    cr_assert_str_eq(jstr(rename, "action"), "agent.updated");
    cr_assert_str_eq(broken_at, jstr(rename, "id"), "registered verifies, the forged rename does not");
    cr_assert_str_eq(jstr(jobj(rename, "payload"), "new_value"), "Forgedd Agent", "the chain holds the forgery");
    http_resp_free(&r);
    free(broken_at);
    free(state);
    free(id);
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

/* ---- a state file is outside input ------------------------------------------------------- */

/* The state with the record of agent_id replaced by edit(record) (caller frees). */
static char *with_agent_record(const char *state, const char *agent_id,
                               void (*edit)(cJSON *rec, void *ctx), void *ctx) {
    const char *start = strstr(state, "{\"type\":\"agent\"");
    while (start && !strstr(start, fmt("\"id\":\"%s\"", agent_id)))
        start = strstr(start + 1, "{\"type\":\"agent\"");
    for (; start; start = strstr(start + 1, "\n{\"type\":\"agent\"")) {
        if (*start == '\n') start++;
        const char *end = strchr(start, '\n');
        cJSON *rec = cJSON_ParseWithLength(start, (size_t)(end - start));
        if (!rec || strcmp(jstr(rec, "id"), agent_id) != 0) {
            cJSON_Delete(rec);
            continue;
        }
        edit(rec, ctx);
        char *line = cJSON_PrintUnformatted(rec);
        cJSON_Delete(rec);
        size_t head = (size_t)(start - state), line_len = strlen(line);
        char *out = malloc(head + line_len + strlen(end) + 1);
        memcpy(out, state, head);
        memcpy(out + head, line, line_len);
        strcpy(out + head + line_len, end);
        free(line);
        return out;
    }
    cr_assert_fail("no record of agent %s in the export", agent_id);
    return NULL;
}

/* The first audit entry's payload becomes the text ctx, and its payload_hash is recomputed
 * from it as the mock computes it, so the chain still verifies: only the text is wrong. */
static void set_first_payload(cJSON *rec, void *ctx) {
    cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rec, "audit"), 0);
    cJSON_ReplaceItemInObjectCaseSensitive(entry, "payload", cJSON_CreateString(ctx));
    time_t at = (time_t)jnum(entry, "created_at");
    struct tm tm;
    char ts[32], hash[SHA256_TAGGED_LEN];
    gmtime_r(&at, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON *hashed = cJSON_CreateObject();
    cJSON_AddStringToObject(hashed, "id", jstr(entry, "id"));
    cJSON_AddStringToObject(hashed, "agent_id", jstr(rec, "id"));
    cJSON_AddStringToObject(hashed, "action", jstr(entry, "action"));
    cJSON_AddItemToObject(hashed, "payload", cJSON_CreateRaw(ctx)); /* the text as it is */
    cJSON_AddStringToObject(hashed, "actor_id", jstr(entry, "actor_id"));
    cJSON_AddStringToObject(hashed, "created_at", ts);
    cJSON_AddNullToObject(hashed, "previous_hash");
    cr_assert_eq(canonical_sha256(hashed, hash), 0);
    cJSON_Delete(hashed);
    cJSON_ReplaceItemInObjectCaseSensitive(entry, "payload_hash", cJSON_CreateString(hash));
}

/* "[[[...]]]" nested n deep (caller frees). */
static char *nested(int n) {
    char *s = malloc(2 * (size_t)n + 1);
    memset(s, '[', (size_t)n);
    memset(s + n, ']', (size_t)n);
    s[2 * n] = '\0';
    return s;
}

/* PUT /_mock/state refuses body with 422 invalid_snapshot naming why, and an agent created
 * before the import is still there. */
static void expect_refused(const char *body, const char *key, const char *kept_agent,
                           const char *why) {
    struct http_resp r;
    struct http_req req = {.method = "PUT", .path = fmt("%s/_mock/state", M.url), .body = body,
                           .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    expect_error(&r, 422, "invalid_snapshot");
    const char *message = jstr(jobj(r.json, "error"), "message");
    cr_assert_not_null(strstr(message, why), "the error says '%s': %s", why, message);
    http_resp_free(&r);
    cr_assert_eq(private_status("GET", "/_mock/health", NULL, NULL), 200, "the mock lives");
    cr_assert_eq(private_status("GET", fmt("/agents/%s", kept_agent), key, NULL), 200,
                 "a refused import changes nothing");
}

Test(sandbox_state, a_state_line_nested_800_deep_is_422_not_a_crash, .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *kept = private_agent(key, "Kept Agent");
    char *deep = nested(800);
    char *body = malloc(strlen(deep) + 256);
    sprintf(body, "{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":3,"
                  "\"clock_offset_seconds\":0,\"alter_key_pepper\":\"%064d\"}\n%s\n", 0, deep);
    expect_refused(body, key, kept, "Line 2: the line nests deeper than 64 levels");
    free(body), free(deep), free(kept);
}

Test(sandbox_state, a_hand_edited_audit_payload_must_be_canonical_json_within_limits,
     .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *id = private_agent(key, "Edited Agent");
    char *state = export_state();
    char *kept = private_agent(key, "Created Before Import");
    char *deep = nested(600);
    const char *payloads[] = {deep, "not json", "{\"b\":1,\"a\":2}" /* JSON, not canonical */};
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *edited = with_agent_record(state, id, set_first_payload, (void *)payloads[i]);
        expect_refused(edited, key, kept, "payload is not canonical JSON");
        free(edited);
    }
    cr_assert_eq(private_status("GET", fmt("/agents/%s/audit", id), key, NULL), 200);

    /* the same file given to --state: refused at start with the reason, not loaded */
    char *edited = with_agent_record(state, id, set_first_payload, deep);
    char *path = tmp_state_path();
    FILE *f = fopen(path, "w");
    fputs(edited, f);
    fclose(f);
    const char *bin = getenv("AGENTMOCK_BIN");
    FILE *p = popen(fmt("timeout 20 %s --listen 127.0.0.1:0 --state %s 2>&1; echo \"exit=$?\"",
                        bin && *bin ? bin : AGENTMOCK_BIN, path),
                    "r");
    char out[4096] = "";
    out[fread(out, 1, sizeof out - 1, p)] = '\0';
    pclose(p);
    cr_assert_not_null(strstr(out, "agentmock: cannot load state:"), "%s", out);
    cr_assert_not_null(strstr(out, "payload is not canonical JSON"), "%s", out);
    cr_assert_not_null(strstr(out, "exit=1"), "%s", out);
    unlink(path);
    free(path), free(edited);
    free(deep), free(state), free(kept), free(id);
}

static void negative_limit(cJSON *rec, void *ctx) {
    (void)ctx;
    cJSON_ReplaceItemInObjectCaseSensitive(rec, "spending_limit_cents", cJSON_CreateNumber(-500));
}
static void ten_thousand_actions(cJSON *rec, void *ctx) {
    (void)ctx;
    cJSON *actions = cJSON_CreateArray();
    for (int i = 0; i < 10000; i++) cJSON_AddItemToArray(actions, cJSON_CreateString(fmt("act_%d", i)));
    cJSON_ReplaceItemInObjectCaseSensitive(rec, "authorized_actions", actions);
}
static void set_string(cJSON *rec, void *ctx) {
    const char *const *kv = ctx; /* {member, value} */
    cJSON_ReplaceItemInObjectCaseSensitive(rec, kv[0], cJSON_CreateString(kv[1]));
}
static void empty_chain(cJSON *rec, void *ctx) {
    (void)ctx;
    cJSON_ReplaceItemInObjectCaseSensitive(rec, "audit", cJSON_CreateArray());
}

Test(sandbox_state, import_applies_the_api_field_rules, .fini = stop_private) {
    start_private(NULL);
    const char *key = private_org(NULL);
    char *id = private_agent(key, "Ruled Agent");
    char *state = export_state();
    char *kept = private_agent(key, "Created Before Import");
    const char *bad_utf8[] = {"name", "Bad \xff\xfe Name"};
    const char *bad_fingerprint[] = {
        "fingerprint", "sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    const char *short_name[] = {"name", "x"};
    const struct {
        void (*edit)(cJSON *, void *);
        void *ctx;
        const char *why;
    } cases[] = {
        {negative_limit, NULL, "spending_limit must be greater than 0"},
        {ten_thousand_actions, NULL, "authorized_actions must have 1 to 50 items"},
        {set_string, bad_utf8, "the line is not valid UTF-8"},
        {set_string, bad_fingerprint, "fingerprint must be"},
        {set_string, short_name, "name must be"},
        {empty_chain, NULL, "empty audit chain"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *edited = with_agent_record(state, id, cases[i].edit, cases[i].ctx);
        expect_refused(edited, key, kept, cases[i].why);
        free(edited);
    }
    /* a NUL in a name: "\u0000" in the line */
    char *nul = with_agent_record(state, id, set_string, (const char *[]){"name", "Nul Name"});
    char *at = strstr(nul, "\"name\":\"Nul Name\"");
    cr_assert_not_null(at);
    char *with_nul = malloc(strlen(nul) + 8);
    size_t head = (size_t)(at - nul) + strlen("\"name\":\"Nul");
    memcpy(with_nul, nul, head);
    strcpy(with_nul + head, "\\u0000");
    strcat(with_nul, nul + head);
    expect_refused(with_nul, key, kept, "holds \\u0000 in a string");
    free(with_nul), free(nul);
    import_state(state, 200, NULL); /* the export as it was still loads */
    free(state), free(kept), free(id);
}

/* A --state FILE the mock could not save to at shutdown is refused at start, with a message
 * that says why, instead of losing the state when it stops. */
Test(sandbox_state, a_state_file_in_a_missing_or_unwritable_directory_refuses_to_start) {
    const char *bin = getenv("AGENTMOCK_BIN");
    if (!bin || !*bin) bin = AGENTMOCK_BIN;
    const struct {
        const char *path, *why;
    } cases[] = {
        {"/nonexistent-agentmock-dir/state.ndjson", "does not exist"},
        {"/proc/agentmock-state.ndjson", "cannot write in /proc"}, /* not even for root */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *p = popen(fmt("timeout 20 %s --listen 127.0.0.1:0 --no-fixtures --state %s 2>&1; "
                            "echo \"exit=$?\"",
                            bin, cases[i].path),
                        "r");
        cr_assert_not_null(p);
        char out[4096] = "";
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        pclose(p);
        cr_assert_not_null(strstr(out, "agentmock: --state: "), "a clear message: %s", out);
        cr_assert_not_null(strstr(out, cases[i].why), "says why (%s): %s", cases[i].why, out);
        cr_assert_not_null(strstr(out, "exit=2"), "refuses to start: %s", out);
    }
}

struct saver_args {
    int saves;
    long failures; /* answers other than 200 */
};

static void *save_repeatedly(void *arg) {
    struct saver_args *s = arg;
    for (int i = 0; i < s->saves; i++) {
        struct http_resp r;
        http_call("POST", fmt("%s/_mock/snapshot", M.url), NULL, NULL, NULL, &r);
        if (r.status != 200) s->failures++;
        http_resp_free(&r);
    }
    return NULL;
}

/* Saves run one at a time, each through a temporary file of its own: concurrent saves and
 * one-org resets all succeed, and the file they leave loads at the next start. */
Test(sandbox_state, concurrent_saves_and_resets_all_succeed_and_the_file_loads, .timeout = 120) {
    char *path = tmp_state_path();
    const char *const args[] = {"--state", path, NULL};
    start_private(args);
    char org[80];
    const char *churned_key = private_org(org);
    char churned_write[96];
    snprintf(churned_write, sizeof churned_write, "%s", churned_key);
    const char *key = private_org(NULL);
    char *kept = private_agent(key, "Kept Across Saves");
    enum { SAVERS = 4 };
    struct saver_args savers[SAVERS];
    pthread_t threads[SAVERS];
    for (int i = 0; i < SAVERS; i++) {
        savers[i] = (struct saver_args){.saves = 6};
        pthread_create(&threads[i], NULL, save_repeatedly, &savers[i]);
    }
    for (int round = 0; round < 6; round++) { /* the churned org: filled, then reset */
        for (int i = 0; i < 5; i++) free(private_agent(churned_write, fmt("Churn %d %d", round, i)));
        cr_assert_eq(private_status("POST", "/_mock/reset", NULL, fmt("{\"org_id\": \"%s\"}", org)),
                     200);
    }
    for (int i = 0; i < SAVERS; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(savers[i].failures, 0, "saver %d: %ld saves failed", i, savers[i].failures);
    }
    int status = mock_process_stop(&M, SIGTERM, 10000);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit after saving");
    glob_t left;
    cr_assert_eq(glob(fmt("%s.tmp.*", path), 0, NULL, &left), GLOB_NOMATCH,
                 "no temporary file is left behind");
    start_private(args);
    cr_assert_eq(private_status("GET", fmt("/agents/%s", kept), key, NULL), 200);
    stop_private();
    unlink(path);
    free(path), free(kept);
}

/* A client that stops reading GET /_mock/state stalls only its own connection: the export
 * holds no tenant lock while it writes to the socket, so the org's requests are answered. */
Test(sandbox_state, a_stalled_state_reader_blocks_no_tenant, .timeout = 180, .fini = stop_private) {
    start_private(NULL);
    char org[80], key[96];
    snprintf(key, sizeof key, "%s", private_org(org));
    /* some tens of MB: more than the socket buffers on both sides hold */
    cJSON_Delete(private_json("POST", fmt("/_mock/orgs/%s/generate", org), NULL, false,
                              "{\"agents\": 20000, \"transactions\": 20000}", 200));
    int port = atoi(strrchr(M.url, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    const char *get = "GET /_mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    cr_assert_eq(write(fd, get, strlen(get)), (ssize_t)strlen(get));
    /* never read: the export fills the buffers and its writes block */
    int answered = 0;
    for (int i = 0; i < 5; i++) {
        sleep(1);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long status = private_status("GET", "/agents?limit=1", key, NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_assert_eq(status, 200);
        if (seconds < 5) answered++;
    }
    /* the export's own render holds each tenant briefly; a stalled socket never does */
    cr_assert_geq(answered, 4, "the org's requests wait for a client that does not read");
    close(fd);
}

/* hex HMAC-SHA256(pepper as its 32 bytes, key): the Alter key index under that pepper. */
static void key_lookup(const char *pepper_hex, const char *key, char out[65]) {
    unsigned char pepper[32], md[32];
    for (int i = 0; i < 32; i++) sscanf(pepper_hex + 2 * i, "%2hhx", &pepper[i]);
    unsigned int len = 0;
    HMAC(EVP_sha256(), pepper, sizeof pepper, (const unsigned char *)key, strlen(key), md, &len);
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
}

/* The state with its pepper replaced by pepper_hex and the index of Alter key `key`
 * recomputed under it: the same store, keyed differently (caller frees). */
static char *with_pepper(const char *state, const char *key, const char *pepper_hex) {
    char *out = strdup(state);
    char *p = strstr(out, "\"alter_key_pepper\":\"");
    cr_assert_not_null(p);
    p += strlen("\"alter_key_pepper\":\"");
    char old_pepper[65], old_lookup[65], new_lookup[65];
    snprintf(old_pepper, sizeof old_pepper, "%.64s", p);
    memcpy(p, pepper_hex, 64);
    key_lookup(old_pepper, key, old_lookup);
    key_lookup(pepper_hex, key, new_lookup);
    char *at = strstr(out, fmt("\"lookup\":\"%s\"", old_lookup));
    cr_assert_not_null(at, "the key's index is in the export");
    memcpy(at + strlen("\"lookup\":\""), new_lookup, 64);
    return out;
}

struct alter_reader {
    const char *key;
    atomic_bool *stop;
    long calls, unauthorized;
};

static void *read_with_alter_key(void *arg) {
    struct alter_reader *rd = arg;
    while (!atomic_load(rd->stop)) {
        struct http_resp r;
        alter_http("GET", fmt("%s/sdk/agents", M.url), rd->key, NULL, NULL, &r);
        rd->calls++;
        if (r.status == 401) rd->unauthorized++;
        http_resp_free(&r);
    }
    return NULL;
}

struct importer {
    const char *state;
    long status;
};

static void *import_once(void *arg) {
    struct importer *im = arg;
    struct http_resp r;
    struct http_req req = {.method = "PUT", .path = fmt("%s/_mock/state", M.url), .body = im->state,
                           .content_type = "application/x-ndjson"};
    http_do(&req, &r);
    im->status = r.status;
    http_resp_free(&r);
    return NULL;
}

/* An import replaces the store, the Alter key pepper and the clock in one step: a key valid
 * in both snapshots never fails while they are imported in turn, and two imports at once
 * never leave one's store with the other's pepper. */
Test(sandbox_state, imports_swap_store_and_pepper_at_once, .timeout = 180, .fini = stop_private) {
    start_private(NULL);
    struct org_keys k;
    private_org_keys(&k);
    cJSON_Delete(private_json("PATCH", fmt("/_mock/orgs/%s", k.id), NULL, false,
                              "{\"alter_rate_limit_rpm\": 1000000}", 200));
    char *a = export_state();
    char *b = with_pepper(a, k.alter,
                          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    atomic_bool stop = false;
    enum { READERS = 2 };
    struct alter_reader readers[READERS];
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++) {
        readers[i] = (struct alter_reader){.key = k.alter, .stop = &stop};
        pthread_create(&threads[i], NULL, read_with_alter_key, &readers[i]);
    }
    for (int i = 0; i < 40; i++) import_state(i % 2 ? a : b, 200, NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < READERS; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_gt(readers[i].calls, 0);
        cr_assert_eq(readers[i].unauthorized, 0, "%ld of %ld calls with a valid key got 401",
                     readers[i].unauthorized, readers[i].calls);
    }
    for (int round = 0; round < 20; round++) {
        struct importer ia = {.state = a}, ib = {.state = b};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, import_once, &ia);
        pthread_create(&tb, NULL, import_once, &ib);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        cr_assert(ia.status == 200 && ib.status == 200);
        struct http_resp r;
        alter_http("GET", fmt("%s/sdk/agents", M.url), k.alter, NULL, NULL, &r);
        cr_assert_eq(r.status, 200, "round %d: the key fails after two imports at once", round);
        http_resp_free(&r);
    }
    free(a), free(b);
}

Test(sandbox_state, import_applies_the_alter_api_field_rules, .fini = stop_private) {
    start_private(NULL);
    struct org_keys k;
    private_org_keys(&k);
    cJSON_Delete(private_json("POST", "/sdk/agents", k.alter, true, "{\"name\": \"ruled-bot\"}", 201));
    char *state = export_state();
    char *kept = private_agent(k.write, "Created Before Import");
    char *at = strstr(state, "\"name\":\"ruled-bot\"");
    cr_assert_not_null(at, "the Alter agent is in the export");
    memcpy(at + strlen("\"name\":\""), "Ruled Bot", 9); /* the API takes ^[a-z0-9][a-z0-9_-]+$ */
    expect_refused(state, k.write, kept, "name must");
    free(state), free(kept);
}
