/* Checking a webhook's X-Alsorn-Signature on the receiving side (contract §6). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alsorn.h"

#define PREFIX     "sha256="
#define PREFIX_LEN 7
#define HEX_LEN    64

bool alsorn_webhook_verify_signature(const char *secret, const void *body, size_t len,
                                     const char *header) {
    if (!secret || !header || (!body && len)) return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), body ? body : (const void *)"", len, md,
              &md_len) ||
        md_len != HEX_LEN / 2)
        return false;
    char expected[PREFIX_LEN + HEX_LEN + 1] = PREFIX;
    for (unsigned int i = 0; i < md_len; i++)
        snprintf(expected + PREFIX_LEN + 2 * i, 3, "%02x", md[i]);
    /* the length is public (every signature has it); the bytes are compared in constant time */
    if (strlen(header) != PREFIX_LEN + HEX_LEN) return false;
    return CRYPTO_memcmp(expected, header, PREFIX_LEN + HEX_LEN) == 0;
}
