/* The virtual clock.  Every timestamp the mock writes or compares (created_at, tenure, rate
 * windows, idempotency expiry, webhook retries, approvals) reads clock_now(), so a test can
 * move time instead of waiting for it.  Virtual time = real time + an offset. */
#ifndef CLOCK_H
#define CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define RFC3339_LEN 21 /* "2026-11-23T15:24:29Z" + NUL */

int64_t clock_now(void);        /* Unix seconds, virtual */
int64_t clock_now_ms(void);     /* Unix milliseconds, virtual */
void clock_set(int64_t unix_seconds);
void clock_advance(int64_t seconds);
void clock_reset(void);         /* back to real time */
int64_t clock_offset(void);
/* Real microseconds from an arbitrary start (CLOCK_MONOTONIC): for durations and deadlines,
 * which neither the virtual clock nor a change of the wall clock may move. */
int64_t clock_monotonic_us(void);

void clock_format(int64_t unix_seconds, char out[RFC3339_LEN]);
#define RFC3339_MS_LEN 25 /* "2026-11-23T15:24:29.123Z" + NUL */
void clock_format_ms(int64_t unix_ms, char out[RFC3339_MS_LEN]);
/* Parses RFC 3339 ("2026-01-02T03:04:05Z", fractional seconds and offsets accepted).
 * Returns 0 and the Unix seconds, or -1. */
int clock_parse(const char *s, int64_t *out);

#endif
