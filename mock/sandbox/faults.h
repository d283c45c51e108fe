/* Fault injection (DESIGN.md "Sandbox controls"): rules that make matching API requests fail
 * on purpose, so a client's retry and timeout paths can be tested.
 *
 * A rule matches a request by method ("*" = any), path prefix and optionally organization;
 * it fires with its probability, at most `count` times (unlimited when absent).  Actions:
 *   error       the api's error envelope with `status` (503 service_unavailable, ...)
 *   latency     wait latency_ms, then serve normally (every matching latency rule adds up)
 *   reset       drop the connection without an answer
 *   rate_limit  429 with Retry-After: retry_after
 * The first matching error / reset / rate_limit rule (in creation order) decides.  Rules
 * apply after routing and authentication and never to /_mock/ paths.
 *
 * The rule list is read under a reader lock (requests never wait for each other) and skipped
 * without any lock while it is empty. */
#ifndef FAULTS_H
#define FAULTS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/http.h"

#define FAULTS_MAX 1000
#define SEQUENCE_STEPS_MAX 16

/* Sequences (POST /_mock/sequences): a rule (method, path prefix, org, and optionally the key
 * the requests carry) whose next matching requests take its steps in order, one each:
 * error / rate_limit / reset / latency (then served) / pass (served).  Each attempt is
 * recorded (arrival, Idempotency-Key, User-Agent, the step served); a step that expects a
 * retry (by default: 5xx, 408, 429, reset) and is the last attempt with no retry within
 * retry_after + retry_within_ms is transient_error_not_retried.  A sequence is a fault rule:
 * it shares the rules' list, order, cap and deletion (DELETE /_mock/faults clears both). */
cJSON *sequences_add(const cJSON *body, int64_t now, struct field_errors *fe);
cJSON *sequences_list_json(int64_t now_ms);
/* NULL for an unknown id. */
cJSON *sequence_get_json(const char *id, int64_t now_ms);
/* How many of the org's transient answers nobody retried in time: sequences whose last
 * attempt took a step that expects a retry, and firings of plain rules with expect_retry. */
long faults_not_retried(const char *org_id, int64_t now_ms);
/* How many retry expectations the org has met: its sequences and the firings of plain rules
 * with expect_retry on its requests (a graded session's check that they were exercised). */
long faults_retry_expectations(const char *org_id);

/* Validates a POST /_mock/faults body and adds the rule.  Returns the rule's JSON (201),
 * or NULL after filling fe (422) or, with fe empty, when the list is full.
 *
 * expect_retry: true (not for latency rules; off by default, since a rule that fails every
 * call would otherwise flag the last attempt of any SDK that gives up) makes each firing a
 * transient answer a correct SDK retries: the same org, method, path and key must match the
 * rule again within Retry-After (rate_limit and 429 rules) + retry_within_ms (default 10000),
 * else the org's report counts transient_error_not_retried.  The rule shows not_retried. */
cJSON *faults_add(const cJSON *body, int64_t now, struct field_errors *fe);
cJSON *faults_list_json(int64_t now_ms);
/* Returns 0, or -1 for an unknown id. */
int faults_remove(const char *id);
/* Removes every rule (org_id NULL) or the rules scoped to one organization; returns how many. */
int faults_clear(const char *org_id);

/* Dispatcher step: picks the rules that fire for r.  Renders the reply (error, 429) or drops
 * the connection and returns false; returns true to go on, with any injected latency in
 * r->sandbox.latency_ms.  rate_limit_code is the api's 429 code. */
bool faults_apply(struct req *r, const char *rate_limit_code);

#endif
