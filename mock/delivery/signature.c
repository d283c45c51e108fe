#include "delivery/signature.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void webhook_signature(const char *secret, const void *body, size_t len, char out[SIGNATURE_LEN]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, md, &md_len);
    memcpy(out, "sha256=", 7);
    for (unsigned int i = 0; i < md_len && i < 32; i++) snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    out[SIGNATURE_LEN - 1] = '\0';
}
