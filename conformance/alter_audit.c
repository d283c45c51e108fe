/* Alter §6: every authenticated call writes one row (before its answer), one hash chain per
 * app that the server verifies and the test re-verifies with the project's canonical JSON,
 * cursor paging and filters. */
#include "alter_harness.h"

#include <string.h>

#include "canonical_json.h"

static struct tenant T;

static const char *const row_fields[] = {
    "id",          "created_at", "action", "outcome",    "status_code",   "caller_key_prefix",
    "caller_type", "agent_id",   "run_id", "thread_id",  "parent_run_id", "trace",
    "grant_id",    "method",     "path",   "request_id", "previous_hash", "hash",
    NULL};

/* Recomputes every hash and link; fails the test at the first bad row. */
static void verify_chain_here(const cJSON *rows) {
    const char *prev = NULL;
    int i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        for (int f = 0; row_fields[f]; f++)
            cr_assert(cJSON_GetObjectItemCaseSensitive(row, row_fields[f]), "row %d lacks %s", i,
                      row_fields[f]);
        if (i == 0)
            cr_assert(jnull(row, "previous_hash"), "the first row's previous_hash is not null");
        else
            cr_assert_str_eq(jstr(row, "previous_hash"), prev, "row %d does not link to row %d", i,
                             i - 1);
        cJSON *hashed = cJSON_Duplicate(row, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(hashed, "hash");
        char want[72];
        cr_assert(canonical_sha256(hashed, want) == 0);
        cJSON_Delete(hashed);
        cr_assert_str_eq(jstr(row, "hash"), want,
                         "row %d: hash is not sha256 of its canonical JSON", i);
        prev = jstr(row, "hash");
        i++;
    }
}

/* Makes the call and returns its X-Request-Id (static rotating buffer) and status. */
static const char *call(const char *method, const char *path, const char *key, const char *body,
                        const char *const *headers, long *status) {
    struct http_resp r;
    alter_http(method, path, key, body, headers, &r);
    *status = r.status;
    const char *rid =
        fmt("%s", resp_header(&r, "X-Request-Id") ? resp_header(&r, "X-Request-Id") : "");
    http_resp_free(&r);
    return rid;
}

static void expect_row(const char *rid, const char *action, const char *outcome, long status,
                       const char *caller_type, const char *agent_id, const char *method,
                       const char *path) {
    cJSON *row = alter_audit_row_of(&T, rid);
    cr_assert_not_null(row, "no audit row for %s %s (%s)", method, path, rid);
    char *s = cJSON_PrintUnformatted(row);
    cr_assert_str_eq(jstr(row, "action"), action, "%s", s);
    cr_assert_str_eq(jstr(row, "outcome"), outcome, "%s", s);
    cr_assert_eq((long)jnum(row, "status_code"), status, "%s", s);
    cr_assert_str_eq(jstr(row, "caller_type"), caller_type, "%s", s);
    if (agent_id)
        cr_assert_str_eq(jstr(row, "agent_id"), agent_id, "%s", s);
    else
        cr_assert(jnull(row, "agent_id"), "%s", s);
    cr_assert_str_eq(jstr(row, "method"), method, "%s", s);
    cr_assert_str_eq(jstr(row, "path"), path, "%s", s);
    cr_assert(jnull(row, "grant_id"), "%s", s);
    cr_assert(is_rfc3339_utc_seconds(jstr(row, "created_at")), "%s", s);
    cr_assert(has_prefix_alnum(jstr(row, "id"), "audit_"), "%s", s);
    cr_assert(is_key_prefix(jstr(row, "caller_key_prefix")), "%s", s);
    free(s);
    cJSON_Delete(row);
}

