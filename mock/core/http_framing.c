#include "core/http_framing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The next element of a comma list at *p, blanks trimmed (it may be empty); false at the end. */
static bool next_element(const char **p, const char **start, size_t *len) {
    const char *s = *p;
    if (!s) return false;
    const char *comma = strchr(s, ',');
    const char *end = comma ? comma : s + strlen(s);
    *p = comma ? comma + 1 : NULL;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) end--;
    *start = s;
    *len = (size_t)(end - s);
    return true;
}

static bool all_digits(const char *s, size_t len) {
    if (!len) return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static bool refuse(char *why, size_t why_size, const char *text) {
    snprintf(why, why_size, "%s", text);
    return false;
}

bool http_framing_ok(const struct mg_header *headers, int n, bool *must_close, char *why,
                     size_t why_size) {
    const char *length = NULL; /* the first Content-Length number, leading zeros skipped */
    size_t length_len = 0;
    const char *length_wrong = NULL; /* why the Content-Length elements are no one length */
    int codings = 0;
    bool coding_seen = false, only_chunked = true;
    *must_close = false;
    for (int i = 0; i < n; i++) {
        const char *p = headers[i].value, *e;
        size_t len;
        if (strcasecmp(headers[i].name, "Content-Length") == 0) {
            while (next_element(&p, &e, &len) && !length_wrong) {
                if (!all_digits(e, len)) {
                    length_wrong = "Content-Length must be a number of digits";
                    break;
                }
                while (len > 1 && *e == '0') e++, len--;
                if (!length) {
                    length = e;
                    length_len = len;
                } else if (len != length_len || memcmp(e, length, len) != 0) {
                    length_wrong = "The Content-Length values disagree";
                }
            }
        } else if (strcasecmp(headers[i].name, "Transfer-Encoding") == 0) {
            int here = 0;
            coding_seen = true;
            while (next_element(&p, &e, &len)) {
                if (!len) continue; /* a list may hold empty elements */
                here++;
                if (len != 7 || strncasecmp(e, "chunked", 7) != 0) only_chunked = false;
            }
            if (!here) only_chunked = false; /* a Transfer-Encoding that names no coding */
            codings += here;
        }
    }
    if (coding_seen) {
        if (codings != 1 || !only_chunked)
            return refuse(why, why_size, "Transfer-Encoding must be chunked, once, and nothing else");
        *must_close = length || length_wrong;
        return true;
    }
    return length_wrong ? refuse(why, why_size, length_wrong) : true;
}
