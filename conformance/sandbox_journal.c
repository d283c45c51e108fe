/* The request journal: GET /_mock/requests (limit, org_id, path_prefix; newest first) with
 * secrets masked and bodies cut at 4 KiB; DELETE clears it; --journal-size bounds it. */
#include "sandbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "raw_socket.h"

static struct tenant T;

/* "<type>:<first 8 hex of SHA-256>", as the journal shows a key. */
static const char *fingerprint(const char *type, const char *value) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)value, strlen(value), d);
    return fmt("%s:%02x%02x%02x%02x", type, d[0], d[1], d[2], d[3]);
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ */
static bool is_rfc3339_ms(const char *s) {
    if (strlen(s) != 24 || s[19] != '.' || s[23] != 'Z') return false;
    for (int i = 20; i < 23; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return is_rfc3339_utc_seconds(fmt("%.19sZ", s));
}

/* A GET from a client whose timeout is timeout_ms: it closes the connection when no answer
 * came by then, then waits for the server to be done.  Returns the status it got, or 0. */
static int abandoned_get(const char *path, const char *key, int timeout_ms) {
    int fd = raw_connect();
    const char *req = fmt("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: impatient/1.0\r\n"
                          "Authorization: Bearer %s\r\n\r\n", path, raw_target_authority(), key);
    cr_assert(raw_send(fd, req, strlen(req)));
    struct raw_reply out;
    int status = raw_read_reply(fd, timeout_ms, &out);
    close(fd);
    struct timespec ts = {1, 0}; /* the server finishes the request it was given */
    nanosleep(&ts, NULL);
    return status;
}

static cJSON *journal_of(const struct tenant *t, const char *extra) {
    return mock_call("GET", fmt("/_mock/requests?org_id=%s%s", t->org_id, extra ? extra : ""), NULL, 200);
}

Test(journal, records_requests_newest_first_with_secrets_masked) {
    require_mock();
    tenant_new(&T);
    char *body = agent_body(tname(&T, "Journaled"));
    const char *headers[] = {"x-api-key: alter_key_app_SECRETSECRETSECRET", "Cookie: session=SECRET-COOKIE",
                             "User-Agent: journal-test/1.0", NULL};
    struct http_resp first, second;
    http_call_h("POST", "/agents?source=test", T.key[KEY_WRITE], body, headers, &first);
    expect_status(&first, 201);
    http_call("GET", "/agents/agent_doesnotexist00", T.key[KEY_READ], NULL, NULL, &second);
    expect_status(&second, 404);

    cJSON *j = journal_of(&T, NULL);
    const cJSON *data = jarr(j, "data");
    cr_assert_eq(cJSON_GetArraySize(data), 2, "the org made two requests: %s", cJSON_PrintUnformatted(j));
    const cJSON *get = cJSON_GetArrayItem(data, 0), *post = cJSON_GetArrayItem(data, 1);
    cr_assert_str_eq(jstr(get, "method"), "GET", "newest first");
    cr_assert_str_eq(jstr(get, "path"), "/agents/agent_doesnotexist00");
    cr_assert_eq(jnum(get, "status"), 404);
    cr_assert(jnull(get, "body") && jnull(get, "query"));
    cr_assert_str_eq(jstr(get, "request_id"), resp_header(&second, "X-Request-Id"));

    cr_assert_str_eq(jstr(post, "method"), "POST");
    cr_assert_str_eq(jstr(post, "path"), "/agents");
    cr_assert_str_eq(jstr(post, "query"), "source=test");
    cr_assert_str_eq(jstr(post, "body"), body);
    cr_assert_eq(jnum(post, "body_bytes"), (double)strlen(body));
    cr_assert(!jbool(post, "body_truncated"));
    cr_assert_eq(jnum(post, "status"), 201);
    cr_assert(jnum(post, "duration_ms") >= 0);
    cr_assert_str_eq(jstr(post, "org_id"), T.org_id);
    cr_assert_str_eq(jstr(post, "request_id"), resp_header(&first, "X-Request-Id"));
    cr_assert(is_rfc3339_ms(jstr(post, "at")), "millisecond timestamps: %s", jstr(post, "at"));
    cr_assert(!jbool(post, "client_gone"));
    /* keys show as their type and a fingerprint: two keys of one org can be told apart */
    const cJSON *h = jobj(post, "headers");
    const char *write_fp = fingerprint("als", T.key[KEY_WRITE]);
    cr_assert_str_eq(jstr(h, "Authorization"), fmt("Bearer %s", write_fp));
    cr_assert_str_eq(jstr(post, "key_fingerprint"), write_fp);
    cr_assert_str_eq(jstr(get, "key_fingerprint"), fingerprint("als", T.key[KEY_READ]));
    cr_assert_str_neq(jstr(get, "key_fingerprint"), write_fp);
    cr_assert_str_eq(jstr(h, "x-api-key"), fingerprint("alter_key_app", "alter_key_app_SECRETSECRETSECRET"));
    cr_assert_str_eq(jstr(h, "Cookie"), fingerprint("secret", "session=SECRET-COOKIE"));
    cr_assert_str_eq(jstr(h, "User-Agent"), "journal-test/1.0");
    char *text = cJSON_PrintUnformatted(j);
    cr_assert_null(strstr(text, T.key[KEY_WRITE] + 8), "a key leaked into the journal");
    cr_assert_null(strstr(text, "SECRET"), "a secret header leaked into the journal");
    free(text);

    cJSON *limited = journal_of(&T, "&limit=1");
    cr_assert_eq(cJSON_GetArraySize(jarr(limited, "data")), 1);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(limited, "data"), 0), "method"), "GET");
    cJSON *prefixed = journal_of(&T, fmt("&path_prefix=%s", urlenc("/agents/agent_")));
    cr_assert_eq(cJSON_GetArraySize(jarr(prefixed, "data")), 1);
    cJSON_Delete(limited);
    cJSON_Delete(prefixed);
    cJSON_Delete(j);
    http_resp_free(&first);
    http_resp_free(&second);
    free(body);
}

