/* The webhook receiver probe (POST /_mock/webhook-probe): four deliveries to an SDK's
 * receiver, each signed as alsorn.md §6 says or deliberately not, and what the receiver made
 * of each (any 2xx = accepted):
 *   valid_awkward_body  a valid delivery whose body is non-ASCII (raw and \u-escaped), nested,
 *                       about 40 KB and not in any serializer's canonical form: must be
 *                       accepted; a receiver that rejects it verifies a re-serialized body
 *   bad_signature       signed with another secret: must be rejected
 *   stale_timestamp     valid signature, X-Alsorn-Timestamp an hour old: advisory, since the
 *                       contract signs only the body
 *   replay              the first delivery's body again (same event id), validly signed:
 *                       advisory, since a retry looks the same; a receiver should not process
 *                       an event id twice */
#ifndef WEBHOOK_PROBE_H
#define WEBHOOK_PROBE_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* Sends the four deliveries to url (already allow-listed) and returns
 * {"url", "results": [{"case", "expected", "advisory", "status_code", "accepted", "ok",
 * "meaning"}...], "passed"}; passed is false when a non-advisory case went wrong. */
cJSON *webhook_probe_run(const char *url, const char *secret, int64_t now, long timeout_ms);

#endif
