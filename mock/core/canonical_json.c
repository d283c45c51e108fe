#include "canonical_json.h"
#include "sha256.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "hex.h"

/* The text being written: a growable buffer, appended to in runs (fingerprints and audit
 * chains hash millions of these when a large snapshot loads, so no per-character stdio). */
struct out {
    char *p;
    size_t n, cap;
    bool failed;
};

static void put(struct out *o, const char *s, size_t len) {
    if (o->failed) return;
    if (o->n + len + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (o->n + len + 1 > cap) cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    if (len) memcpy(o->p + o->n, s, len);
    o->n += len;
}

static void put_str(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void write_string(struct out *o, const char *s) {
    put(o, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p; /* bytes that need no escape are copied as one run */
        while (*p >= 0x20 && *p != '"' && *p != '\\') p++;
        put(o, (const char *)run, (size_t)(p - run));
        if (!*p) break;
        char esc[8];
        switch (*p) {
        case '"': put_str(o, "\\\""); break;
        case '\\': put_str(o, "\\\\"); break;
        case '\b': put_str(o, "\\b"); break;
        case '\f': put_str(o, "\\f"); break;
        case '\n': put_str(o, "\\n"); break;
        case '\r': put_str(o, "\\r"); break;
        case '\t': put_str(o, "\\t"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            put_str(o, esc);
        }
        p++;
    }
    put(o, "\"", 1);
}

static void write_number(struct out *o, double v) {
    char buf[400]; /* %.0f of the largest double has 309 digits */
    if (!isfinite(v)) { /* JSON has no such numbers; cJSON renders them as null too */
        put_str(o, "null");
        return;
    }
    if (v == 0) { /* also -0 */
        put_str(o, "0");
        return;
    }
    if (v == floor(v)) { /* integral: the exact integer, never an exponent */
        if (fabs(v) < 9007199254740992.0) /* 2^53: exact as a long long */
            snprintf(buf, sizeof buf, "%lld", (long long)v);
        else
            snprintf(buf, sizeof buf, "%.0f", v);
        put_str(o, buf);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    put_str(o, buf);
}

static int by_key(const void *a, const void *b) {
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = strcmp(x->string, y->string); /* strcmp compares as unsigned char: byte order */
    if (c) return c;
    return (x > y) - (x < y); /* duplicate keys keep their document order */
}

static int write_item(struct out *o, const cJSON *it) {
    if (cJSON_IsObject(it)) {
        size_t n = 0;
        for (const cJSON *c = it->child; c; c = c->next) n++;
        const cJSON *small[32];
        const cJSON **kids = n <= 32 ? small : malloc(n * sizeof *kids);
        if (!kids) return -1;
        n = 0;
        for (const cJSON *c = it->child; c; c = c->next) kids[n++] = c;
        qsort(kids, n, sizeof *kids, by_key);
        put(o, "{", 1);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i) put(o, ",", 1);
            write_string(o, kids[i]->string);
            put(o, ":", 1);
            rc = write_item(o, kids[i]);
        }
        put(o, "}", 1);
        if (kids != small) free(kids);
        return rc;
    }
    if (cJSON_IsArray(it)) {
        put(o, "[", 1);
        for (const cJSON *c = it->child; c; c = c->next) {
            if (c != it->child) put(o, ",", 1);
            if (write_item(o, c)) return -1;
        }
        put(o, "]", 1);
        return 0;
    }
    if (cJSON_IsString(it)) write_string(o, it->valuestring);
    else if (cJSON_IsNumber(it)) write_number(o, it->valuedouble);
    else if (cJSON_IsTrue(it)) put_str(o, "true");
    else if (cJSON_IsFalse(it)) put_str(o, "false");
    else if (cJSON_IsRaw(it)) put_str(o, it->valuestring);
    else put_str(o, "null");
    return 0;
}

char *canonical_json(const cJSON *item) {
    struct out o = {0};
    int rc = write_item(&o, item);
    put(&o, "", 0); /* an empty document still gets its buffer */
    if (rc != 0 || o.failed) {
        free(o.p);
        return NULL;
    }
    o.p[o.n] = '\0';
    return o.p;
}

void sha256_tagged(const void *data, size_t len, char out[SHA256_TAGGED_LEN]) {
    unsigned char md[SHA256_BYTES];
    sha256(data, len, md);
    memcpy(out, "sha256:", 7);
    hex_encode(md, sizeof md, out + 7);
}

int canonical_sha256(const cJSON *item, char out[SHA256_TAGGED_LEN]) {
    char *s = canonical_json(item);
    if (!s) return -1;
    sha256_tagged(s, strlen(s), out);
    free(s);
    return 0;
}
