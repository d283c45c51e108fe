/* Canonical JSON and the hashes both contracts take over it.
 *
 * Canonical form: object keys sorted by byte value, no insignificant white space, strings
 * with the minimal JSON escapes, numbers as integers when integral, otherwise the shortest
 * form that reads back to the same double.  Alsorn's fingerprints and audit chain and
 * Alter's audit chain all hash this form, so the mock and the client compile this one file. */
#ifndef CANONICAL_JSON_H
#define CANONICAL_JSON_H

#include <cjson/cJSON.h>

#define SHA256_TAGGED_LEN 72 /* "sha256:" + 64 hex + NUL */

/* Returns a malloc'd NUL-terminated string (caller frees), or NULL when out of memory. */
char *canonical_json(const cJSON *item);

/* out = "sha256:" + hex(SHA-256(canonical_json(item))). Returns 0, or -1 when out of memory. */
int canonical_sha256(const cJSON *item, char out[SHA256_TAGGED_LEN]);

/* An object written at once (hashed, or its text kept) need not be built on the heap: its
 * members can be items in an array on the caller's stack that borrow the caller's strings
 * (type cJSON_String, cJSON_Raw for text already canonical, or cJSON_NULL with no value).
 * canonical_object links n of them into an object, which nothing frees.  Members listed in
 * key order leave the writer nothing to sort. */
static inline cJSON canonical_member(const char *name, int type, const char *value) {
    return (cJSON){.type = type | cJSON_IsReference | cJSON_StringIsConst,
                   .string = (char *)name,
                   .valuestring = (char *)value};
}
static inline cJSON canonical_object(cJSON *members, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) members[i].next = &members[i + 1];
    return (cJSON){.type = cJSON_Object, .child = n ? members : NULL};
}

/* out = "sha256:" + hex(SHA-256(data)). */
void sha256_tagged(const void *data, size_t len, char out[SHA256_TAGGED_LEN]);

#endif
