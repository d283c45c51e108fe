#include "random.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

static atomic_bool seeded;
static uint64_t seed_value;
static _Atomic uint64_t counter;

void random_seed(uint64_t seed) {
    seed_value = seed;
    atomic_store(&counter, 0);
    atomic_store(&seeded, true);
}

void random_unseed(void) { atomic_store(&seeded, false); }

void random_bytes(void *out, size_t n) {
    if (!atomic_load(&seeded)) {
        if (RAND_bytes(out, (int)n) == 1) return;
        /* RAND_bytes only fails when the OS gives no entropy; fall through to the counter so
         * ids stay unique rather than aborting a request. */
    }
    unsigned char *dst = out;
    while (n > 0) {
        uint64_t block[2] = {seed_value, atomic_fetch_add(&counter, 1)};
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)block, sizeof block, md);
        size_t take = n < sizeof md ? n : sizeof md;
        memcpy(dst, md, take);
        dst += take;
        n -= take;
    }
}

void random_id(char *out, size_t out_size, const char *prefix, size_t n_chars) {
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    size_t plen = strlen(prefix);
    if (plen + n_chars + 1 > out_size) n_chars = out_size - plen - 1;
    unsigned char raw[64];
    if (n_chars > sizeof raw) n_chars = sizeof raw;
    random_bytes(raw, n_chars);
    memcpy(out, prefix, plen);
    /* a byte % 36 is slightly biased toward the first 4 characters: harmless for ids */
    for (size_t i = 0; i < n_chars; i++) out[plen + i] = alphabet[raw[i] % 36];
    out[plen + n_chars] = '\0';
}

void random_hex(char *out, size_t out_size, const char *prefix, size_t n_bytes) {
    static const char hex[] = "0123456789abcdef";
    size_t plen = strlen(prefix);
    if (plen + 2 * n_bytes + 1 > out_size) n_bytes = (out_size - plen - 1) / 2;
    unsigned char raw[64];
    if (n_bytes > sizeof raw) n_bytes = sizeof raw;
    random_bytes(raw, n_bytes);
    memcpy(out, prefix, plen);
    for (size_t i = 0; i < n_bytes; i++) {
        out[plen + 2 * i] = hex[raw[i] >> 4];
        out[plen + 2 * i + 1] = hex[raw[i] & 15];
    }
    out[plen + 2 * n_bytes] = '\0';
}
