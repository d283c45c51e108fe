#include "json_parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The bytes the scan must look at; every other byte is skipped in a tight loop (a state file
 * is mostly string contents). */
static const bool special[256] = {['\0'] = true, ['"'] = true, ['\\'] = true,
                                  ['['] = true,   [']'] = true, ['{'] = true,
                                  ['}'] = true};

enum json_parse_error json_precheck(const char *s, size_t len, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        while (i < len && !special[(unsigned char)s[i]])
            i++;
        if (i == len) break;
        char c = s[i];
        if (c == '\0') return JSON_PARSE_INVALID;
        if (in_string) {
            if (c == '\\') {
                if (i + 5 < len && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
                    return JSON_PARSE_NUL;
                i++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return JSON_PARSE_TOO_DEEP;
        } else if ((c == ']' || c == '}') && --depth < 0) {
            /* a close before its open: not JSON, and the count must not go negative and
             * let that many more opens through */
            return JSON_PARSE_INVALID;
        }
    }
    return JSON_PARSE_OK;
}

static bool json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

cJSON *json_parse_guarded(const char *text, size_t len, int max_depth, enum json_parse_error *why) {
    enum json_parse_error e = text ? json_precheck(text, len, max_depth) : JSON_PARSE_INVALID;
    cJSON *json = NULL;
    if (e == JSON_PARSE_OK) {
        const char *end = NULL;
        /* not require_null_terminated: text[len] need not be a NUL (a line in a buffer) */
        json = cJSON_ParseWithLengthOpts(text, len, &end, false);
        while (json && end < text + len && json_space(*end))
            end++;
        if (json && end != text + len) { /* trailing text after the value */
            cJSON_Delete(json);
            json = NULL;
        }
        if (!json) e = JSON_PARSE_INVALID;
    }
    if (why) *why = e;
    return json;
}

const char *json_parse_error_text(enum json_parse_error why, int max_depth, char *buf,
                                  size_t size) {
    switch (why) {
    case JSON_PARSE_OK:
        snprintf(buf, size, "is valid JSON");
        break;
    case JSON_PARSE_TOO_DEEP:
        snprintf(buf, size, "nests deeper than %d levels", max_depth);
        break;
    case JSON_PARSE_NUL:
        snprintf(buf, size, "holds U+0000 in a string");
        break;
    default:
        snprintf(buf, size, "is not valid JSON");
        break;
    }
    return buf;
}
