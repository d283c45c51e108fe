/* The caps on stores that grow with use (mock/README.md "Caps on what grows"): what a tenant
 * holds against them and what they dropped, for GET /_mock/orgs/{id}; and the caps in force,
 * for GET /_mock/health. */
#ifndef SANDBOX_CAPS_H
#define SANDBOX_CAPS_H

#include <cjson/cJSON.h>

#include "store/tenant.h"

/* {"alter_audit": {rows, max, dropped, anchor_hash}, "webhooks": {queued, queue_max,
 * events_dropped, deliveries_logged, log_max, deliveries_dropped}}.  t's lock is held. */
cJSON *caps_usage_json(const struct tenant *t);
/* {"alter_audit_max", "webhook_log_max", "webhook_queue_max"} */
cJSON *caps_json(void);

#endif
