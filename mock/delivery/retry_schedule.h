/* When a failed webhook event is tried again (alsorn.md §6): exponential back-off of
 * base × 2^n after the (n+1)-th attempt, at most max_attempts attempts, and no attempt more
 * than 72 hours (scaled with the base, see below) after the first.
 *
 * With the contract's base of one minute and 8 attempts the retries come 1, 2, 4, 8, 16, 32
 * and 64 minutes apart (127 minutes in all).  The 72-hour cap binds only with more attempts:
 * the last delay is shortened so the final attempt lands on the cap, and none follow.  A
 * compressed base (the sandbox's retry_base_ms) compresses the cap in proportion, so a test
 * sees the same shape of schedule in milliseconds. */
#ifndef RETRY_SCHEDULE_H
#define RETRY_SCHEDULE_H

#include <stdint.h>

#define WEBHOOK_RETRY_BASE_MS_DEFAULT 60000 /* 1 minute */
#define WEBHOOK_RETRY_CAP_BASES       4320  /* 72 h in units of the 1-minute base */
#define WEBHOOK_MAX_ATTEMPTS_LIMIT    20

/* Delay in ms before the attempt that follows failed attempt `attempt` (1-based), or -1
 * when the event has had its last attempt. */
int64_t retry_delay_ms(int64_t base_ms, int attempt, int max_attempts);

#endif
