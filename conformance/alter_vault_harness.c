/* Helpers of the vault tests; see alter_vault_harness.h. */
#include "alter_vault_harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base64.h"

cJSON *vault_grant(struct tenant *t, const char *members) {
    require_mock();
    return vault_admin("POST", "/_mock/alter/grants",
                       fmt("{\"org_id\": \"%s\", %s}", t->org_id, members), 201);
}

cJSON *vault_user_grant(struct tenant *t, const char *delegated_json, const char *token) {
    return vault_grant(t, fmt("\"provider_id\": \"github\", \"scopes\": [\"repo\", \"read:user\"], "
                              "\"account_identifier\": \"octo@example.test\", "
                              "\"principal_type\": \"user\", \"delegated_agent_ids\": %s, "
                              "\"upstream_token\": \"%s\"",
                              delegated_json, token));
}

cJSON *vault_agent_grant(struct tenant *t, const char *owner_id, const char *token) {
    return vault_grant(t, fmt("\"provider_id\": \"stripe\", \"scopes\": [\"charges.read\"], "
                              "\"account_identifier\": \"acct_test\", \"principal_type\": "
                              "\"agent\", \"owner_agent_id\": \"%s\", \"upstream_token\": \"%s\"",
                              owner_id, token));
}

cJSON *vault_agent(struct tenant *t, const char *base, const char *policy_json) {
    require_mock();
    if (!policy_json) return alter_create_named(t, base);
    return alter_create(
        t, fmt("{\"name\": \"%s\", \"policy\": %s}", alter_name(t, base), policy_json));
}

const char *vault_body(const char *grant_id, const char *method, const char *url,
                       const char *extra) {
    return fmt("{\"grant_id\": \"%s\", \"method\": \"%s\", \"url\": \"%s\"%s%s}", grant_id, method,
               url, extra ? ", " : "", extra ? extra : "");
}

void vault_post(const char *path, const char *key, const char *body, const char *const *headers,
                struct http_resp *out) {
    alter_http("POST", path, key, body, headers, out);
}

char *vault_b64_text(const char *b64, size_t *len) {
    unsigned char *raw = NULL;
    size_t n = 0;
    cr_assert(base64_decode(b64, &raw, &n), "not base64: %.100s", b64);
    char *text = malloc(n + 1);
    memcpy(text, raw, n);
    text[n] = '\0';
    free(raw);
    if (len) *len = n;
    return text;
}

cJSON *vault_echo_of(const cJSON *result) {
    char *text = vault_b64_text(jstr(result, "body_b64"), NULL);
    cJSON *echo = cJSON_Parse(text);
    cr_assert_not_null(echo, "the provider's answer is not its echo: %.300s", text);
    free(text);
    return echo;
}

cJSON *vault_admin(const char *method, const char *path, const char *body, long status) {
    struct http_resp r;
    http_call(method, path, NULL, body, NULL, &r);
    cr_assert(r.status == status && r.json, "%s %s %.300s: expected HTTP %ld, got %ld: %s", method,
              path, body ? body : "", status, r.status, resp_excerpt(&r));
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

static bool settled(const char *status) {
    return strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "executing");
}

cJSON *vault_await(const char *key, const char *approval_id, int timeout_ms) {
    for (int waited = 0;; waited += 50) {
        cJSON *a = alter_expect("GET", fmt("/sdk/approvals/%s", approval_id), key, NULL, 200);
        if (settled(jstr(a, "status")) || waited >= timeout_ms) return a;
        cJSON_Delete(a);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

cJSON *vault_rows_of(struct tenant *t, const char *rid) {
    cJSON *all = alter_audit_all(t, ""), *found = cJSON_CreateArray();
    const cJSON *row;
    cJSON_ArrayForEach(row, all) {
        if (!strcmp(jstr(row, "request_id"), rid))
            cJSON_AddItemToArray(found, cJSON_Duplicate(row, 1));
    }
    cJSON_Delete(all);
    return found;
}

const cJSON *vault_row(const cJSON *rows, const char *action) {
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        if (!strcmp(jstr(row, "action"), action)) return row;
    }
    char *s = cJSON_PrintUnformatted(rows);
    cr_assert_fail("no %s row among %.1500s", action, s);
    free(s);
    return NULL;
}

void vault_private_mock(struct mock_process *m, const char *const *args) {
    require_mock();
    const char *all[24] = {"--no-fixtures"};
    size_t n = 1;
    for (const char *const *a = args; a && *a && n < 23; a++)
        all[n++] = *a;
    all[n] = NULL;
    cr_assert(mock_process_start(m, all), "private agentmock did not start");
    setenv("ALSORN_BASE_URL", m->url, 1);
    setenv("ALTER_BASE_URL", m->url, 1);
    cr_assert_str_eq(target_base_url(), m->url, "the test already called the shared mock");
    cr_assert_str_eq(alter_base_url(), m->url, "the test already called the shared mock");
}

void vault_private_mock_stop(struct mock_process *m) {
    int status = mock_process_stop(m, SIGTERM, 15000);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the private agentmock did not exit cleanly (status 0x%x)", status);
}

void vault_delete_all(cJSON *const *objects, size_t n) {
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(objects[i]);
}

double vault_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
