#include "canonical_json.h"
#include "sha256.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "hex.h"

/* The text being written: a growable buffer, appended to in runs (fingerprints and audit
 * chains hash millions of these when a large snapshot loads, so no per-character stdio).  It
 * starts in the caller's stack array and moves to the heap only when the text outgrows it: an
 * audit entry is hashed on every write request, and its text fits. */
struct out {
    char *p;
    size_t n, cap;
    bool on_heap, failed;
};

#define OUT_STACK 2048
#define OUT_INIT(stack) {.p = (stack), .cap = sizeof(stack)}

/* Room for len more bytes and a NUL.  False when out of memory (o->failed, and stays so). */
static bool grow(struct out *o, size_t len) {
    if (o->failed) return false;
    size_t cap = o->cap;
    while (o->n + len + 1 > cap) cap *= 2;
    char *p = o->on_heap ? realloc(o->p, cap) : malloc(cap);
    if (!p) {
        o->failed = true;
        return false;
    }
    if (!o->on_heap) memcpy(p, o->p, o->n);
    o->p = p;
    o->cap = cap;
    o->on_heap = true;
    return true;
}

/* Inline, the common case a bounds check and a copy: a write request puts ~150 pieces. */
static inline void put(struct out *o, const char *s, size_t len) {
    if (o->n + len + 1 > o->cap && !grow(o, len)) return;
    memcpy(o->p + o->n, s, len);
    o->n += len;
}

static void out_free(struct out *o) {
    if (o->on_heap) free(o->p);
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

/* A member and its position in the document: duplicate keys keep their document order (the
 * nodes' addresses say nothing about it, and would make the text depend on the allocator). */
struct member {
    const cJSON *item;
    size_t position;
};

static int by_key(const void *a, const void *b) {
    const struct member *x = a, *y = b;
    int c = strcmp(x->item->string, y->item->string); /* as unsigned char: byte order */
    if (c) return c;
    return (x->position > y->position) - (x->position < y->position);
}

/* Whether the members are in canonical order already (strictly: no duplicate keys), as the
 * objects the mock builds to hash are, so qsort has nothing to do. */
static bool sorted(const struct member *kids, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (strcmp(kids[i - 1].item->string, kids[i].item->string) >= 0) return false;
    return true;
}

static int write_item(struct out *o, const cJSON *it) {
    switch (it->type & 0xFF) {
    case cJSON_Object: {
        size_t n = 0;
        for (const cJSON *c = it->child; c; c = c->next) n++;
        struct member small[32];
        struct member *kids = n <= 32 ? small : malloc(n * sizeof *kids);
        if (!kids) return -1;
        n = 0;
        for (const cJSON *c = it->child; c; c = c->next, n++)
            kids[n] = (struct member){c, n};
        if (!sorted(kids, n)) qsort(kids, n, sizeof *kids, by_key);
        put(o, "{", 1);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i) put(o, ",", 1);
            write_string(o, kids[i].item->string);
            put(o, ":", 1);
            rc = write_item(o, kids[i].item);
        }
        put(o, "}", 1);
        if (kids != small) free(kids);
        return rc;
    }
    case cJSON_Array:
        put(o, "[", 1);
        for (const cJSON *c = it->child; c; c = c->next) {
            if (c != it->child) put(o, ",", 1);
            if (write_item(o, c)) return -1;
        }
        put(o, "]", 1);
        return 0;
    case cJSON_String: write_string(o, it->valuestring); return 0;
    case cJSON_Number: write_number(o, it->valuedouble); return 0;
    case cJSON_True: put_str(o, "true"); return 0;
    case cJSON_False: put_str(o, "false"); return 0;
    case cJSON_Raw: put_str(o, it->valuestring); return 0;
    default: put_str(o, "null"); return 0;
    }
}

/* Writes item into o, NUL-terminated.  0, or -1 (out of memory; o is still to be freed). */
static int write_document(struct out *o, const cJSON *item) {
    int rc = write_item(o, item);
    put(o, "", 0); /* room for the NUL */
    if (rc != 0 || o->failed) return -1;
    o->p[o->n] = '\0';
    return 0;
}

char *canonical_json(const cJSON *item) {
    char stack[OUT_STACK];
    struct out o = OUT_INIT(stack);
    if (write_document(&o, item) != 0) {
        out_free(&o);
        return NULL;
    }
    if (o.on_heap) return o.p;
    char *text = malloc(o.n + 1); /* one allocation, of the text's size */
    if (text) memcpy(text, o.p, o.n + 1);
    return text;
}

void sha256_tagged(const void *data, size_t len, char out[SHA256_TAGGED_LEN]) {
    unsigned char md[SHA256_BYTES];
    sha256(data, len, md);
    memcpy(out, "sha256:", 7);
    hex_encode(md, sizeof md, out + 7);
}

int canonical_sha256(const cJSON *item, char out[SHA256_TAGGED_LEN]) {
    char stack[OUT_STACK];
    struct out o = OUT_INIT(stack);
    int rc = write_document(&o, item);
    if (rc == 0) sha256_tagged(o.p, o.n, out);
    out_free(&o);
    return rc;
}