/* Each entry keeps the reply's body too, with a secret shown once (a webhook's signing
 * secret, a new Alter key) cut to its first characters. */
Test(journal, replies_are_kept_with_their_secrets_masked) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    http_call("POST", "/webhooks", T.key[KEY_ADMIN],
              "{\"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"*\"]}", NULL, &r);
    expect_status(&r, 201);
    const char *secret = fmt("%s", jstr(r.json, "secret"));
    http_resp_free(&r);
    http_call("GET", "/agents?limit=1", T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    char *listed = strdup(r.body);
    http_resp_free(&r);

    cJSON *j = journal_of(&T, NULL);
    const cJSON *get = cJSON_GetArrayItem(jarr(j, "data"), 0), *post = cJSON_GetArrayItem(jarr(j, "data"), 1);
    cr_assert_str_eq(jstr(get, "response_body"), listed, "the reply as sent");
    cr_assert_eq(jnum(get, "response_bytes"), (double)strlen(listed));
    cr_assert(!jbool(get, "response_truncated"));
    const char *kept = jstr(post, "response_body");
    cr_assert_null(strstr(kept, secret), "the webhook secret is not in the journal: %s", kept);
    cr_assert_not_null(strstr(kept, fmt("\"secret\":\"%.8s********", secret)), "%s", kept);
    cJSON_Delete(j);
    free(listed);
}

Test(journal, large_bodies_are_cut_and_drops_are_recorded) {
    require_mock();
    tenant_new(&T);
    size_t n = 10000;
    char *big = malloc(n + 64);
    int at = snprintf(big, n + 64, "{\"name\": \"Big\", \"description\": \"");
    memset(big + at, 'd', n - (size_t)at - 2);
    strcpy(big + n - 2, "\"}");
    struct http_resp r;
    http_call("POST", "/agents", T.key[KEY_WRITE], big, NULL, &r);
    expect_status(&r, 422);
    http_resp_free(&r);
    fault_add(fmt("{\"action\": \"reset\", \"count\": 1, \"org_id\": \"%s\"}", T.org_id));
    http_call("GET", "/agents", T.key[KEY_READ], NULL, NULL, &r);
    cr_assert_eq(r.status, 0);
    http_resp_free(&r);

    cJSON *j = journal_of(&T, NULL);
    const cJSON *dropped = cJSON_GetArrayItem(jarr(j, "data"), 0);
    const cJSON *cut = cJSON_GetArrayItem(jarr(j, "data"), 1);
    cr_assert(jnull(dropped, "status"), "a dropped connection has no status");
    cr_assert_str_eq(jstr(dropped, "fault"), "reset");
    cr_assert_eq(strlen(jstr(cut, "body")), 4096);
    cr_assert_eq(jnum(cut, "body_bytes"), (double)n);
    cr_assert(jbool(cut, "body_truncated"));
    cJSON_Delete(j);
    free(big);
}

Test(journal, sandbox_calls_are_not_journaled_and_bad_filters_are_422) {
    require_mock();
    tenant_new(&T);
    cJSON_Delete(org_patch(&T, "{\"name\": \"Not Journaled\"}"));
    cJSON *j = journal_of(&T, NULL);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 0);
    cJSON_Delete(j);
    const char *bad[] = {"limit=0", "limit=10001", "limit=abc"};
    for (size_t i = 0; i < 3; i++) {
        struct http_resp r;
        http_call("GET", fmt("/_mock/requests?%s", bad[i]), NULL, NULL, NULL, &r);
        expect_field_error(&r, "limit");
        http_resp_free(&r);
    }
}

