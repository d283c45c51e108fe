#include "base64.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

char *base64_encode(const void *data, size_t len) {
    if (len > (size_t)0x7fffffff / 4 * 3) return NULL; /* EVP takes an int */
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out) return NULL;
    EVP_EncodeBlock((unsigned char *)out, data, (int)len); /* writes the NUL */
    return out;
}

bool base64_decode(const char *text, unsigned char **out, size_t *out_len) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    *out = NULL;
    *out_len = 0;
    size_t n = strlen(text);
    /* EVP_DecodeBlock skips white space around its input and takes '=' anywhere; checking
     * the alphabet first makes "is this base64" exact */
    if (n % 4 != 0 || n > 0x7fffffff) return false;
    size_t pad = n && text[n - 1] == '=' ? (text[n - 2] == '=' ? 2 : 1) : 0;
    if (strspn(text, alphabet) != n - pad) return false;
    unsigned char *buf = malloc(n / 4 * 3 + 1);
    if (!buf) return false;
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
    if (got < 0) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = (size_t)got - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
    return true;
}
