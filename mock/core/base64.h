/* Standard base64 (RFC 4648, padded) over OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock.  The
 * mock (proxy bodies, audit rows) and the client (agentclient compiles this file too) share
 * it, so both ends read and write the same alphabet. */
#ifndef BASE64_H
#define BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* The base64 text of data[0..len), NUL-terminated; caller frees.  NULL when out of memory. */
char *base64_encode(const void *data, size_t len);
/* Decodes NUL-terminated base64 text (padding required, no white space) into a malloc'd
 * buffer (caller frees; never NULL on success, even for "") and its length.  false for text
 * that is not base64, or when out of memory (*out NULL in both cases). */
bool base64_decode(const char *text, unsigned char **out, size_t *out_len);

#endif
