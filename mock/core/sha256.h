/* SHA-256 with the algorithm fetched once.  OpenSSL 3's one-shot SHA256() looks the algorithm
 * up on every call, which costs as much as hashing a short text: a key lookup per request and
 * the millions of chain hashes of a large snapshot pay it. */
#ifndef CORE_SHA256_H
#define CORE_SHA256_H

#include <stddef.h>

#define SHA256_BYTES 32

void sha256(const void *data, size_t len, unsigned char out[SHA256_BYTES]);

#endif
