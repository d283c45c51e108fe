/* §5 GET /transactions/export (ext): every matching row oldest first, streamed; CSV with a
 * header row and RFC 4180 quoting, or a JSON array; the list filters plus since/until. */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct tenant T;

/* ---- a small RFC 4180 reader for the checks --------------------------------------------------- */

struct csv {
    char ***rows; /* rows[i][j], NUL-terminated fields */
    int *widths;
    int n;
};

static void csv_parse(const char *text, struct csv *out) {
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p) {
        char **fields = NULL;
        int nf = 0;
        for (;;) {
            size_t cap = 64, len = 0;
            char *f = malloc(cap);
            if (*p == '"') {
                for (p++;;) {
                    cr_assert(*p, "CSV: unterminated quoted field");
                    if (*p == '"' && p[1] == '"') {
                        p += 2;
                        f[len++] = '"';
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        f[len++] = *p++;
                    }
                    if (len + 2 > cap) f = realloc(f, cap *= 2);
                }
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                    cr_assert(*p != '"', "CSV: a quote inside an unquoted field");
                    f[len++] = *p++;
                    if (len + 2 > cap) f = realloc(f, cap *= 2);
                }
            }
            f[len] = '\0';
            fields = realloc(fields, (nf + 1) * sizeof *fields);
            fields[nf++] = f;
            if (*p == ',') {
                p++;
                continue;
            }
            cr_assert(!strncmp(p, "\r\n", 2), "CSV: a record must end with CRLF (at \"%.20s\")", p);
            p += 2;
            break;
        }
        out->rows = realloc(out->rows, (out->n + 1) * sizeof *out->rows);
        out->widths = realloc(out->widths, (out->n + 1) * sizeof *out->widths);
        out->rows[out->n] = fields;
        out->widths[out->n++] = nf;
    }
}

static void csv_free(struct csv *c) {
    for (int i = 0; i < c->n; i++) {
        for (int j = 0; j < c->widths[i]; j++) free(c->rows[i][j]);
        free(c->rows[i]);
    }
    free(c->rows);
    free(c->widths);
}

static int column(const struct csv *c, const char *name) {
    for (int j = 0; j < c->widths[0]; j++)
        if (!strcmp(c->rows[0][j], name)) return j;
    cr_assert_fail("CSV header has no column \"%s\"", name);
    return -1;
}

static void export_call(const char *query, struct http_resp *r) {
    http_call("GET", fmt("/transactions/export?%s", query), tkey_min(&T, KEY_READ), NULL, NULL, r);
}

/* Number of rows of a JSON export. */
static int json_rows(const char *query) {
    struct http_resp r;
    export_call(query, &r);
    expect_status(&r, 200);
    cr_assert(cJSON_IsArray(r.json), "JSON export is not an array: %s", resp_excerpt(&r));
    int n = cJSON_GetArraySize(r.json);
    http_resp_free(&r);
    return n;
}

Test(export, csv_streams_every_row_oldest_first_with_rfc4180_quoting) {
    require_ext();
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    static const char *const notes[] = {"plain", "comma, inside", "say \"hi\"",
                                        "two\nlines", "all, \"of\"\r\nthem"};
    char ids[5][64];
    for (int i = 0; i < 5; i++) {
        cJSON *n = cJSON_CreateString(notes[i]);
        char *nj = cJSON_PrintUnformatted(n);
        struct http_resp r;
        tx_post(&T, tx_body(a, b, fmt("%d.25", i + 1), "pay", fmt(", \"notes\": %s", nj)), &r);
        expect_status(&r, 201);
        snprintf(ids[i], sizeof ids[i], "%s", jstr(r.json, "id"));
        http_resp_free(&r);
        free(nj);
        cJSON_Delete(n);
    }
    struct http_resp r;
    export_call(fmt("%sformat=csv", org_scope(&T, a)), &r);
    expect_status(&r, 200);
    expect_request_id(&r);
    const char *ct = resp_header(&r, "Content-Type");
    cr_assert(ct && !strncasecmp(ct, "text/csv", 8), "Content-Type \"%s\"", ct ? ct : "(none)");
    const char *cd = resp_header(&r, "Content-Disposition");
    cr_assert(cd && strstr(cd, "attachment") && strstr(cd, "filename=\"transactions.csv\""),
              "Content-Disposition \"%s\"", cd ? cd : "(none)");
    if (target_is_mock()) {
        const char *te = resp_header(&r, "Transfer-Encoding");
        cr_assert(te && !strcasecmp(te, "chunked"), "the export is not streamed (chunked)");
    }
    struct csv c;
    csv_parse(r.body, &c);
    cr_assert_eq(c.n, 6, "header + 5 rows, got %d records: %s", c.n, resp_excerpt(&r));
    int id_col = column(&c, "id"), notes_col = column(&c, "notes"), amount_col = column(&c, "amount");
    column(&c, "status");
    column(&c, "created_at");
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(c.widths[i + 1], c.widths[0], "row %d has %d fields, header %d", i + 1,
                     c.widths[i + 1], c.widths[0]);
        cr_assert_str_eq(c.rows[i + 1][id_col], ids[i], "rows must be oldest first");
        cr_assert_str_eq(c.rows[i + 1][notes_col], notes[i], "notes did not survive CSV quoting");
        cr_assert_str_eq(c.rows[i + 1][amount_col], fmt("%d.25", i + 1));
    }
    csv_free(&c);
    http_resp_free(&r);
}

