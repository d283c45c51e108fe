#include "canonical_json.h"

#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

static void write_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void write_number(FILE *f, double v) {
    if (!isfinite(v)) { /* JSON has no such numbers; cJSON renders them as null too */
        fputs("null", f);
        return;
    }
    if (v == 0) { /* also -0 */
        fputc('0', f);
        return;
    }
    if (v == floor(v)) { /* integral: the exact integer, never an exponent */
        fprintf(f, "%.0f", v);
        return;
    }
    char buf[32];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, f);
}

static int by_key(const void *a, const void *b) {
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = strcmp(x->string, y->string); /* strcmp compares as unsigned char: byte order */
    if (c) return c;
    return (x > y) - (x < y); /* duplicate keys keep their document order */
}

static int write_item(FILE *f, const cJSON *it) {
    if (cJSON_IsObject(it)) {
        size_t n = 0;
        for (const cJSON *c = it->child; c; c = c->next) n++;
        const cJSON **kids = malloc((n ? n : 1) * sizeof *kids);
        if (!kids) return -1;
        n = 0;
        for (const cJSON *c = it->child; c; c = c->next) kids[n++] = c;
        qsort(kids, n, sizeof *kids, by_key);
        fputc('{', f);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i) fputc(',', f);
            write_string(f, kids[i]->string);
            fputc(':', f);
            rc = write_item(f, kids[i]);
        }
        fputc('}', f);
        free(kids);
        return rc;
    }
    if (cJSON_IsArray(it)) {
        fputc('[', f);
        for (const cJSON *c = it->child; c; c = c->next) {
            if (c != it->child) fputc(',', f);
            if (write_item(f, c)) return -1;
        }
        fputc(']', f);
        return 0;
    }
    if (cJSON_IsString(it)) write_string(f, it->valuestring);
    else if (cJSON_IsNumber(it)) write_number(f, it->valuedouble);
    else if (cJSON_IsTrue(it)) fputs("true", f);
    else if (cJSON_IsFalse(it)) fputs("false", f);
    else if (cJSON_IsRaw(it)) fputs(it->valuestring, f);
    else fputs("null", f);
    return 0;
}

char *canonical_json(const cJSON *item) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    __fsetlocking(f, FSETLOCKING_BYCALLER); /* one thread's private stream: no lock per fputc */
    int rc = write_item(f, item);
    if (fclose(f) != 0 || rc != 0) {
        free(out);
        return NULL;
    }
    return out;
}

void sha256_tagged(const void *data, size_t len, char out[SHA256_TAGGED_LEN]) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    memcpy(out, "sha256:", 7);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

int canonical_sha256(const cJSON *item, char out[SHA256_TAGGED_LEN]) {
    char *s = canonical_json(item);
    if (!s) return -1;
    sha256_tagged(s, strlen(s), out);
    free(s);
    return 0;
}
