#include "sha256.h"

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static void fetch_sha256(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

void sha256(const void *data, size_t len, unsigned char out[SHA256_BYTES]) {
    pthread_once(&sha256_once, fetch_sha256);
    if (!sha256_md || EVP_Digest(data, len, out, NULL, sha256_md, NULL) != 1)
        SHA256(data, len, out);
}
