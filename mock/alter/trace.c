#include "alter/trace.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#define TRACE_PREFIX "X-Alter-Trace-"

static bool trace_key_valid(const char *k) {
    size_t n = strlen(k);
    if (n < 1 || n > TRACE_KEY_MAX) return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

/* Printable UTF-8 of at most TRACE_VALUE_MAX characters (min_chars at least). */
static bool trace_value_valid(const char *v, size_t min_chars) {
    size_t len = strlen(v);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) return false;
    if (!utf8_valid(v, len)) return false;
    size_t chars = utf8_chars(v);
    return chars >= min_chars && chars <= TRACE_VALUE_MAX;
}

/* One of the three fixed headers: stores it unless it is malformed or repeated. */
static void fixed_header(struct field_errors *fe, const char *name, const char *value,
                         const char **slot, bool *seen) {
    if (*seen) {
        field_error_add(fe, name, "must be sent once");
        *slot = NULL;
        return;
    }
    *seen = true;
    if (!trace_value_valid(value, 1)) {
        field_error_add(fe, name, "must be 1 to %d printable characters", TRACE_VALUE_MAX);
        return;
    }
    *slot = value;
}


void alter_trace_parse(const struct req *r, struct alter_trace *out, struct field_errors *fe) {
    static const char *const fixed[] = {"X-Alter-Run-Id", "X-Alter-Thread-Id",
                                        "X-Alter-Parent-Run-Id"};
    memset(out, 0, sizeof *out);
    out->metadata = cJSON_CreateObject();
    const char **slots[] = {&out->run_id, &out->thread_id, &out->parent_run_id};
    bool seen[3] = {false, false, false};
    int entries = 0;
    for (int i = 0; i < r->ri->num_headers; i++) {
        const char *name = r->ri->http_headers[i].name, *value = r->ri->http_headers[i].value;
        if (!name || !value) continue;
        for (int f = 0; f < 3; f++)
            if (strcasecmp(name, fixed[f]) == 0)
                fixed_header(fe, fixed[f], value, slots[f], &seen[f]);
        if (strncasecmp(name, TRACE_PREFIX, strlen(TRACE_PREFIX)) != 0) continue;
        const char *key = name + strlen(TRACE_PREFIX);
        char field[TRACE_KEY_MAX + 32];
        snprintf(field, sizeof field, TRACE_PREFIX "%.*s", TRACE_KEY_MAX + 1, key);
        if (++entries > TRACE_ENTRIES_MAX) {
            if (entries == TRACE_ENTRIES_MAX + 1)
                field_error_add(fe, TRACE_PREFIX "*", "at most %d trace entries",
                                TRACE_ENTRIES_MAX);
        } else if (!trace_key_valid(key)) {
            field_error_add(fe, field, "key must match [A-Za-z0-9_-]{1,%d}", TRACE_KEY_MAX);
        } else if (!trace_value_valid(value, 0)) {
            field_error_add(fe, field, "must be at most %d printable characters", TRACE_VALUE_MAX);
        } else {
            /* header names ignore case (HTTP/2 sends them lower-case): so does the key */
            char lower[TRACE_KEY_MAX + 1];
            size_t n = 0;
            for (; key[n]; n++) lower[n] = (char)tolower((unsigned char)key[n]);
            lower[n] = '\0';
            if (cJSON_GetObjectItemCaseSensitive(out->metadata, lower))
                field_error_add(fe, field, "must be sent once (keys ignore case)");
            else
                cJSON_AddStringToObject(out->metadata, lower, value);
        }
    }
}
