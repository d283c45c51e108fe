/* Bytes as lowercase hex and back (salts and secrets in snapshots). */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>

/* Lowercase hex of n bytes into out (2n + 1 chars). */
void hex_encode(const void *bytes, size_t n, char *out);
/* Exactly 2n hex digits into n bytes; -1 otherwise. */
int hex_decode(const char *hex, void *bytes, size_t n);

#endif
