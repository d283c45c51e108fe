/* The one way outside text becomes a cJSON tree: request bodies, state files and their
 * lines, fixtures, stored audit payloads, provider replies, and (in the client) a server's
 * replies.
 *
 * cJSON's parser recurses once per nesting level, and a CivetWeb worker's stack is small
 * (about 100 KB): a line of 800 '[' overflowed it.  So the text is scanned first, without
 * recursion, and refused when it nests deeper than allowed, before cJSON sees it.  The scan
 * also refuses "\u0000" (cJSON would decode it into a C string it silently cuts short, so
 * "ab\u0000cd" would be kept as "ab"), a raw NUL byte, and anything after the value but
 * whitespace (cJSON_ParseWithLength ignores trailing text). */
#ifndef JSON_PARSE_H
#define JSON_PARSE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Levels of '[' and '{' a request body, a state line or a stored value may nest. */
#define JSON_MAX_DEPTH 64
/* A reply wraps stored values (each at most JSON_MAX_DEPTH deep) in a few levels of its own
 * envelope ({"data":[{"metadata": ...}]}), so a reader of replies allows that much more. */
#define JSON_REPLY_MAX_DEPTH (JSON_MAX_DEPTH + 16)

enum json_parse_error {
    JSON_PARSE_OK,
    JSON_PARSE_INVALID,  /* not one JSON value (or a raw NUL byte in the text) */
    JSON_PARSE_TOO_DEEP, /* nests deeper than max_depth */
    JSON_PARSE_NUL,      /* a string holds \u0000 */
};

/* Parses text[0..len) (no terminating NUL needed) as exactly one JSON value nesting at most
 * max_depth levels.  Returns the tree (caller deletes), or NULL with *why set (why may be
 * NULL). */
cJSON *json_parse_guarded(const char *text, size_t len, int max_depth, enum json_parse_error *why);

/* The scan alone: what json_parse_guarded would refuse before parsing (JSON_PARSE_OK when
 * only cJSON can tell). */
enum json_parse_error json_precheck(const char *text, size_t len, int max_depth);

/* "nests deeper than 64 levels", ...: to follow "The body " or "payload ". */
const char *json_parse_error_text(enum json_parse_error why, int max_depth, char *buf, size_t size);

#endif
