/* What the webhook tests (webhooks_*.c) share: endpoint calls with the admin key, the
 * sandbox's delivery settings, waiting for the delivery log, and the check of one delivery
 * against §6 (headers, signature, envelope). */
#ifndef CONFORMANCE_WEBHOOK_HELPERS_H
#define CONFORMANCE_WEBHOOK_HELPERS_H

#include "harness.h"
#include "receiver.h"

/* PATCH /_mock/orgs/{org}/webhook-settings (mock only); asserts 200. */
void webhook_settings(struct tenant *t, const char *body_json);
/* GET (body_json NULL) or PATCH of the org's webhook settings; asserts want_status and returns
 * the answer (caller deletes). */
cJSON *mock_settings_patch(struct tenant *t, const char *body_json, long want_status);
/* POST /webhooks {"url", "events": <events_json>}; asserts 201 and returns the endpoint with
 * its secret.  Caller deletes. */
cJSON *webhook_create(struct tenant *t, const char *url, const char *events_json);
/* GET /webhooks/{id}; asserts 200.  Caller deletes. */
cJSON *webhook_get(struct tenant *t, const char *id);
/* Polls GET /webhooks/{id} until the numeric or boolean member equals value, for at most
 * timeout_ms; fails the test otherwise.  Returns the endpoint; caller deletes. */
cJSON *webhook_wait_member(struct tenant *t, const char *id, const char *member, double value,
                           int timeout_ms);
/* The first page (limit 100) of GET /webhooks/{id}/deliveries once it lists at least n
 * attempts (fails the test after timeout_ms).  Returns the "data" array; caller deletes. */
cJSON *webhook_wait_deliveries(struct tenant *t, const char *id, int n, int timeout_ms);

/* 8-4-4-4-12 lowercase hex. */
bool is_uuid(const char *s);

/* Asserts r is a §6 delivery of `event` signed with `secret`: POST, Content-Type, the four
 * X-Alsorn-* headers, a signature that the client's check and an independent HMAC both
 * accept, and the envelope {id, event, created, api_version, data}.  Returns the envelope;
 * caller deletes. */
#define expect_delivery(r, secret, event) expect_delivery_at(__FILE__, __LINE__, (r), (secret), (event))
cJSON *expect_delivery_at(const char *file, int line, const struct received *r, const char *secret,
                          const char *event);

/* Waits for n deliveries at rc; fails the test with what arrived after timeout_ms. */
#define expect_deliveries(rc, n, timeout_ms) expect_deliveries_at(__FILE__, __LINE__, (rc), (n), (timeout_ms))
void expect_deliveries_at(const char *file, int line, struct receiver *rc, size_t n, int timeout_ms);

/* The receiver-side signature check: the client's alsorn_webhook_verify_signature when the
 * suite is built with the client, else the independent HMAC above. */
bool signature_verifies(const char *secret, const void *body, size_t len, const char *header);

/* Skips the test when the target does not serve POST /transactions yet (404), with why. */
void require_transactions(struct tenant *t);

#endif
