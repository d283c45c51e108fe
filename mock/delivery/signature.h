/* The X-Alsorn-Signature of alsorn.md §6: "sha256=" + lowercase hex HMAC-SHA256 of the raw
 * body, keyed with the whole secret string ("whsec_..." included). */
#ifndef SIGNATURE_H
#define SIGNATURE_H

#include <stddef.h>

#define SIGNATURE_LEN (7 + 64 + 1) /* "sha256=" + hex + NUL */

void webhook_signature(const char *secret, const void *body, size_t len, char out[SIGNATURE_LEN]);

#endif