Test(alter_audit, every_authenticated_call_writes_one_row_with_its_outcome) {
    tenant_new(&T);
    const char *key = alter_key(&T);
    long st;
    char create_rid[64], agent_id[64], agent_key[64], path[128];
    struct http_resp r;
    alter_http("POST", "/sdk/agents", key, fmt("{\"name\": \"%s\"}", alter_name(&T, "audited")),
               NULL, &r);
    expect_status(&r, 201);
    snprintf(create_rid, sizeof create_rid, "%s", resp_header(&r, "X-Request-Id"));
    snprintf(agent_id, sizeof agent_id, "%s", jstr(r.json, "id"));
    snprintf(agent_key, sizeof agent_key, "%s", jstr(r.json, "api_key"));
    http_resp_free(&r);
    snprintf(path, sizeof path, "/sdk/agents/%s", agent_id);
    expect_row(create_rid, "agent.created", "success", 201, "app", agent_id, "POST", "/sdk/agents");

    const char *rid = call("GET", path, key, NULL, NULL, &st);
    expect_row(rid, "agent.read", "success", 200, "app", agent_id, "GET", path);
    rid = call("GET", "/sdk/agents/00000000-0000-4000-8000-000000000000", key, NULL, NULL, &st);
    cr_assert_eq(st, 404);
    expect_row(rid, "agent.read", "error", 404, "app", NULL, "GET",
               "/sdk/agents/00000000-0000-4000-8000-000000000000");
    rid = call("PATCH", path, key, "{\"name\": \"x\"}", NULL, &st);
    expect_row(rid, "agent.updated", "error", 422, "app", agent_id, "PATCH", path);
    rid = call("GET", "/sdk/agents/me", agent_key, NULL, NULL, &st);
    expect_row(rid, "agent.me", "success", 200, "agent", agent_id, "GET", "/sdk/agents/me");
    rid = call("GET", "/sdk/agents", agent_key, NULL, NULL, &st);
    cr_assert_eq(st, 403);
    expect_row(rid, "agent.listed", "denied", 403, "agent", agent_id, "GET", "/sdk/agents");
    rid = call("GET", "/sdk/agents/me", key, NULL, NULL, &st);
    cr_assert_eq(st, 400);
    expect_row(rid, "agent.me", "error", 400, "app", NULL, "GET", "/sdk/agents/me");
    rid = call("POST", fmt("%s/keys", path), key, NULL, NULL, &st);
    expect_row(rid, "key.minted", "success", 201, "app", agent_id, "POST", fmt("%s/keys", path));
    rid = call("DELETE", path, key, NULL, NULL, &st);
    expect_row(rid, "agent.deleted", "success", 200, "app", agent_id, "DELETE", path);
    if (target_is_mock()) {
        char scoped[96];
        alter_scoped_key(&T, "[]", scoped);
        rid = call("GET", "/sdk/agents", scoped, NULL, NULL, &st);
        cr_assert_eq(st, 403);
        expect_row(rid, "agent.listed", "denied", 403, "app", NULL, "GET", "/sdk/agents");
    }
    /* calls with no recognised key have no app to write to */
    rid = call("GET", "/sdk/agents", NULL, NULL, NULL, &st);
    cr_assert_eq(st, 401);
    cJSON *none = alter_audit_row_of(&T, rid);
    cr_assert_null(none, "a 401 call wrote an audit row");
    rid = call("GET", "/sdk/agents/me", agent_key, NULL, NULL, &st); /* revoked by the delete */
    cr_assert_eq(st, 401);
    none = alter_audit_row_of(&T, rid);
    cr_assert_null(none, "a call with a revoked key wrote an audit row");
}

