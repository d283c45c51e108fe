/* Trace headers (alter.md §5): X-Alter-Run-Id, X-Alter-Thread-Id, X-Alter-Parent-Run-Id and
 * one X-Alter-Trace-<key> per metadata entry (key [A-Za-z0-9_-]{1,64}, value at most 256
 * characters, at most 16 entries).  The values point into the request's headers. */
#ifndef ALTER_TRACE_H
#define ALTER_TRACE_H

#include <cjson/cJSON.h>

#include "core/http.h"

#define TRACE_VALUE_MAX   256
#define TRACE_KEY_MAX     64
#define TRACE_ENTRIES_MAX 16

struct alter_trace {
    const char *run_id, *thread_id, *parent_run_id; /* NULL when not sent */
    cJSON *metadata; /* {key lower-cased: value}, owned by the caller of alter_trace_parse */
};

/* Reads r's trace headers into out, adding a field error (named after the header) for every
 * one that breaks a rule; such headers are left out of out. */
void alter_trace_parse(const struct req *r, struct alter_trace *out, struct field_errors *fe);

#endif
