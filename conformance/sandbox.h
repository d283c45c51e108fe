/* Helpers for the sandbox-control tests (sandbox_*.c): the /_mock API, rate-limit headers,
 * fault rules and reports.  Every helper asserts what it needs and fails the test otherwise. */
#ifndef CONFORMANCE_SANDBOX_H
#define CONFORMANCE_SANDBOX_H

#include "harness.h"

/* A /_mock call with an optional JSON body; asserts want_status and returns the parsed body
 * (NULL when empty; caller deletes). */
cJSON *mock_call(const char *method, const char *path, const char *body, long want_status);
/* PATCH /_mock/orgs/{id} with body; asserts 200 and returns the org (caller deletes). */
cJSON *org_patch(const struct tenant *t, const char *body);
/* POST /_mock/faults with body; asserts 201 and returns the rule's id (static rotating). */
const char *fault_add(const char *body);
/* GET /_mock/report?org_id= of the tenant; caller deletes. */
cJSON *report_of(const struct tenant *t);
/* violations.by_kind.<kind> of a report. */
long violations_of_kind(const cJSON *report, const char *kind);
/* statuses.<status> of route (method, pattern) in a report's coverage; 0 when absent. */
long coverage_count(const cJSON *report, const char *method, const char *pattern, const char *status);

/* An integer header value; fails the test when it is absent or not an integer. */
long long header_int(const struct http_resp *r, const char *name);
/* The three X-RateLimit-* headers, present and consistent (0 <= remaining <= limit, reset
 * in the future); returns them. */
#define expect_rate_headers(r, limit, remaining, reset)                                         \
    expect_rate_headers_at(__FILE__, __LINE__, (r), (limit), (remaining), (reset))
void expect_rate_headers_at(const char *file, int line, const struct http_resp *r, long *limit,
                            long *remaining, long long *reset);

/* A call with extra header lines (NULL-terminated). */
int http_call_h(const char *method, const char *path, const char *api_key, const char *body,
                const char *const *headers, struct http_resp *out);
/* Unix seconds of the target's virtual clock (GET /_mock/clock). */
long long mock_now(void);

#endif