Test(alter_audit, the_chain_verifies_on_the_server_and_here) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "chained");
    const char *headers[] = {"X-Alter-Run-Id: run-9", "X-Alter-Trace-x: y", NULL};
    struct http_resp r;
    alter_http("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, headers, &r);
    http_resp_free(&r);
    cJSON_Delete(alter_mint(&T, jstr(a, "id")));
    cJSON *rows = alter_audit_all(&T, "");
    cr_assert_geq(cJSON_GetArraySize(rows), 3);
    verify_chain_here(rows);
    cJSON *v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
    cr_assert(jbool(v, "valid") && jnull(v, "broken_at"));
    /* the verify call sees the rows fetched above plus the listing calls' own rows */
    int n = cJSON_GetArraySize(rows);
    cr_assert_geq((int)jnum(v, "length"), n);
    cJSON_Delete(v);
    if (target_is_mock()) {
        /* a fresh app: its chain is exactly what the test did */
        v = alter_expect("GET", "/sdk/audit/verify", alter_key(&T), NULL, 200);
        cJSON *all = alter_audit_all(&T, "");
        int len = cJSON_GetArraySize(all);
        /* the verify above wrote one row, then the walk's call(s) were answered before theirs */
        cr_assert_eq((int)jnum(v, "length"), len - 1);
        cr_assert_str_eq(jstr(v, "head_hash"), jstr(cJSON_GetArrayItem(all, len - 2), "hash"));
        cJSON_Delete(all);
        cJSON_Delete(v);
    }
    cJSON_Delete(rows);
    cJSON_Delete(a);
}

Test(alter_audit, pages_follow_the_cursor_oldest_first) {
    require_mock(); /* exact counts need an app of our own */
    tenant_new(&T);
    for (int i = 0; i < 6; i++)
        cJSON_Delete(alter_expect("GET", "/sdk/agents", alter_key(&T), NULL, 200));
    /* the app now has 6 rows; each page call adds its own after answering */
    cJSON *p1 = alter_expect("GET", "/sdk/audit?limit=4", alter_key(&T), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(p1, "rows")), 4);
    const char *cursor = jstr(p1, "next_cursor");
    cr_assert_str_eq(cursor, jstr(cJSON_GetArrayItem(jarr(p1, "rows"), 3), "id"));
    cJSON *p2 =
        alter_expect("GET", fmt("/sdk/audit?limit=4&after=%s", cursor), alter_key(&T), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(p2, "rows")), 3,
                 "rows 5, 6 and the first page call's own");
    cr_assert(jnull(p2, "next_cursor"), "the last page has a next_cursor");
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(p2, "rows"), 2), "action"), "audit.listed");
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(p2, "rows"), 0), "previous_hash"),
                     jstr(cJSON_GetArrayItem(jarr(p1, "rows"), 3), "hash"));
    cJSON *d = alter_expect("GET", "/sdk/audit", alter_key(&T), NULL, 200); /* default limit 100 */
    cr_assert_eq(cJSON_GetArraySize(jarr(d, "rows")), 8);
    cr_assert(jnull(d, "next_cursor"));
    cJSON_Delete(d);
    cJSON_Delete(p1);
    cJSON_Delete(p2);
}

