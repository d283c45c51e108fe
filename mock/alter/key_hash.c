#include "alter/key_hash.h"
#include "core/sha256.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "core/hex.h"
#include "core/random.h"

static unsigned char pepper[32];
static pthread_once_t pepper_once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t pepper_lock = PTHREAD_RWLOCK_INITIALIZER; /* a load may replace it */

/* From OpenSSL directly, not random_bytes: the pepper leaves the process only inside a state
 * snapshot, so --seed has no reason to make it predictable (and drawing it must not shift the
 * seeded id sequence). */
/* HMAC-SHA256 keyed with the pepper, set up once per pepper: OpenSSL 3's one-shot HMAC()
 * fetches both algorithms and keys a new context on every call, which cost a sixth of an
 * Alter request.  Each thread keeps its own copy and re-initialises it per lookup (EVP_MAC_init
 * with no key keeps the key): copying the context per lookup cost as much as the HMAC.
 * keyed and generation are guarded by pepper_lock like the pepper. */
static EVP_MAC_CTX *keyed;
static unsigned generation; /* of keyed: a thread's copy of an older one is replaced */

struct thread_mac {
    EVP_MAC_CTX *ctx;
    unsigned generation;
};
static pthread_key_t thread_mac_key; /* only to free a thread's copy when the thread ends */
static _Thread_local struct thread_mac *thread_mac;

static void thread_mac_free(void *p) {
    struct thread_mac *m = p;
    thread_mac = NULL;
    EVP_MAC_CTX_free(m->ctx);
    free(m);
}

/* This thread's copy of keyed, ready for a new message; NULL when there is none.  Called
 * with pepper_lock held (read). */
static EVP_MAC_CTX *thread_ctx(void) {
    if (!keyed) return NULL;
    if (!thread_mac) {
        if (!(thread_mac = calloc(1, sizeof *thread_mac))) return NULL;
        pthread_setspecific(thread_mac_key, thread_mac);
    }
    if (!thread_mac->ctx || thread_mac->generation != generation) {
        EVP_MAC_CTX_free(thread_mac->ctx);
        thread_mac->ctx = EVP_MAC_CTX_dup(keyed);
        thread_mac->generation = generation;
    } else if (EVP_MAC_init(thread_mac->ctx, NULL, 0, NULL) != 1) {
        return NULL;
    }
    return thread_mac->ctx;
}

static void key_the_mac(void) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (ctx && EVP_MAC_init(ctx, pepper, sizeof pepper, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    EVP_MAC_CTX_free(keyed);
    keyed = ctx; /* NULL: lookups fall back to the one-shot HMAC() */
    generation++;
}

static void make_pepper(void) {
    pthread_key_create(&thread_mac_key, thread_mac_free);
    if (RAND_bytes(pepper, sizeof pepper) != 1) random_bytes(pepper, sizeof pepper);
    key_the_mac();
}

static bool base62_run(const char *s, size_t min, size_t max) {
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return n >= min && n <= max;
}

static const struct {
    const char *prefix;
    size_t min, max;
} formats[] = {
    {"alter_key_app_", 32, 32}, {"alter_key_agent_", 32, 32}, {"alter_rk_", 16, 64},
    {"alter_ak_", 16, 64},      {"alter_dk_", 16, 64},
};

bool alter_key_format_valid(const char *key) {
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        size_t n = strlen(formats[i].prefix);
        if (strncmp(key, formats[i].prefix, n) == 0)
            return base62_run(key + n, formats[i].min, formats[i].max);
    }
    return false;
}

void alter_key_prefix(const char *key, char out[ALTER_KEY_PREFIX_LEN + 1]) {
    size_t type_len = 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0] && !type_len; i++)
        if (strncmp(key, formats[i].prefix, strlen(formats[i].prefix)) == 0)
            type_len = strlen(formats[i].prefix);
    snprintf(out, ALTER_KEY_PREFIX_LEN + 1, "%.*s", (int)(type_len + ALTER_KEY_PREFIX_RANDOM), key);
}

void alter_key_generate(enum alter_key_kind kind, char out[ALTER_KEY_MAX]) {
    random_base62(out, ALTER_KEY_MAX, kind == ALTER_KEY_APP ? "alter_key_app_" : "alter_key_agent_",
                  32);
}

void alter_key_lookup_index(const char *plaintext, char out[KEY_LOOKUP_LEN]) {
    pthread_once(&pepper_once, make_pepper);
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t n = 0;
    const unsigned char *text = (const unsigned char *)plaintext;
    pthread_rwlock_rdlock(&pepper_lock); /* shared: only a snapshot load replaces the pepper */
    EVP_MAC_CTX *ctx = thread_ctx();
    bool done = ctx && EVP_MAC_update(ctx, text, strlen(plaintext)) == 1 &&
                EVP_MAC_final(ctx, md, &n, sizeof md) == 1 && n == 32;
    pthread_rwlock_unlock(&pepper_lock);
    if (!done) {
        unsigned int len = 0;
        pthread_rwlock_rdlock(&pepper_lock);
        HMAC(EVP_sha256(), pepper, sizeof pepper, text, strlen(plaintext), md, &len);
        pthread_rwlock_unlock(&pepper_lock);
    }
    hex_encode(md, 32, out);
}

void alter_key_pepper_hex(char out[KEY_LOOKUP_LEN]) {
    pthread_once(&pepper_once, make_pepper);
    pthread_rwlock_rdlock(&pepper_lock);
    hex_encode(pepper, sizeof pepper, out);
    pthread_rwlock_unlock(&pepper_lock);
}

int alter_key_pepper_set_hex(const char *hex) {
    unsigned char bytes[sizeof pepper];
    if (hex_decode(hex, bytes, sizeof bytes) != 0) return -1;
    pthread_once(&pepper_once, make_pepper); /* so a later first use cannot overwrite it */
    pthread_rwlock_wrlock(&pepper_lock);
    memcpy(pepper, bytes, sizeof pepper);
    key_the_mac();
    pthread_rwlock_unlock(&pepper_lock);
    return 0;
}

static void salted_hash(const unsigned char salt[16], const char *plaintext,
                        unsigned char out[32]) {
    unsigned char buf[16 + ALTER_KEY_MAX];
    size_t n = strnlen(plaintext, ALTER_KEY_MAX - 1); /* keys are checked to fit before this */
    memcpy(buf, salt, 16);
    memcpy(buf + 16, plaintext, n);
    sha256(buf, 16 + n, out);
}

void alter_key_verifier_make(const char *plaintext, struct key_verifier *out) {
    random_bytes(out->salt, sizeof out->salt);
    salted_hash(out->salt, plaintext, out->hash);
}

bool alter_key_verifier_matches(const struct key_verifier *v, const char *plaintext) {
    unsigned char hash[32];
    salted_hash(v->salt, plaintext, hash);
    return CRYPTO_memcmp(hash, v->hash, sizeof hash) == 0;
}
