/* A generic fixed-window rate limiter: bucket key (a string) → a counter that restarts when
 * its window ends.  The dispatcher counts every request against the bucket its api's
 * authenticator chose (struct caller: rate_key, rate_limit, rate_window_seconds).
 *
 * A bucket's window starts at its first request and lasts window_seconds of virtual time;
 * the first request after it ends starts the next one.  The buckets are spread over striped
 * locks, so requests on different keys rarely share a lock and no lock is global. */
#ifndef RATE_LIMIT_H
#define RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_verdict {
    bool allowed;
    long limit;       /* X-RateLimit-Limit */
    long remaining;   /* X-RateLimit-Remaining, after this request */
    int64_t reset;    /* X-RateLimit-Reset: Unix seconds when the window ends */
    long retry_after; /* seconds until the window ends (>= 1); meaningful when !allowed */
};

/* Counts one request on `key` (limit requests per window_seconds, now = virtual seconds). A
 * request over the limit is refused and not counted.  A change of limit or window applies at
 * once; a changed window restarts the bucket. */
void rate_limit_take(const char *key, long limit, int window_seconds, int64_t now,
                     struct rate_verdict *out);
/* Drops every bucket whose key starts with prefix (a tenant reset); NULL or "" drops all. */
void rate_limit_forget(const char *prefix);
/* Number of buckets held (tests check that expired ones are swept). */
long rate_limit_buckets(void);

#endif
