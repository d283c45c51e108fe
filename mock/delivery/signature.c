#include "delivery/signature.h"

#include "core/hex.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void webhook_signature(const char *secret, const void *body, size_t len, char out[SIGNATURE_LEN]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, md, &md_len);
    memcpy(out, "sha256=", 7);
    hex_encode(md, md_len < 32 ? md_len : 32, out + 7);
}
