#include "random.h"
#include "hex.h"
#include "sha256.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/rand.h>

static atomic_bool seeded;
static uint64_t seed_value;
static _Atomic uint64_t counter;

void random_seed(uint64_t seed) {
    seed_value = seed;
    atomic_store(&counter, 0);
    atomic_store(&seeded, true);
}

void random_unseed(void) { atomic_store(&seeded, false); }

/* A call to RAND_bytes costs about 6,000 instructions whatever its size (the DRBG's set-up),
 * and every request draws an id: each thread takes the CSPRNG's output 2 KiB at a time and
 * hands it out in order.  The bytes are the same CSPRNG bytes, only fetched in bulk. */
static _Thread_local unsigned char pool[2048];
static _Thread_local size_t pool_left;

static bool csprng_bytes(unsigned char *out, size_t n) {
    if (n > sizeof pool) return RAND_bytes(out, (int)n) == 1;
    if (n > pool_left) {
        if (RAND_bytes(pool, (int)sizeof pool) != 1) return false;
        pool_left = sizeof pool;
    }
    memcpy(out, pool + sizeof pool - pool_left, n);
    memset(pool + sizeof pool - pool_left, 0, n); /* a secret handed out is not kept here */
    pool_left -= n;
    return true;
}

void random_bytes(void *out, size_t n) {
    if (!atomic_load(&seeded)) {
        if (csprng_bytes(out, n)) return;
        /* RAND_bytes only fails when the OS gives no entropy; fall through to the counter so
         * ids stay unique rather than aborting a request. */
    }
    unsigned char *dst = out;
    while (n > 0) {
        uint64_t block[2] = {seed_value, atomic_fetch_add(&counter, 1)};
        unsigned char md[SHA256_BYTES];
        sha256(block, sizeof block, md);
        size_t take = n < sizeof md ? n : sizeof md;
        memcpy(dst, md, take);
        dst += take;
        n -= take;
    }
}

/* out = prefix + n_chars drawn from alphabet (of size n_alphabet). */
static void random_chars(char *out, size_t out_size, const char *prefix, size_t n_chars,
                         const char *alphabet, unsigned n_alphabet) {
    size_t plen = strlen(prefix);
    if (plen + n_chars + 1 > out_size) n_chars = out_size - plen - 1;
    unsigned char raw[64];
    if (n_chars > sizeof raw) n_chars = sizeof raw;
    random_bytes(raw, n_chars);
    memcpy(out, prefix, plen);
    /* a byte % 36 (or 62) slightly favours the first characters: harmless for ids, and a
     * 32-character key keeps over 180 bits of entropy */
    for (size_t i = 0; i < n_chars; i++) out[plen + i] = alphabet[raw[i] % n_alphabet];
    out[plen + n_chars] = '\0';
}

void random_id(char *out, size_t out_size, const char *prefix, size_t n_chars) {
    random_chars(out, out_size, prefix, n_chars, "0123456789abcdefghijklmnopqrstuvwxyz", 36);
}

void random_base62(char *out, size_t out_size, const char *prefix, size_t n_chars) {
    random_chars(out, out_size, prefix, n_chars,
                 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 62);
}

void random_uuid(char out[UUID_LEN]) {
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

void random_hex(char *out, size_t out_size, const char *prefix, size_t n_bytes) {
    size_t plen = strlen(prefix);
    if (plen + 2 * n_bytes + 1 > out_size) n_bytes = (out_size - plen - 1) / 2;
    unsigned char raw[64];
    if (n_bytes > sizeof raw) n_bytes = sizeof raw;
    random_bytes(raw, n_bytes);
    memcpy(out, prefix, plen);
    hex_encode(raw, n_bytes, out + plen);
}
