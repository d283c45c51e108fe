/* What a broken or hostile client does at the HTTP level must not run a request, burn an
 * Idempotency-Key, freeze other clients or produce an answer outside the API's envelope:
 * bodies cut short, lengths told two ways, invalid UTF-8 quoted in errors, HEAD, absolute-form
 * request lines, `OPTIONS *`, idle connections, and duplicates of a request that runs long. */
#include "alter_harness.h"
#include "raw_socket.h"
#include "receiver.h"
#include "sandbox.h"
#include "trust_tx.h" /* clock_hold_shared */
#include "webhook_helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

/* Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool utf8_ok(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > n) return false;
        unsigned cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

/* The text of a POST /agents whose Content-Length says `declared` bytes, with an
 * Idempotency-Key; the body bytes are sent separately. */
static const char *post_head(const char *key, const char *idem_key, size_t declared) {
    return fmt("POST /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nIdempotency-Key: %s\r\n"
               "Content-Length: %zu\r\n\r\n",
               raw_target_authority(), key, idem_key, declared);
}

/* Sends head + the first `sent` bytes of body, then ends its side of the connection. */
static void send_cut_short(const char *head, const char *body, size_t sent, struct raw_reply *out) {
    int fd = raw_connect();
    cr_assert(raw_send(fd, head, strlen(head)) && raw_send(fd, body, sent), "sending the request");
    shutdown(fd, SHUT_WR);
    raw_read_reply(fd, 10000, out);
    close(fd);
}

/* The reply says it ends its connection. */
static void expect_closes(const struct raw_reply *r, const char *what) {
    const char *conn = raw_header(r, "Connection");
    cr_assert(conn && !strcmp(conn, "close"), "%s: the connection is closed after it", what);
}

/* Sends request on a connection of its own and reads its answer into *r: the answer must end
 * the connection, with nothing after it (no second answer to bytes left over). */
static void exchange_to_close(const char *request, struct raw_reply *r, const char *what) {
    int fd = raw_connect();
    cr_assert(raw_send(fd, request, strlen(request)), "%s: sending", what);
    struct raw_reply after;
    raw_read_reply(fd, 5000, r);
    raw_read_reply(fd, 1000, &after);
    close(fd);
    expect_closes(r, what);
    cr_assert(after.len == 0 && !strstr(r->body, "HTTP/1."),
              "%s: a second answer followed: %.400s%s", what, r->text, after.text);
}

/* A body cut short is a 400 that closes the connection, never run and never stored. */
static void expect_cut_short_refused(const struct raw_reply *r) {
    cr_assert_eq(r->status, 400, "a body cut short answered: %.300s", r->text);
    cJSON *j = cJSON_Parse(r->body);
    cr_assert(j, "the 400 is JSON: %.300s", r->body);
    const cJSON *err = cJSON_GetObjectItem(j, "error");
    cr_assert_str_eq(jstr(err, "code"), "invalid_json");
    cr_assert(strstr(jstr(err, "message"), "nothing was done"), "message: %s",
              jstr(err, "message"));
    expect_closes(r, "a body cut short");
    cJSON_Delete(j);
}

Test(hardening, body_cut_short_runs_nothing_and_keeps_its_key, .timeout = 60) {
    require_mock();      /* the live service may answer a half-sent request differently */
    clock_hold_shared(); /* the key lives within a window of virtual time */
    struct tenant t;
    tenant_new(&t);
    const char *key = tkey(&t, KEY_WRITE);
    char *body = agent_body(tname(&t, "Cut Short"));
    size_t len = strlen(body);
    char idem[64];
    snprintf(idem, sizeof idem, "cut-%s", t.tag);

    struct raw_reply r;
    send_cut_short(post_head(key, idem, len), body, len / 2, &r);
    expect_cut_short_refused(&r);
    /* a whole JSON object, but fewer bytes than announced: still a request cut short */
    send_cut_short(post_head(key, idem, len + 10), body, len, &r);
    expect_cut_short_refused(&r);
    cr_assert_eq(agent_count(&t), 0, "nothing ran");

    /* the client's retry with the whole body is the key's first request */
    struct http_resp again;
    const char *headers[] = {fmt("Idempotency-Key: %s", idem), NULL};
    http_call_h("POST", "/agents", key, body, headers, &again);
    expect_status(&again, 201);
    cr_assert_null(resp_header(&again, "Idempotent-Replayed"), "not a replay of the cut request");
    cr_assert_eq(agent_count(&t), 1, "the retry ran once");
    http_resp_free(&again);
    free(body);
}

