/* The virtual clock of the sandbox (core/clock.h) over HTTP:
 *   GET  /_mock/clock  → {now, offset_seconds}
 *   POST /_mock/clock  {advance_seconds: N} | {set: RFC 3339} | {reset: true}  → the same
 * Exactly one of the three per call.  The clock is global: every tenant sees the move. */
#ifndef SANDBOX_CLOCK_H
#define SANDBOX_CLOCK_H

#include "core/http.h"

void mock_clock_get(struct req *r);
void mock_clock_set(struct req *r);

#endif
