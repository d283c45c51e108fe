/* The SDK report (GET /_mock/report): per tenant, which contract routes (rows of the route
 * table) and statuses a client exercised, and what it did wrong as seen from the server.
 * "The same request" is the same bucket (key), method, path, query and body; times are
 * arrival times, so a request already on its way when a 429 was sent is never its retry.
 *   unknown_field               a body field the route does not know (sandbox/known_fields.c)
 *   wrong_type                  a 422 naming a field that "must be a string / a number /
 *                               a boolean / an array / an object"
 *   retry_before_retry_after    the same request again before the Retry-After of its 429 had
 *                               elapsed (1 s tolerance)
 *   request_while_rate_limited  any other request on the connection that got a 429, before
 *                               its Retry-After elapsed (other connections: other threads,
 *                               which never saw that 429)
 *   post_retry_without_idempotency_key
 *                               the same POST twice within 60 s without an Idempotency-Key
 *   post_retry_with_new_idempotency_key
 *                               a POST that failed (dropped, abandoned, 408, 429, 5xx) sent
 *                               again under another Idempotency-Key
 *   retry_of_non_retryable_status
 *                               the same request after a 400/401/403/404/409/422 (a 409 with
 *                               Retry-After excepted), nothing written in between
 *   retry_of_successful_request a write that succeeded sent again, nothing written in between
 *   request_abandoned_by_client the client closed the connection before the answer
 *   credentials_in_query        a credential in the query string (sandbox/credentials.c)
 *   page_beyond_last            a list page past the last one
 *   pagination_loop             the same page again although it said more pages follow
 *   missing_user_agent          no User-Agent header
 *   fields_not_sent             a graded session's fields probe arrived without a field it
 *                               was given, or with another value (sandbox/fields_probe.h)
 * "evidence" counts what the traffic exercised that no violation shows: last_pages (a later
 * page of a list that said it was the last: a walk reached the end), verified_false (a
 * verification answered false), fields_probes (the probe arrived; only with a probe). 
 * Requests without a tenant (no valid key) go to one shared "unauthenticated" report.  Each
 * report has its own lock; memory is bounded (a ring of recent violations, capped maps). */
#ifndef REPORT_H
#define REPORT_H

#include <cjson/cJSON.h>

#include "core/http.h"

struct report;

struct report *report_new(void);
void report_free(struct report *rep);
void report_clear(struct report *rep);
/* The report of requests that had no tenant. */
struct report *report_unauthenticated(void);

/* Records r (route matched, reply rendered, not yet sent) in its tenant's report. */
void report_record(const struct req *r);
/* {"coverage": {...}, "violations": {...}, "evidence": {...}} */
cJSON *report_json(struct report *rep);
/* The body of a graded session's fields probe for rep's org (taken; ignored when one is set). */
void report_expect_fields(struct report *rep, cJSON *expected);
struct tenant;
/* An org's report_json plus its sequences whose transient answer was never retried
 * (violations.by_kind.transient_error_not_retried, sandbox/faults.h). */
cJSON *report_org_json(struct tenant *t, int64_t now_ms);

#endif