Test(alter_audit, filters_select_rows_by_agent_run_thread_and_action) {
    tenant_new(&T);
    cJSON *a = alter_create_named(&T, "filtered");
    cJSON *b = alter_create_named(&T, "unfiltered");
    const char *run_a[] = {"X-Alter-Run-Id: run-A", "X-Alter-Thread-Id: th-1", NULL};
    const char *run_b[] = {"X-Alter-Run-Id: run-B", "X-Alter-Thread-Id: th-1", NULL};
    char run_a_id[48], run_b_id[48];
    snprintf(run_a_id, sizeof run_a_id, "run-A-%s", T.tag);
    snprintf(run_b_id, sizeof run_b_id, "run-B-%s", T.tag);
    char la[2][80], lb[2][80];
    snprintf(la[0], sizeof la[0], "X-Alter-Run-Id: %s", run_a_id);
    snprintf(la[1], sizeof la[1], "X-Alter-Thread-Id: th-%s", T.tag);
    snprintf(lb[0], sizeof lb[0], "X-Alter-Run-Id: %s", run_b_id);
    snprintf(lb[1], sizeof lb[1], "X-Alter-Thread-Id: th-%s", T.tag);
    run_a[0] = la[0], run_a[1] = la[1], run_b[0] = lb[0], run_b[1] = lb[1];
    struct http_resp r;
    for (int i = 0; i < 3; i++) {
        alter_http("GET", "/sdk/agents/me", jstr(a, "api_key"), NULL, run_a, &r);
        http_resp_free(&r);
    }
    alter_http("GET", "/sdk/agents/me", jstr(b, "api_key"), NULL, run_b, &r);
    http_resp_free(&r);
    cJSON *rows = alter_audit_all(&T, fmt("run_id=%s", run_a_id));
    cr_assert_eq(cJSON_GetArraySize(rows), 3);
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) cr_assert_str_eq(jstr(row, "run_id"), run_a_id);
    cJSON_Delete(rows);
    rows = alter_audit_all(&T, fmt("thread_id=th-%s", T.tag));
    cr_assert_eq(cJSON_GetArraySize(rows), 4);
    cJSON_Delete(rows);
    rows = alter_audit_all(&T, fmt("agent_id=%s&action=agent.me", jstr(b, "id")));
    cr_assert_eq(cJSON_GetArraySize(rows), 1);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(rows, 0), "run_id"), run_b_id);
    cJSON_Delete(rows);
    rows = alter_audit_all(&T, fmt("agent_id=%s", jstr(a, "id")));
    cr_assert_eq(cJSON_GetArraySize(rows), 4, "created + 3 me calls");
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(rows, 0), "action"), "agent.created");
    cJSON_Delete(rows);
    rows = alter_audit_all(
        &T, fmt("run_id=%s&thread_id=th-%s&agent_id=%s", run_a_id, T.tag, jstr(b, "id")));
    cr_assert_eq(cJSON_GetArraySize(rows), 0);
    cJSON_Delete(rows);
    rows = alter_audit_all(&T, "action=no.such.action");
    cr_assert_eq(cJSON_GetArraySize(rows), 0);
    cJSON_Delete(rows);
    /* a filtered page walk with a small limit follows the cursor through matching rows only */
    cJSON *p = alter_expect("GET", fmt("/sdk/audit?limit=2&run_id=%s", run_a_id), alter_key(&T),
                            NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(p, "rows")), 2);
    cJSON *p2 = alter_expect(
        "GET", fmt("/sdk/audit?limit=2&run_id=%s&after=%s", run_a_id, jstr(p, "next_cursor")),
        alter_key(&T), NULL, 200);
    cr_assert_eq(cJSON_GetArraySize(jarr(p2, "rows")), 1);
    cr_assert(jnull(p2, "next_cursor"));
    cJSON_Delete(p);
    cJSON_Delete(p2);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(alter_audit, bad_parameters_are_422) {
    tenant_new(&T);
    static const char *const cases[][2] = {
        {"limit=0", "limit"},          {"limit=1001", "limit"}, {"limit=ten", "limit"},
        {"after=audit_nope", "after"}, {"after=", "after"},     {"agent_id=", "agent_id"},
        {"run_id=", "run_id"},         {"action=", "action"},   {"thread_id=", "thread_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        alter_call_field_error("GET", fmt("/sdk/audit?%s", cases[i][0]), alter_key(&T), NULL, NULL,
                               cases[i][1]);
    }
    cJSON_Delete(alter_expect("GET", "/sdk/audit?limit=1000", alter_key(&T), NULL, 200));
    /* another app's row id is no cursor here */
    struct tenant other;
    const char *other_key = alter_other_key(&other);
    cJSON *theirs = alter_expect("GET", "/sdk/audit?limit=1", other_key, NULL, 200);
    const cJSON *first = cJSON_GetArrayItem(jarr(theirs, "rows"), 0);
    if (first) {
        alter_call_field_error("GET", fmt("/sdk/audit?after=%s", jstr(first, "id")), alter_key(&T),
                               NULL, NULL, "after");
    }
    cJSON_Delete(theirs);
}
