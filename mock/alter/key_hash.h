/* Alter keys at rest (alter.md §4: "only a salted hash of each key is kept").
 *
 * The plaintext is shown once and never stored.  Each key keeps two values:
 *   - a lookup index, hex HMAC-SHA256(pepper, plaintext).  The pepper is 32 random bytes made
 *     once per process and never written anywhere.  The directory (store/store.h) finds a
 *     presented key by this index in O(1), the way it finds an Alsorn key by its SHA-256.
 *   - a verifier, SHA-256(salt || plaintext) with a 16-byte random salt of its own.  Once the
 *     index has found the record, the salted hash is recomputed and compared in constant time.
 * A salted hash alone cannot be looked up (the salt must be known before hashing), and a
 * plain hash alone can be checked against guesses by anyone holding a copy of the store.  With
 * both, lookup stays O(1), the index is useless without the process's pepper, and no two keys
 * share a verifier.  A state snapshot carries the pepper with it (alter_key_pepper_*): without
 * it no restored key could be found. */
#ifndef ALTER_KEY_HASH_H
#define ALTER_KEY_HASH_H

#include <stdbool.h>

#define ALTER_KEY_MAX        96 /* longest plaintext accepted, + NUL */
/* Longest key_prefix (§4): the longest type prefix, alter_key_agent_, plus 8 characters */
#define ALTER_KEY_PREFIX_LEN 24
#define ALTER_KEY_PREFIX_RANDOM 8 /* characters shown after the type prefix */
#define KEY_LOOKUP_LEN       65 /* 64 hex + NUL */

struct key_verifier {
    unsigned char salt[16];
    unsigned char hash[32]; /* SHA-256(salt || plaintext) */
};

enum alter_key_kind { ALTER_KEY_APP, ALTER_KEY_AGENT };

/* alter_key_app_ / alter_key_agent_ + 32 base62, or the newer alter_rk_ / alter_ak_ /
 * alter_dk_ + 16 to 64 base62 (§1). */
bool alter_key_format_valid(const char *key);
/* A new plaintext key of that kind (32 base62 from random_bytes: deterministic under --seed). */
void alter_key_generate(enum alter_key_kind kind, char out[ALTER_KEY_MAX]);
/* key_prefix of a well-formed key: its type prefix (alter_key_agent_, alter_rk_, ...) and
 * the next ALTER_KEY_PREFIX_RANDOM characters, e.g. alter_key_agent_vYbdGLvu. */
void alter_key_prefix(const char *key, char out[ALTER_KEY_PREFIX_LEN + 1]);

void alter_key_lookup_index(const char *plaintext, char out[KEY_LOOKUP_LEN]);
/* The pepper as 64 hex digits, and its replacement by a snapshot's (-1: not 64 hex digits).
 * Replacing it orphans every key indexed under the old one: only a load that replaces the
 * whole store does it. */
void alter_key_pepper_hex(char out[KEY_LOOKUP_LEN]);
int alter_key_pepper_set_hex(const char *hex);
void alter_key_verifier_make(const char *plaintext, struct key_verifier *out);
bool alter_key_verifier_matches(const struct key_verifier *v, const char *plaintext);

#endif
