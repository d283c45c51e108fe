/* Random bytes and ids.  By default from OpenSSL's CSPRNG; with --seed N every id, key and
 * secret comes from SHA-256(seed, counter) instead, so a seeded run is reproducible. */
#ifndef RANDOM_H
#define RANDOM_H

#include <stddef.h>
#include <stdint.h>

#define ID_LEN 40 /* longest prefix ("whsec_") + 32 characters + NUL, with room */

void random_seed(uint64_t seed); /* switches to deterministic mode */
void random_unseed(void);
void random_bytes(void *out, size_t n);

/* out = prefix + n_chars lowercase alphanumerics. */
void random_id(char *out, size_t out_size, const char *prefix, size_t n_chars);
/* out = prefix + n_chars of [0-9A-Za-z] (Alter's keys). */
void random_base62(char *out, size_t out_size, const char *prefix, size_t n_chars);
/* out = prefix + 2*n_bytes lowercase hex. */
void random_hex(char *out, size_t out_size, const char *prefix, size_t n_bytes);

#define UUID_LEN 37 /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" + NUL */
/* A lowercase RFC 4122 version-4 UUID (Alter's agent ids), from random_bytes. */
void random_uuid(char out[UUID_LEN]);

/* The ids of the contracts: "agent_" + 16 alphanumerics etc. */
static inline void random_object_id(char *out, size_t out_size, const char *prefix) {
    random_id(out, out_size, prefix, 16);
}

#endif