/* The same for Alter's create, whose Idempotency-Key is kept by the handler: a whole object
 * with fewer bytes than announced must not create the agent. */
Test(hardening, alter_body_cut_short_creates_nothing, .timeout = 60) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *key = alter_key(&t);
    const char *body = fmt("{\"name\": \"cut-%s\"}", t.tag);
    size_t len = strlen(body);
    const char *head = fmt("POST /sdk/agents HTTP/1.1\r\nHost: %s\r\nx-api-key: %s\r\n"
                           "Content-Type: application/json\r\nIdempotency-Key: cut-%s\r\n"
                           "Content-Length: %zu\r\n\r\n",
                           raw_target_authority(), key, t.tag, len + 5);
    struct raw_reply r;
    send_cut_short(head, body, len, &r);
    cr_assert_eq(r.status, 400, "a body cut short answered: %.300s", r.text);
    cJSON *j = cJSON_Parse(r.body);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "error")), "invalid_json");
    cJSON_Delete(j);
    struct http_resp list;
    alter_http("GET", "/sdk/agents", key, NULL, NULL, &list);
    expect_status(&list, 200);
    cr_assert_eq(jnum(list.json, "total"), 0, "nothing was created: %s", resp_excerpt(&list));
    http_resp_free(&list);
}

/* PUT /_mock/state reads its body itself: a snapshot cut short at a line boundary is still
 * not the snapshot, and must not replace the state. */
Test(hardening, state_import_cut_short_changes_nothing, .timeout = 60) {
    own_mock_start(NULL);
    struct http_resp r;
    http_call("GET", "/_mock/state", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    const char *first_line_end = strchr(r.body, '\n');
    cr_assert(first_line_end && first_line_end[1], "an export of more than its meta line");
    size_t whole = r.body_len, sent = (size_t)(first_line_end + 1 - r.body);
    struct tenant t; /* made after the export: an import of any of it would remove it */
    tenant_new(&t);
    const char *head = fmt("PUT /_mock/state HTTP/1.1\r\nHost: %s\r\n"
                           "Content-Type: application/x-ndjson\r\nContent-Length: %zu\r\n\r\n",
                           raw_target_authority(), whole);
    struct raw_reply cut;
    send_cut_short(head, r.body, sent, &cut);
    http_resp_free(&r);
    cr_assert(cut.status == 0 || cut.status >= 400, "a snapshot cut short was taken: %.300s",
              cut.text);
    http_call("GET", "/agents", tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200); /* the organization made after the export is still there */
    http_resp_free(&r);
    own_mock_stop();
}

/* An error whose message quotes the path is valid UTF-8 JSON even when the path is not. */
static void expect_utf8_error(const struct http_resp *r, long status, bool alter, bool lossy) {
    expect_status(r, status);
    cr_assert(utf8_ok((const unsigned char *)r->body, r->body_len),
              "%s: the error body is not valid UTF-8: %s", r->request, resp_excerpt(r));
    cr_assert(r->json, "%s: the error body is not JSON: %s", r->request, resp_excerpt(r));
    const cJSON *msg = alter
                           ? cJSON_GetObjectItem(r->json, "message")
                           : cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "error"), "message");
    cr_assert(cJSON_IsString(msg) && (!lossy || strstr(msg->valuestring, "?")),
              "%s: the invalid bytes show as '?': %s", r->request, resp_excerpt(r));
}

