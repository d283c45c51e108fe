/* Typed reads of trusted JSON (snapshots, fixtures): each returns the value or a default and
 * sets *ok = false when the member is missing or of the wrong type, so a loader can read a
 * whole record and check once. */
#ifndef JSON_READ_H
#define JSON_READ_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

const char *jr_string(const cJSON *o, const char *name, bool *ok);     /* required string */
const char *jr_string_or_null(const cJSON *o, const char *name, bool *ok);
int64_t jr_int(const cJSON *o, const char *name, bool *ok);            /* integral number */
double jr_number(const cJSON *o, const char *name, bool *ok);
bool jr_bool(const cJSON *o, const char *name, bool *ok);
/* Index of the string member in choices (NULL-terminated). */
int jr_enum(const cJSON *o, const char *name, const char *const *choices, bool *ok);

#endif