Test(journal, ring_is_bounded_and_delete_clears_it, .timeout = 60) {
    static const char *const flags[] = {"--journal-size", "5", NULL};
    own_mock_start(flags);
    tenant_new(&T);
    for (int i = 0; i < 8; i++) {
        struct http_resp r;
        http_call("GET", fmt("/agents?page=%d", i + 1), T.key[KEY_READ], NULL, NULL, &r);
        expect_status(&r, 200);
        http_resp_free(&r);
    }
    cJSON *j = mock_call("GET", "/_mock/requests?limit=100", NULL, 200);
    const cJSON *data = jarr(j, "data");
    cr_assert_eq(cJSON_GetArraySize(data), 5, "--journal-size 5 keeps 5");
    cr_assert_eq(jnum(j, "capacity"), 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(jstr(cJSON_GetArrayItem(data, i), "query"), fmt("page=%d", 8 - i));
    cJSON_Delete(j);
    cJSON_Delete(mock_call("DELETE", "/_mock/requests", NULL, 204));
    j = mock_call("GET", "/_mock/requests", NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 0);
    cJSON_Delete(j);
    own_mock_stop();
}

Test(journal, query_credentials_are_redacted_and_failed_auth_is_attributed) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    /* a key in the query string (and a token by name) never reaches the journal */
    http_call("GET", fmt("/agents?api_key=%s&status=active&token=hunter2", T.key[KEY_READ]),
              T.key[KEY_READ], NULL, NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    /* a revoked key is refused, but the call is still the org's */
    mock_revoke_key(T.key[KEY_WRITE]);
    http_call("GET", "/agents", T.key[KEY_WRITE], NULL, NULL, &r);
    expect_error(&r, 401, "revoked_api_key");
    http_resp_free(&r);

    cJSON *j = journal_of(&T, NULL);
    const cJSON *data = jarr(j, "data");
    cr_assert_eq(cJSON_GetArraySize(data), 2, "both calls are the org's: %s", cJSON_PrintUnformatted(j));
    const cJSON *revoked = cJSON_GetArrayItem(data, 0), *listed = cJSON_GetArrayItem(data, 1);
    cr_assert_eq(jnum(revoked, "status"), 401);
    cr_assert_str_eq(jstr(revoked, "org_id"), T.org_id);
    cr_assert_str_eq(jstr(revoked, "key_fingerprint"), fingerprint("als", T.key[KEY_WRITE]));
    cr_assert_str_eq(jstr(listed, "query"), fmt("api_key=%s&status=active&token=%s",
                                                fingerprint("als", T.key[KEY_READ]),
                                                fingerprint("secret", "hunter2")));
    char *text = cJSON_PrintUnformatted(j);
    cr_assert_null(strstr(text, T.key[KEY_READ] + 4), "a key leaked into the journal");
    cr_assert_null(strstr(text, "hunter2"), "a token leaked into the journal");
    free(text);
    cJSON_Delete(j);

    /* an unknown key names no org: the call stays out of every org's journal */
    http_call("GET", "/agents", "als_1111111111111111111111111111111111111111111111111111111111111111",
              NULL, NULL, &r);
    expect_error(&r, 401, "invalid_api_key");
    http_resp_free(&r);
    j = journal_of(&T, NULL);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 2);
    cJSON_Delete(j);
}

Test(journal, a_client_that_gave_up_is_client_gone, .timeout = 30) {
    require_mock();
    tenant_new(&T);
    fault_add(fmt("{\"action\": \"latency\", \"latency_ms\": 800, \"count\": 1, \"org_id\": \"%s\"}", T.org_id));
    /* a client with a 200 ms timeout gives up on an 800 ms answer */
    cr_assert(!abandoned_get("/agents", T.key[KEY_READ], 200), "the client timed out");
    struct http_resp r;
    http_call("GET", "/agents?limit=1", T.key[KEY_READ], NULL, NULL, &r); /* a patient one */
    expect_status(&r, 200);
    http_resp_free(&r);
    cJSON *j = journal_of(&T, NULL);
    const cJSON *data = jarr(j, "data");
    cr_assert_eq(cJSON_GetArraySize(data), 2);
    const cJSON *gone = cJSON_GetArrayItem(data, 1), *patient = cJSON_GetArrayItem(data, 0);
    cr_assert(jbool(gone, "client_gone"), "the abandoned request is flagged: %s", cJSON_PrintUnformatted(gone));
    cr_assert(!jbool(patient, "client_gone"));
    cJSON_Delete(j);
    cJSON *rep = report_of(&T);
    cr_assert_eq(violations_of_kind(rep, "request_abandoned_by_client"), 1);
    cJSON_Delete(rep);
}
