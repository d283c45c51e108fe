#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

cJSON *mock_call(const char *method, const char *path, const char *body, long want_status) {
    struct http_resp r;
    http_call(method, path, NULL, body, NULL, &r);
    cr_assert(r.status == want_status, "%s %s %s: expected HTTP %ld, got %ld: %s", method, path,
              body ? body : "", want_status, r.status, resp_excerpt(&r));
    cJSON *json = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return json;
}

cJSON *org_patch(const struct tenant *t, const char *body) {
    return mock_call("PATCH", fmt("/_mock/orgs/%s", t->org_id), body, 200);
}

const char *fault_add(const char *body) {
    cJSON *f = mock_call("POST", "/_mock/faults", body, 201);
    const char *id = fmt("%s", jstr(f, "id"));
    cr_assert(has_prefix_alnum(id, "flt_"), "fault id %s", id);
    cJSON_Delete(f);
    return id;
}

cJSON *report_of(const struct tenant *t) {
    return mock_call("GET", fmt("/_mock/report?org_id=%s", t->org_id), NULL, 200);
}

long violations_of_kind(const cJSON *report, const char *kind) {
    return (long)jnum(jobj(jobj(report, "violations"), "by_kind"), kind);
}

long coverage_count(const cJSON *report, const char *method, const char *pattern, const char *status) {
    const cJSON *row;
    cJSON_ArrayForEach(row, jarr(jobj(report, "coverage"), "routes")) {
        if (strcmp(jstr(row, "method"), method) != 0 || strcmp(jstr(row, "path"), pattern) != 0) continue;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(jobj(row, "statuses"), status);
        return cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
    }
    cr_assert_fail("report has no route row %s %s", method, pattern);
    return 0;
}

long long header_int(const struct http_resp *r, const char *name) {
    const char *v = resp_header(r, name);
    cr_assert(v, "%s (HTTP %ld): no %s header", r->request, r->status, name);
    char *end;
    long long n = strtoll(v, &end, 10);
    cr_assert(end != v && *end == '\0', "%s: %s \"%s\" is not an integer", r->request, name, v);
    return n;
}

void expect_rate_headers_at(const char *file, int line, const struct http_resp *r, long *limit,
                            long *remaining, long long *reset) {
    long long l = header_int(r, "X-RateLimit-Limit");
    long long rem = header_int(r, "X-RateLimit-Remaining");
    long long rs = header_int(r, "X-RateLimit-Reset");
    cr_assert(l > 0 && rem >= 0 && rem <= l, "%s:%d: %s: X-RateLimit-Limit %lld, -Remaining %lld",
              file, line, r->request, l, rem);
    /* the reset is in the future of the server's clock, which may run ahead of ours */
    cr_assert(rs > (long long)time(NULL) - 5, "%s:%d: %s: X-RateLimit-Reset %lld is in the past",
              file, line, r->request, rs);
    if (limit) *limit = (long)l;
    if (remaining) *remaining = (long)rem;
    if (reset) *reset = rs;
}

int http_call_h(const char *method, const char *path, const char *api_key, const char *body,
                const char *const *headers, struct http_resp *out) {
    struct http_req req = {.method = method, .path = path, .api_key = api_key, .body = body,
                           .headers = headers};
    return http_do(&req, out);
}

long long mock_now(void) {
    cJSON *c = mock_call("GET", "/_mock/clock", NULL, 200);
    struct tm tm = {0};
    const char *now = jstr(c, "now");
    cr_assert(strptime(now, "%Y-%m-%dT%H:%M:%SZ", &tm), "clock now \"%s\"", now);
    cJSON_Delete(c);
    return (long long)timegm(&tm);
}
