/* The sandbox API's field limits: what its validators enforce, and what the OpenAPI document
 * mock/openapi/sandbox.json states.  tests/test_openapi.c compares the two (also
 * WEBHOOK_MAX_ATTEMPTS_LIMIT, delivery/retry_schedule.h). */
#ifndef SANDBOX_LIMITS_H
#define SANDBOX_LIMITS_H

/* POST/PATCH /_mock/orgs */
#define ORG_RATE_LIMIT_MAX  1000000000LL
#define ORG_RATE_WINDOW_MAX 86400LL
#define ORG_MAX_AGENTS_MAX  1000000000LL

/* POST /_mock/faults */
#define FAULT_LATENCY_MAX_MS  60000
#define FAULT_RETRY_AFTER_MAX 86400
#define FAULT_RETRY_WITHIN_MAX_MS 600000 /* how long a retry an answer expects may take */

/* PATCH /_mock/orgs/{id}/webhook-settings */
#define WEBHOOK_RETRY_BASE_MS_MAX 3600000 /* one hour */
#define WEBHOOK_TIMEOUT_MS_MAX    120000

/* POST /_mock/orgs/{id}/generate */
#define MAX_GENERATED_AGENTS       1000000L
#define MAX_GENERATED_TRANSACTIONS 10000000L

#endif
