/* Typed reads of trusted JSON (snapshots, fixtures): each returns the value or a default and
 * sets *ok = false when the member is missing or of the wrong type, so a loader can read a
 * whole record and check once. */
#ifndef JSON_READ_H
#define JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The member called name (the first, as cJSON_GetObjectItemCaseSensitive), or NULL; a snapshot
 * load looks up tens of millions. */
const cJSON *jr_member(const cJSON *o, const char *name);
const char *jr_string(const cJSON *o, const char *name, bool *ok);     /* required string */
const char *jr_string_or_null(const cJSON *o, const char *name, bool *ok);
int64_t jr_int(const cJSON *o, const char *name, bool *ok);            /* integral number */
double jr_number(const cJSON *o, const char *name, bool *ok);
bool jr_bool(const cJSON *o, const char *name, bool *ok);
/* Index of the string member in choices (NULL-terminated). */
int jr_enum(const cJSON *o, const char *name, const char *const *choices, bool *ok);
/* Copies a required non-empty string member into out; one that does not fit is not ok. */
void jr_copy(const cJSON *o, const char *name, char *out, size_t out_size, bool *ok);
/* A copy of a string-or-null member (NULL for null or absent); *ok = false when mistyped or
 * out of memory.  Caller frees. */
char *jr_strdup_or_null(const cJSON *o, const char *name, bool *ok);
/* The strings of an array member, borrowed from o, in a new array of *n pointers (caller
 * frees the array); NULL with *ok = false when it is not an array of strings. */
const char **jr_strings(const cJSON *o, const char *name, size_t *n, bool *ok);

#endif
