#include "sandbox/credentials.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/hex.h"
#include "core/sha256.h"

#define TYPE_MAX 24

/* The key's type: the text up to its last '_' within the first TYPE_MAX characters, when a
 * long random part follows ("als_<64 hex>" → "als", "alter_key_app_<32>" → "alter_key_app").
 * A type is letters, digits and '_' only: anything else is what a client sent, not a key's
 * type, and the fingerprint ends up in JSON (journal, report), which must stay valid UTF-8. */
static size_t type_len(const char *v, size_t len) {
    size_t t = 0;
    for (size_t i = 0; i < len && i < TYPE_MAX; i++)
        if (v[i] == '_') t = i;
    for (size_t i = 0; i < t; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '_') return 0;
    return t > 0 && len - t > 16 ? t : 0;
}

void credential_fingerprint(const char *value, size_t len, char out[FINGERPRINT_LEN]) {
    unsigned char digest[SHA256_BYTES];
    sha256(value, len, digest);
    size_t t = type_len(value, len); /* < TYPE_MAX: "<type>:<8 hex>" always fits */
    if (t) memcpy(out, value, t);
    else memcpy(out, "secret", t = 6);
    out[t] = ':';
    hex_encode(digest, 4, out + t + 1); /* the 8 hex digits and the NUL */
}

const char *credential_header_token(const char *value) {
    size_t word = strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    return value[word] == ' ' && word > 0 && word < 16 ? value + word + 1 : value;
}

static bool is_credential_name(const char *name, size_t len) {
    static const char *const names[] = {"api_key", "apikey", "api-key", "x-api-key", "key",
                                        "token", "access_token", "auth", "authorization",
                                        "secret", "client_secret", "password", "bearer", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == len && !strncasecmp(name, names[i], len)) return true;
    return false;
}

static bool is_key_value(const char *v, size_t len) {
    return (len > 20 && !strncmp(v, "als_", 4)) || (len > 20 && !strncmp(v, "alter_", 6));
}

/* One name=value of a query string (raw, not URL-decoded); next_param steps through them. */
struct param {
    const char *name, *value;
    size_t name_len, value_len;
};

static bool next_param(const char **q, struct param *p) {
    const char *s = *q;
    if (!s || !*s) return false;
    size_t n = strcspn(s, "&");
    const char *eq = memchr(s, '=', n);
    p->name = s;
    p->name_len = eq ? (size_t)(eq - s) : n;
    p->value = eq ? eq + 1 : s + n;
    p->value_len = eq ? n - p->name_len - 1 : 0;
    *q = s[n] ? s + n + 1 : s + n;
    return true;
}

static bool is_credential(const struct param *p) {
    return (p->value_len && is_credential_name(p->name, p->name_len)) ||
           is_key_value(p->value, p->value_len);
}

bool query_has_credentials(const char *query) {
    struct param p;
    while (next_param(&query, &p))
        if (is_credential(&p)) return true;
    return false;
}

bool query_redact(const char *query, char *out, size_t size) {
    struct param p;
    bool redacted = false;
    size_t at = 0;
    out[0] = '\0';
    while (next_param(&query, &p) && at < size) {
        int w;
        const char *sep = at ? "&" : "";
        if (is_credential(&p)) {
            char fp[FINGERPRINT_LEN];
            credential_fingerprint(p.value, p.value_len, fp);
            w = snprintf(out + at, size - at, "%s%.*s=%s", sep, (int)p.name_len, p.name, fp);
            redacted = true;
        } else {
            w = snprintf(out + at, size - at, "%s%.*s", sep,
                         (int)(p.value + p.value_len - p.name), p.name);
        }
        if (w < 0) break;
        at += (size_t)w;
    }
    if (at >= size) out[size - 1] = '\0';
    return redacted;
}