Test(hardening, error_quoting_invalid_utf8_stays_valid_json) {
    require_mock(); /* valid UTF-8 is the contract's; '?' for a bad byte is the mock's choice */
    struct tenant t;
    tenant_new(&t);
    struct http_resp r;
    alter_http("GET", "/sdk/agents/%ff%fe", alter_key(&t), NULL, NULL, &r);
    expect_utf8_error(&r, 404, true, true);
    cr_assert_str_eq(jstr(r.json, "error"), "agent_not_found");
    http_resp_free(&r);

    http_call("GET", "/no-such-route/%ff%fe", tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_utf8_error(&r, 404, false, true);
    http_resp_free(&r);

    /* a message cut at its size limit: with one of these two paths, inside a character */
    for (int odd = 0; odd < 2; odd++) {
        char path[4096];
        snprintf(path, sizeof path, "/no-such-route/%s", odd ? "xy" : "x");
        for (int i = 0; i < 400; i++)
            strcat(path, "%C3%A9");
        http_call("GET", path, tkey_min(&t, KEY_READ), NULL, NULL, &r);
        expect_utf8_error(&r, 404, false, false);
        http_resp_free(&r);
    }
}

/* An encoded NUL must not cut the path short: "/agents/%00/suspend" read as "/agents" would
 * register an agent from a request that named one that does not exist. */
Test(hardening, encoded_nul_in_the_path_names_no_object) {
    require_mock(); /* a live server may refuse such a path with a 400 instead */
    struct tenant t;
    tenant_new(&t);
    int agents = agent_count(&t);
    char *body = agent_body(tname(&t, "Nul Path"));
    struct http_resp r;
    http_call("POST", "/agents/%00/suspend", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
    http_call("POST", "/agents/x%00", tkey_min(&t, KEY_WRITE), body, NULL, &r);
    expect_status(&r, 405); /* POST /agents/{id} is no route: not POST /agents either */
    http_resp_free(&r);
    free(body);
    cr_assert_eq(agent_count(&t), agents, "a path with %%00 registered an agent");

    http_call("GET", "/agents/%00x", tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found"); /* not the agent list */
    http_resp_free(&r);
    alter_http("GET", "/sdk/agents/%00", alter_key(&t), NULL, NULL, &r);
    expect_alter_error(&r, 404, "agent_not_found");
    http_resp_free(&r);

    /* decoding still applies to every other escape: an id sent percent-encoded is found */
    cJSON *a = agent_register_named(&t, "Encoded Id");
    const char *id = jstr(a, "id");
    char path[160] = "/agents/";
    for (const char *c = id; *c; c++)
        snprintf(path + strlen(path), sizeof path - strlen(path), "%%%02X", (unsigned char)*c);
    http_call("GET", path, tkey_min(&t, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cr_assert_str_eq(jstr(r.json, "id"), id);
    http_resp_free(&r);
    cJSON_Delete(a);
}

Test(hardening, encoded_nul_in_a_query_value_is_not_cut_short) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    static const char *const cases[][2] = {{"/agents?limit=1%00", "limit"},
                                           {"/agents?status=active%00", "status"},
                                           {"/transactions?min_amount=5%00", "min_amount"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_resp r;
        http_call("GET", cases[i][0], tkey_min(&t, KEY_READ), NULL, NULL, &r);
        expect_field_error(&r, cases[i][1]);
        http_resp_free(&r);
    }
}

/* ---- a duplicate of a request that runs long -------------------------------------------- */

struct post_job {
    const char *path, *key, *idem, *body;
    struct http_resp resp;
    pthread_t thread;
};

static void *post_in_thread(void *arg) {
    struct post_job *j = arg;
    const char *headers[] = {j->idem, NULL};
    struct http_req req = {
        .method = "POST", .path = j->path, .api_key = j->key, .body = j->body, .headers = headers};
    http_do(&req, &j->resp);
    return NULL;
}

static void post_start(struct post_job *j, const char *path, const char *key, const char *idem,
                       const char *body) {
    *j = (struct post_job){.path = path, .key = key, .idem = idem, .body = body};
    cr_assert_eq(pthread_create(&j->thread, NULL, post_in_thread, j), 0);
}

static double ms_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

Test(hardening, duplicate_of_a_running_request_gives_up_with_409, .timeout = 60) {
    static const char *const args[] = {"--idempotency-wait-ms", "1000", NULL};
    own_mock_start(args);
    struct tenant t;
    tenant_new(&t);
    struct receiver *rc = receiver_start();
    receiver_reply(rc, 200, 6000); /* the first request runs ~6 s: the webhook test waits */
    webhook_settings(&t, "{\"timeout_ms\": 20000}");
    cJSON *w = webhook_create(&t, receiver_url(rc, "/slow"), "[\"*\"]");
    const char *path = fmt("/webhooks/%s/test", jstr(w, "id"));
    char idem[80], path_copy[160];
    snprintf(idem, sizeof idem, "Idempotency-Key: slow-%s", t.tag);
    snprintf(path_copy, sizeof path_copy, "%s", path);
    const char *key = tkey(&t, KEY_ADMIN);

    struct post_job first;
    post_start(&first, path_copy, key, idem, NULL);
    usleep(800 * 1000); /* the first is now waiting on the receiver */
    struct http_resp dup;
    const char *headers[] = {idem, NULL};
    double start = ms_now();
    http_call_h("POST", path_copy, key, NULL, headers, &dup);
    double took = ms_now() - start;
    expect_error(&dup, 409, "idempotency_key_in_use");
    cr_assert(resp_header(&dup, "Retry-After"), "the 409 says when to retry");
    cr_assert(took >= 900 && took < 4000, "gave up after %.0f ms (the bound is 1000)", took);
    http_resp_free(&dup);

    pthread_join(first.thread, NULL);
    expect_status(&first.resp, 200);
    /* the first ran once and its answer is the key's: a later repeat replays it */
    http_call_h("POST", path_copy, key, NULL, headers, &dup);
    expect_status(&dup, 200);
    const char *replayed = resp_header(&dup, "Idempotent-Replayed");
    cr_assert(replayed && !strcmp(replayed, "true"), "the repeat after it is a replay");
    cr_assert_eq(receiver_count(rc), 1, "the webhook test ran once");
    http_resp_free(&dup);
    http_resp_free(&first.resp);
    cJSON_Delete(w);
    receiver_stop(rc);
    own_mock_stop();
}

/* Injected latency runs before the key is claimed: duplicates that both sleep it do not
 * spend their bounded wait on the other's sleep. */
Test(hardening, injected_latency_is_not_held_under_the_key, .timeout = 60) {
    static const char *const args[] = {"--idempotency-wait-ms", "1000", NULL};
    own_mock_start(args);
    struct tenant t;
    tenant_new(&t);
    fault_add(fmt("{\"action\": \"latency\", \"latency_ms\": 2000, \"method\": \"POST\", "
                  "\"path_prefix\": \"/agents\", \"org_id\": \"%s\"}",
                  t.org_id));
    char *body = agent_body(tname(&t, "Slow Twin"));
    char idem[80];
    snprintf(idem, sizeof idem, "Idempotency-Key: twin-%s", t.tag);
    const char *key = tkey(&t, KEY_WRITE);
    struct post_job a, b;
    post_start(&a, "/agents", key, idem, body);
    usleep(300 * 1000);
    post_start(&b, "/agents", key, idem, body);
    pthread_join(a.thread, NULL);
    pthread_join(b.thread, NULL);
    expect_status(&a.resp, 201);
    expect_status(&b.resp, 201);
    cr_assert_str_eq(b.resp.body, a.resp.body, "the duplicate replays the first answer");
    cr_assert_eq(agent_count(&t), 1, "it ran once");
    http_resp_free(&a.resp);
    http_resp_free(&b.resp);
    free(body);
    own_mock_stop();
}

/* ---- idle connections -------------------------------------------------------------------- */

/* Opens n connections: even ones send nothing, odd ones send one keep-alive request and never
 * read its answer.  Each holds a CivetWeb worker until a timeout frees it. */
static void open_idle(int *fds, int n) {
    const char *req = fmt("GET /_mock/health HTTP/1.1\r\nHost: %s\r\n\r\n", raw_target_authority());
    for (int i = 0; i < n; i++) {
        fds[i] = raw_connect();
        if (i % 2) raw_send(fds[i], req, strlen(req));
    }
}

static void expect_new_client_answered(int timeout_ms) {
    struct raw_reply r;
    const char *req = fmt("GET /_mock/health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                          raw_target_authority());
    raw_exchange(req, timeout_ms, &r);
    cr_assert_eq(r.status, 200, "a new client beside idle connections got no answer within %d ms",
                 timeout_ms);
}

Test(hardening, idle_connections_do_not_lock_out_a_new_client, .timeout = 60) {
    own_mock_start(NULL); /* the defaults are what is tested */
    enum { N = 300 };
    static int fds[N];
    open_idle(fds, N);
    usleep(200 * 1000);
    expect_new_client_answered(3000);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    own_mock_stop();
}

Test(hardening, timeouts_free_the_workers_of_idle_connections, .timeout = 60) {
    static const char *const args[] = {
        "--threads", "4", "--request-timeout-ms", "500", "--keep-alive-timeout-ms", "500", NULL};
    own_mock_start(args);
    enum { N = 8 }; /* twice the workers: two rounds of timeouts before the new client */
    int fds[N];
    open_idle(fds, N);
    usleep(200 * 1000);
    expect_new_client_answered(4000);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    own_mock_stop();
}

/* ---- requests outside the route table ---------------------------------------------------- */

/* A raw reply is the API's error envelope with this code: Alsorn's {"error": {"code"}} or
 * Alter's {"error": "code"}, request_id equal to X-Request-Id. */
static void expect_raw_envelope(const struct raw_reply *r, int status, const char *code,
                                bool alter) {
    cr_assert_eq(r->status, status, "answered: %.300s", r->text);
    const char *type = raw_header(r, "Content-Type");
    cr_assert(type && !strcmp(type, "application/json"), "JSON, not plain text: %.300s", r->text);
    cJSON *j = cJSON_Parse(r->body);
    cr_assert(j, "the body is JSON: %.300s", r->body);
    const cJSON *err = cJSON_GetObjectItem(j, "error");
    const char *got =
        alter ? cJSON_GetStringValue(err) : cJSON_GetStringValue(cJSON_GetObjectItem(err, "code"));
    cr_assert(got && !strcmp(got, code), "error code %s, want %s: %s", got ? got : "(none)", code,
              r->body);
    const cJSON *id = cJSON_GetObjectItem(alter ? j : err, "request_id");
    const char *header_id = raw_header(r, "X-Request-Id");
    cr_assert(cJSON_IsString(id) && header_id && !strcmp(id->valuestring, header_id),
              "request_id repeats X-Request-Id");
    cJSON_Delete(j);
}

Test(hardening, head_on_a_get_route_answers_as_get_without_a_body) {
    struct tenant t;
    tenant_new(&t);
    const char *key = tkey_min(&t, KEY_READ);
    int fd = raw_connect();
    const char *head = fmt("HEAD /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n",
                           raw_target_authority(), key);
    raw_send(fd, head, strlen(head));
    struct raw_reply h, g;
    raw_read_head(fd, 5000, &h);
    cr_assert_eq(h.status, 200, "HEAD /agents: %.300s", h.text);
    cr_assert(raw_header(&h, "X-Request-Id"), "HEAD carries the GET's headers");
    char length[32] = "";
    const char *announced = raw_header(&h, "Content-Length");
    if (announced) snprintf(length, sizeof length, "%s", announced);
    cr_assert(atol(length) > 0, "Content-Length of the body a GET would get: \"%s\"", length);
    cr_assert_str_empty(h.body, "no body after the head");
    /* the same connection goes on: a body sent after the head would come before this answer */
    const char *get = fmt("GET /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                          "Connection: close\r\n\r\n",
                          raw_target_authority(), key);
    raw_send(fd, get, strlen(get));
    raw_read_reply(fd, 5000, &g);
    close(fd);
    cr_assert_eq(g.status, 200, "the next answer on the connection: %.100s", g.text);
    cr_assert_str_eq(raw_header(&g, "Content-Length"), length, "HEAD's Content-Length is GET's");
}

Test(hardening, options_asterisk_is_answered) {
    require_mock();
    struct raw_reply r;
    raw_exchange(fmt("OPTIONS * HTTP/1.1\r\nHost: %s\r\n\r\n", raw_target_authority()), 5000, &r);
    cr_assert_eq(r.status, 200, "OPTIONS *: %.300s", r.text);
    const char *allow = raw_header(&r, "Allow");
    cr_assert(allow && strstr(allow, "GET") && strstr(allow, "POST") && strstr(allow, "DELETE"),
              "Allow lists the methods served: %s", allow ? allow : "(none)");
    cr_assert_str_eq(raw_header(&r, "Content-Length"), "0");
    raw_exchange(fmt("GET * HTTP/1.1\r\nHost: %s\r\n\r\n", raw_target_authority()), 5000, &r);
    expect_raw_envelope(&r, 400, "bad_request", false);
}

Test(hardening, absolute_form_request_lines_are_answered) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    struct raw_reply r;
    /* for this server: served as its path */
    raw_exchange(fmt("GET http://%s/agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                     "Connection: close\r\n\r\n",
                     raw_target_authority(), raw_target_authority(), tkey_min(&t, KEY_READ)),
                 5000, &r);
    cr_assert_eq(r.status, 200, "absolute form for this server: %.300s", r.text);
    cJSON *j = cJSON_Parse(r.body);
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "data")), "the agent list: %.300s", r.body);
    cJSON_Delete(j);
    /* for another server: the mock is no proxy, and says so in the API's envelope */
    raw_exchange(fmt("GET http://127.0.0.1:1/sdk/agents HTTP/1.1\r\nHost: %s\r\n\r\n",
                     raw_target_authority()),
                 5000, &r);
    expect_raw_envelope(&r, 421, "misdirected_request", true);
}

Test(hardening, malformed_request_head_is_answered_in_the_envelope) {
    require_mock();
    struct raw_reply r;
    raw_exchange(fmt("GET /agents HTTP/1.1\r\nHost: %s\r\nThis is no header\r\n\r\n",
                     raw_target_authority()),
                 5000, &r);
    expect_raw_envelope(&r, 400, "bad_request", false);
    raw_exchange(fmt("GET /sdk/agents HTTP/9.9\r\nHost: %s\r\n\r\n", raw_target_authority()), 5000,
                 &r);
    expect_raw_envelope(&r, 505, "http_version_not_supported", true);
    /* a target CivetWeb refuses itself ("Invalid URI") is answered once, not again on close */
    exchange_to_close(fmt("GET abc://x/y HTTP/1.1\r\nHost: %s\r\n\r\n", raw_target_authority()), &r,
                      "an invalid target");
    expect_raw_envelope(&r, 400, "bad_request", false);
}

/* A request that gives its length two ways (RFC 9112 §6.3) is refused before its body is read
 * and its connection closed: served as one reading, the bytes left over would run as the next
 * request, which a proxy in front of the mock may have read as part of this one. */
Test(hardening, a_request_framed_two_ways_runs_nothing_and_closes, .timeout = 60) {
    require_mock(); /* the live service sits behind its own front end */
    clock_hold_shared();
    struct tenant t;
    tenant_new(&t);
    const char *key = tkey(&t, KEY_WRITE);
    char *body = agent_body(tname(&t, "Framed"));
    char *next_body = agent_body(tname(&t, "Smuggled"));
    size_t len = strlen(body);
    /* what would run if the leftover bytes were taken as a request */
    char next[2048], chunked[2048], framing[6][128];
    snprintf(next, sizeof next,
             "POST /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             raw_target_authority(), key, strlen(next_body), next_body);
    size_t both = len + strlen(next);
    snprintf(chunked, sizeof chunked, "%zx\r\n%s\r\n0\r\n\r\n", len, body);
    snprintf(framing[0], 128, "Content-Length: %zu\r\nContent-Length: %zu\r\n", len, both);
    snprintf(framing[1], 128, "Content-Length: %zu\r\nContent-Length: %zu\r\n", both, len);
    snprintf(framing[2], 128, "Content-Length: %zu, %zu\r\n", len, both);
    snprintf(framing[3], 128, "Content-Length: +%zu\r\n", len);
    snprintf(framing[4], 128, "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n");
    snprintf(framing[5], 128, "Transfer-Encoding: identity\r\nContent-Length: %zu\r\n", len);
    for (size_t i = 0; i < 6; i++) {
        const char *request = fmt("POST /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                                  "Content-Type: application/json\r\n%s\r\n%s%s",
                                  raw_target_authority(), key, framing[i],
                                  i == 4 ? chunked : body, next);
        struct raw_reply r;
        exchange_to_close(request, &r, fmt("case %zu (%s)", i, framing[i]));
        cr_assert_eq(r.status, 400, "case %zu (%s) answered: %.300s", i, framing[i], r.text);
        expect_raw_envelope(&r, 400, "bad_request", false);
        cr_assert(strstr(r.body, "nothing was done"), "case %zu: %s", i, r.body);
    }
    cr_assert_eq(agent_count(&t), 0, "nothing ran");

    /* chunked beside a Content-Length (as proxies such as Prism forward a chunked body): the
     * coding wins, and the connection ends after the answer, so nothing after it runs */
    struct raw_reply served;
    exchange_to_close(fmt("POST /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n%s%s",
                          raw_target_authority(), key, both, chunked, next),
                      &served, "chunked beside a length");
    cr_assert_eq(served.status, 201, "chunked beside a length answered: %.300s", served.text);
    cr_assert_eq(agent_count(&t), 1, "the chunked body ran, what followed it did not");

    /* one length, told once or repeated as the same number, and chunked alone: served */
    for (int i = 0; i < 2; i++) {
        char *one = agent_body(tname(&t, i ? "Chunked" : "Repeated"));
        size_t n = strlen(one);
        char framed[2048];
        if (i)
            snprintf(framed, sizeof framed, "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                     n, one);
        else
            snprintf(framed, sizeof framed, "Content-Length: %zu, %zu\r\n\r\n%s", n, n, one);
        struct raw_reply r;
        raw_exchange(fmt("POST /agents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                         "Content-Type: application/json\r\nConnection: close\r\n%s",
                         raw_target_authority(), key, framed),
                     5000, &r);
        cr_assert_eq(r.status, 201, "%.60s answered: %.300s", framed, r.text);
        free(one);
    }
    cr_assert_eq(agent_count(&t), 3);

    /* Alter's envelope */
    const char *akey = alter_key(&t);
    char abody[128];
    snprintf(abody, sizeof abody, "{\"name\": \"framed-%s\"}", t.tag);
    struct raw_reply r;
    raw_exchange(fmt("POST /sdk/agents HTTP/1.1\r\nHost: %s\r\nx-api-key: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     raw_target_authority(), akey, strlen(abody), strlen(abody) + 1, abody),
                 5000, &r);
    expect_raw_envelope(&r, 400, "bad_request", true);
    struct http_resp list;
    alter_http("GET", "/sdk/agents", akey, NULL, NULL, &list);
    expect_status(&list, 200);
    cr_assert_eq(jnum(list.json, "total"), 0, "nothing was created: %s", resp_excerpt(&list));
    http_resp_free(&list);
    free(body);
    free(next_body);
}
