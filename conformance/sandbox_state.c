/* State snapshots (DESIGN.md sandbox controls): GET/PUT /_mock/state, --state FILE, and
 * POST /_mock/snapshot.  Each test runs a private agentmock: importing replaces the whole
 * store, which the shared mock's other tests must never see. */
#include "harness.h"

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
    char *p = strstr(state, "\"new_value\":\"Renamed Agent\"");
    cr_assert_not_null(p, "the rename's audit payload is in the export");
    memcpy(p + strlen("\"new_value\":\""), "Forged", 6);
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
    int mock_pid = M.pid;
    int status = mock_process_stop(&M, SIGKILL, 5000);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed mid-save");
    waitpid(saver, NULL, 0);
    struct stat st;
    cr_assert_eq(stat(fmt("%s.tmp.%d", path, mock_pid), &st), 0,
                 "the kill landed during the save: its temporary file is still there");

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

Test(sandbox_state, snapshot_without_a_state_file_is_409) {
    require_mock();
    struct http_resp r;
    http_call("POST", "/_mock/snapshot", NULL, NULL, NULL, &r);
    expect_error(&r, 409, "conflict");
    http_resp_free(&r);
}
