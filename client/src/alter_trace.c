/* Agent.trace(): nested scopes whose fields go out as the §5 headers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alter_internal.h"

const char ALTER_TRACE_CLEAR[] = "(clear inherited trace value)";

enum { RUN, THREAD, PARENT, FIXED_FIELDS };
static const char *const fixed_headers[FIXED_FIELDS] = {"X-Alter-Run-Id", "X-Alter-Thread-Id",
                                                        "X-Alter-Parent-Run-Id"};

typedef struct {
    bool set;    /* false: inherit */
    char *value; /* NULL with set: clear */
} trace_value;

typedef struct {
    char *key;
    trace_value value;
} trace_item;

struct trace_scope {
    trace_value fixed[FIXED_FIELDS];
    trace_item *items;
    size_t n_items;
    struct trace_scope *outer;
};

static void scope_free(struct trace_scope *s) {
    for (int f = 0; f < FIXED_FIELDS; f++)
        free(s->fixed[f].value);
    for (size_t i = 0; i < s->n_items; i++) {
        free(s->items[i].key);
        free(s->items[i].value.value);
    }
    free(s->items);
    free(s);
}

static bool key_ok(const char *k) {
    if (!k || !*k) return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '_' || *k == '-'))
            return false;
    return true;
}

/* A value that can be a header line's value. */
static bool value_ok(const char *v) {
    for (; v && *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f) return false;
    return true;
}

/* Copies v into out (NULL: inherit; ALTER_TRACE_CLEAR: clear).  false when out of memory. */
static bool copy_value(const char *v, trace_value *out) {
    if (!v) return true;
    out->set = true;
    if (v == ALTER_TRACE_CLEAR) return true;
    out->value = strdup(v);
    return out->value != NULL;
}

alter_status alter_trace_begin(alter_agent *agent, const alter_trace *trace) {
    if (!agent || !trace || (trace->metadata_count && !trace->metadata))
        return ALTER_ERR_INVALID_ARGUMENT;
    const char *fixed[FIXED_FIELDS] = {trace->run_id, trace->thread_id, trace->parent_run_id};
    for (int f = 0; f < FIXED_FIELDS; f++)
        if (fixed[f] != ALTER_TRACE_CLEAR && !value_ok(fixed[f])) return ALTER_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < trace->metadata_count; i++) {
        const alter_trace_entry *e = &trace->metadata[i];
        if (!key_ok(e->key) || (e->value != ALTER_TRACE_CLEAR && !value_ok(e->value)))
            return ALTER_ERR_INVALID_ARGUMENT;
    }
    struct trace_scope *s = calloc(1, sizeof *s);
    if (!s) return ALTER_ERR_NOMEM;
    bool ok = !trace->metadata_count ||
              (s->items = calloc(trace->metadata_count, sizeof *s->items)) != NULL;
    for (int f = 0; ok && f < FIXED_FIELDS; f++)
        ok = copy_value(fixed[f], &s->fixed[f]);
    for (size_t i = 0; ok && i < trace->metadata_count; i++, s->n_items++) {
        trace_item *item = &s->items[i];
        ok = (item->key = strdup(trace->metadata[i].key)) &&
             copy_value(trace->metadata[i].value ? trace->metadata[i].value : ALTER_TRACE_CLEAR,
                        &item->value);
    }
    if (!ok) {
        scope_free(s);
        return ALTER_ERR_NOMEM;
    }
    s->outer = agent->conn.traces;
    agent->conn.traces = s;
    return ALTER_OK;
}

alter_status alter_trace_end(alter_agent *agent) {
    if (!agent || !agent->conn.traces) return ALTER_ERR_INVALID_ARGUMENT;
    struct trace_scope *s = agent->conn.traces;
    agent->conn.traces = s->outer;
    scope_free(s);
    return ALTER_OK;
}

void alter_trace_close_all(struct alter_conn *c) {
    while (c->traces) {
        struct trace_scope *s = c->traces;
        c->traces = s->outer;
        scope_free(s);
    }
}

void alter_trace_headers_free(char **headers) {
    for (char **h = headers; h && *h; h++)
        free(*h);
    free(headers);
}

/* The effective value of each field, innermost scope winning: walks outermost first so each
 * scope overwrites what it sets. */
char **alter_trace_headers(const struct alter_conn *c) {
    size_t depth = 0, items = 0;
    for (const struct trace_scope *s = c->traces; s; s = s->outer, depth++)
        items += s->n_items;
    const struct trace_scope **chain = calloc(depth ? depth : 1, sizeof *chain);
    const char **fixed = calloc(FIXED_FIELDS, sizeof *fixed);
    const trace_item **merged = calloc(items ? items : 1, sizeof *merged);
    char **headers = calloc(FIXED_FIELDS + items + 1, sizeof *headers);
    size_t n_merged = 0, n_headers = 0;
    bool ok = chain && fixed && merged && headers;
    size_t d = depth;
    for (const struct trace_scope *s = c->traces; ok && s; s = s->outer)
        chain[--d] = s;
    for (size_t level = 0; ok && level < depth; level++) {
        const struct trace_scope *s = chain[level];
        for (int f = 0; f < FIXED_FIELDS; f++)
            if (s->fixed[f].set) fixed[f] = s->fixed[f].value;
        for (size_t i = 0; i < s->n_items; i++) {
            size_t m = 0;
            while (m < n_merged && strcasecmp(merged[m]->key, s->items[i].key) != 0)
                m++;
            merged[m] = &s->items[i];
            if (m == n_merged) n_merged++;
        }
    }
    for (int f = 0; ok && f < FIXED_FIELDS; f++)
        if (fixed[f])
            ok = asprintf(&headers[n_headers++], "%s: %s", fixed_headers[f], fixed[f]) >= 0;
    for (size_t m = 0; ok && m < n_merged; m++)
        if (merged[m]->value.value)
            ok = asprintf(&headers[n_headers++], "X-Alter-Trace-%s: %s", merged[m]->key,
                          merged[m]->value.value) >= 0;
    if (!ok && headers) {
        if (n_headers) headers[n_headers - 1] = NULL; /* asprintf leaves it undefined on failure */
        alter_trace_headers_free(headers);
        headers = NULL;
    }
    free(chain);
    free(fixed);
    free(merged);
    return headers;
}
