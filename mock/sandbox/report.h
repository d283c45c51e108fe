/* The SDK report (GET /_mock/report): per tenant, which contract routes (rows of the route
 * table) and statuses a client exercised, and what it did wrong as seen from the server:
 *   unknown_field               a body field the route does not know (sandbox/known_fields.c)
 *   wrong_type                  a 422 naming a field that "must be a string / a number /
 *                               a boolean / an array / an object"
 *   retry_before_retry_after    same bucket, method and path again before the Retry-After of
 *                               a 429 had elapsed
 *   post_retry_without_idempotency_key
 *                               the same POST (bucket, path, query, body) twice within 60 s
 *                               without an Idempotency-Key
 *   missing_user_agent          no User-Agent header
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
/* {"coverage": {...}, "violations": {...}} */
cJSON *report_json(struct report *rep);

#endif
