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

/* Bytes for ids, which are not secrets: from a per-thread pool refilled from random_bytes in
 * blocks, because OpenSSL 3 spends ~6,000 instructions on every RAND_bytes call however short
 * (a POST /transactions draws five ids).  Seeded, every draw goes to random_bytes in order, so
 * a seeded run's ids stay what they were.  Keys and secrets never come from the pool. */
#define ID_POOL_SIZE 512
static _Thread_local struct {
    unsigned char bytes[ID_POOL_SIZE];
    size_t left;
} id_pool;

static void id_bytes(void *out, size_t n) {
    if (atomic_load(&seeded) || n > ID_POOL_SIZE) {
        random_bytes(out, n);
        return;
    }
    if (id_pool.left < n) {
        random_bytes(id_pool.bytes, ID_POOL_SIZE);
        id_pool.left = ID_POOL_SIZE;
    }
    memcpy(out, id_pool.bytes + ID_POOL_SIZE - id_pool.left, n);
    id_pool.left -= n;
}

/* out = prefix + n_chars drawn from alphabet (of size n_alphabet), bytes from draw. */
static void random_chars(char *out, size_t out_size, const char *prefix, size_t n_chars,
                         const char *alphabet, unsigned n_alphabet,
                         void (*draw)(void *, size_t)) {
    size_t plen = strlen(prefix);
    if (plen + n_chars + 1 > out_size) n_chars = out_size - plen - 1;
    unsigned char raw[64];
    if (n_chars > sizeof raw) n_chars = sizeof raw;
    draw(raw, n_chars);
    memcpy(out, prefix, plen);
    /* a byte % 36 (or 62) slightly favours the first characters: harmless for ids, and a
     * 32-character key keeps over 180 bits of entropy */
    for (size_t i = 0; i < n_chars; i++) out[plen + i] = alphabet[raw[i] % n_alphabet];
    out[plen + n_chars] = '\0';
}

void random_id(char *out, size_t out_size, const char *prefix, size_t n_chars) {
    random_chars(out, out_size, prefix, n_chars, "0123456789abcdefghijklmnopqrstuvwxyz", 36,
                 id_bytes);
}

void random_base62(char *out, size_t out_size, const char *prefix, size_t n_chars) {
    random_chars(out, out_size, prefix, n_chars,
                 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 62,
                 random_bytes);
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

static void hex_chars(char *out, size_t out_size, const char *prefix, size_t n_bytes,
                      void (*draw)(void *, size_t)) {
    static const char hex[] = "0123456789abcdef";
    size_t plen = strlen(prefix);
    if (plen + 2 * n_bytes + 1 > out_size) n_bytes = (out_size - plen - 1) / 2;
    unsigned char raw[64];
    if (n_bytes > sizeof raw) n_bytes = sizeof raw;
    draw(raw, n_bytes);
    memcpy(out, prefix, plen);
    for (size_t i = 0; i < n_bytes; i++) {
        out[plen + 2 * i] = hex[raw[i] >> 4];
        out[plen + 2 * i + 1] = hex[raw[i] & 15];
    }
    out[plen + 2 * n_bytes] = '\0';
}

void random_hex(char *out, size_t out_size, const char *prefix, size_t n_bytes) {
    hex_chars(out, out_size, prefix, n_bytes, random_bytes);
}

void random_id_hex(char *out, size_t out_size, const char *prefix, size_t n_bytes) {
    hex_chars(out, out_size, prefix, n_bytes, id_bytes);
}
