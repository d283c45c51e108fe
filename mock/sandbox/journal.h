/* The request journal (GET /_mock/requests): the last N API requests (not /_mock/ ones) in a
 * ring, newest first, with their replies' bodies, secrets masked.  Each entry is one allocation made before the
 * ring's lock is taken; the lock covers only a pointer swap, and readers take references
 * instead of rendering under it, so the journal neither serializes requests nor grows. */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/http.h"

#define JOURNAL_DEFAULT_SIZE 10000
#define JOURNAL_BODY_MAX 4096

/* Sets the ring's capacity (0 turns the journal off); call before serving. */
void journal_init(size_t capacity);
void journal_shutdown(void);
/* Records r after its reply was sent (or its connection dropped). */
void journal_record(const struct req *r, double duration_ms);
/* {"data": [entry...], "capacity": N} newest first; org_id / path_prefix NULL = any. */
cJSON *journal_json(long limit, const char *org_id, const char *path_prefix);
void journal_clear(void);

#endif
