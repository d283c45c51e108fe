/* The sandbox's virtual clock control (DESIGN.md "Sandbox controls"):
 *   GET  /_mock/clock                          → {"now": "...", "offset_seconds": N}
 *   POST /_mock/clock {"advance_seconds": N}   moves virtual time by N seconds (N may be < 0)
 *   POST /_mock/clock {"set": "RFC 3339"}      jumps to that instant
 *   POST /_mock/clock {"reset": true}          back to real time (offset 0)
 * The clock is the whole server's: every organization sees the jump. */
#ifndef SANDBOX_CLOCK_H
#define SANDBOX_CLOCK_H

#include "core/http.h"

void mock_clock_get(struct req *r);
void mock_clock_change(struct req *r);

#endif