Test(export, json_is_an_array_of_transactions_oldest_first) {
    require_ext();
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    cJSON *first = tx_ok(&T, a, b, "1", "pay");
    cJSON *second = tx_ok(&T, b, a, "2", "pay");
    struct http_resp r;
    export_call(org_scope(&T, a), &r); /* json is the default */
    expect_status(&r, 200);
    const char *ct = resp_header(&r, "Content-Type");
    cr_assert(ct && !strncasecmp(ct, "application/json", 16), "Content-Type \"%s\"", ct ? ct : "(none)");
    const char *cd = resp_header(&r, "Content-Disposition");
    cr_assert(cd && strstr(cd, "filename=\"transactions.json\""), "Content-Disposition \"%s\"",
              cd ? cd : "(none)");
    cr_assert(cJSON_IsArray(r.json) && cJSON_GetArraySize(r.json) == 2, "%s", resp_excerpt(&r));
    cr_assert(cJSON_Compare(cJSON_GetArrayItem(r.json, 0), first, 1), "row 1 is not the first transaction");
    cr_assert(cJSON_Compare(cJSON_GetArrayItem(r.json, 1), second, 1), "row 2 is not the second");
    http_resp_free(&r);
    cJSON_Delete(first);
    cJSON_Delete(second);
}

Test(export, applies_the_list_filters_and_since_until) {
    require_ext();
    tenant_new(&T);
    const char *a = tx_agent(&T, "A", "[\"pay\", \"refund\"]", "100");
    const char *b = tx_agent(&T, "B", "[\"pay\"]", "100");
    const char *c = tx_agent(&T, "C", "[\"pay\"]", "100");
    /* every transaction involves a, so on a shared (live) org a's scope is the test's whole */
    cJSON *one = tx_ok(&T, a, b, "1", "pay");
    cJSON_Delete(tx_ok(&T, a, c, "20", "refund"));
    cJSON_Delete(tx_ok(&T, c, a, "30", "pay"));
    cJSON_Delete(tx_reverse(&T, jstr(one, "id"), NULL));
    char scope[128], at[64];
    snprintf(scope, sizeof scope, "%s", org_scope(&T, a));
    snprintf(at, sizeof at, "%s", urlenc(jstr(one, "created_at")));
    cr_assert_eq(json_rows(scope), 4);
    cr_assert_eq(json_rows(fmt("agent_id=%s", a)), 4);
    cr_assert_eq(json_rows(fmt("agent_id=%s", b)), 2);
    cr_assert_eq(json_rows(fmt("agent_id=%s", c)), 2);
    cr_assert_eq(json_rows(fmt("%sstatus=reversed", scope)), 2);
    cr_assert_eq(json_rows(fmt("%sstatus=completed", scope)), 2);
    cr_assert_eq(json_rows(fmt("%saction_type=refund", scope)), 1);
    cr_assert_eq(json_rows(fmt("%smin_amount=20&max_amount=30", scope)), 2);
    cr_assert_eq(json_rows("agent_id=agent_doesnotexist000"), 0);
    cr_assert_eq(json_rows(fmt("%ssince=%s", scope, at)), 4);
    cr_assert_eq(json_rows(fmt("%suntil=%s", scope, at)), 0, "until is exclusive");
    cr_assert_eq(json_rows(fmt("%ssince=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z", scope)), 0);
    cr_assert_eq(json_rows(fmt("%spage=2&limit=1", scope)), 4, "the export is not paged");
    /* the same filters on the list agree */
    cr_assert_eq(tx_total(&T, fmt("agent_id=%s&status=completed", a)),
                 json_rows(fmt("agent_id=%s&status=completed", a)));
    struct http_resp r;
    export_call("format=csv&agent_id=agent_doesnotexist000", &r);
    expect_status(&r, 200);
    struct csv empty;
    csv_parse(r.body, &empty);
    cr_assert_eq(empty.n, 1, "an empty CSV export is the header row alone: %s", resp_excerpt(&r));
    csv_free(&empty);
    http_resp_free(&r);
    cJSON_Delete(one);
}

Test(export, rejects_bad_parameters) {
    require_ext();
    tenant_new(&T);
    static const char *const bad[][2] = {
        {"format=xml", "format"},       {"since=yesterday", "since"},
        {"until=2026-13-01T00:00:00Z", "until"}, {"status=pending", "status"},
        {"min_amount=1.234", "min_amount"},
        {"since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "since"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        export_call(bad[i][0], &r);
        expect_field_error(&r, bad[i][1]);
        http_resp_free(&r);
    }
    struct http_resp r;
    http_call("GET", "/transactions/export", NULL, NULL, NULL, &r);
    expect_error(&r, 401, "missing_auth");
    http_resp_free(&r);
    http_call("POST", "/transactions/export", tkey_min(&T, KEY_WRITE), "{}", NULL, &r);
    expect_error(&r, 405, "method_not_allowed");
    http_resp_free(&r);
}

Test(export, sees_a_large_org_whole) {
    require_mock();
    tenant_new(&T);
    struct http_resp r;
    http_call("POST", fmt("/_mock/orgs/%s/generate", T.org_id), NULL,
              "{\"agents\": 20, \"transactions\": 5000}", NULL, &r);
    expect_status(&r, 200);
    http_resp_free(&r);
    export_call("format=csv", &r);
    expect_status(&r, 200);
    struct csv c;
    csv_parse(r.body, &c);
    cr_assert_eq(c.n, 5001, "5000 rows and a header, got %d", c.n);
    int created = column(&c, "created_at");
    for (int i = 2; i < c.n; i++)
        cr_assert(strcmp(c.rows[i - 1][created], c.rows[i][created]) <= 0, "not oldest first");
    csv_free(&c);
    http_resp_free(&r);
    cr_assert_eq(json_rows(""), 5000);
}
