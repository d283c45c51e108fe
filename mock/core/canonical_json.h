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

/* out = "sha256:" + hex(SHA-256(data)). */
void sha256_tagged(const void *data, size_t len, char out[SHA256_TAGGED_LEN]);

#endif
