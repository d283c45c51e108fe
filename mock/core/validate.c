#include "validate.h"
#include "json_build.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

void field_error_add(struct field_errors *fe, const char *field, const char *fmt, ...) {
    char raw[256], msg[256], name[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
    /* both may quote input (a member name, a value) or end in a cut character: the body
     * must stay valid UTF-8 */
    utf8_copy_lossy(msg, sizeof msg, raw, len);
    utf8_copy_lossy(name, sizeof name, field, strlen(field));
    if (!fe->list) fe->list = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", name);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddItemToArray(fe->list, e);
}

void field_error_choices(struct field_errors *fe, const char *field, const char *const *choices) {
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    field_error_add(fe, field, "must be one of: %s", list);
}

void field_errors_free(struct field_errors *fe) {
    cJSON_Delete(fe->list);
    fe->list = NULL;
}

void v_require(struct field_errors *fe, enum vres r, const char *name) {
    if (r == V_ABSENT) field_error_add(fe, name, "is required");
}

/* Length (1–4) of the well-formed UTF-8 character at p, or 0 when the bytes there are not one. */
static size_t utf8_char_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = *p;
    size_t n;
    unsigned cp;
    if (c < 0x80) return 1;
    else if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return 0;
    if ((size_t)(end - p) <= n) return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

bool utf8_valid(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        /* ASCII, nearly all of a state file, 8 bytes at a time */
        uint64_t word;
        while (end - p >= 8 && (memcpy(&word, p, 8), (word & 0x8080808080808080ULL) == 0)) p += 8;
        if (p == end) break;
        size_t n = utf8_char_len(p, end);
        if (!n) return false;
        p += n;
    }
    return true;
}

size_t utf8_copy_lossy(char *dst, size_t dst_size, const char *src, size_t src_len) {
    const unsigned char *p = (const unsigned char *)src, *end = p + src_len;
    size_t out = 0;
    while (p < end) {
        if (*p >= 0x01 && *p < 0x80) { /* plain ASCII, the common case: copied as a run */
            if (out + 1 >= dst_size) break;
            size_t room = dst_size - 1 - out, left = (size_t)(end - p);
            const unsigned char *run = p, *stop = p + (left < room ? left : room);
            /* eight bytes at a time while all are 0x01..0x7f (no byte minus 1 and no byte has
             * its high bit set; a borrow comes only from a 0 byte, which stops the run anyway) */
            for (uint64_t w; stop - p >= 8; p += 8) {
                memcpy(&w, p, 8);
                if (((w - 0x0101010101010101u) | w) & 0x8080808080808080u) break;
            }
            while (p < stop && (unsigned char)(*p - 1) < 0x7f) p++; /* 0x01..0x7f */
            memcpy(dst + out, run, (size_t)(p - run));
            out += (size_t)(p - run);
            continue;
        }
        size_t n = utf8_char_len(p, end);
        bool bad = n == 0 || *p == 0;
        if (bad) n = 1;
        if (out + (bad ? 1 : n) >= dst_size) break;
        if (bad) {
            dst[out++] = '?';
        } else {
            memcpy(dst + out, p, n);
            out += n;
        }
        p += n;
    }
    if (dst_size) dst[out] = '\0';
    return (size_t)(p - (const unsigned char *)src);
}

size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static const cJSON *field(const cJSON *obj, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

enum vres v_string(struct field_errors *fe, const cJSON *obj, const char *name, size_t min_chars,
                   size_t max_chars, bool nullable, const char **out) {
    const cJSON *it = field(obj, name);
    if (!it || (nullable && cJSON_IsNull(it))) return V_ABSENT;
    if (!cJSON_IsString(it)) {
        field_error_add(fe, name, "must be a string");
        return V_BAD;
    }
    size_t n = utf8_chars(it->valuestring);
    if (n < min_chars || n > max_chars) {
        if (min_chars == max_chars) field_error_add(fe, name, "must be %zu characters", min_chars);
        else field_error_add(fe, name, "must be %zu to %zu characters", min_chars, max_chars);
        return V_BAD;
    }
    if (out) *out = it->valuestring;
    return V_OK;
}

enum vres v_enum(struct field_errors *fe, const cJSON *obj, const char *name,
                 const char *const *choices, int *index) {
    const cJSON *it = field(obj, name);
    if (!it) return V_ABSENT;
    if (cJSON_IsString(it)) {
        for (int i = 0; choices[i]; i++) {
            if (strcmp(it->valuestring, choices[i]) == 0) {
                *index = i;
                return V_OK;
            }
        }
    }
    field_error_choices(fe, name, choices);
    return V_BAD;
}

enum vres v_bool(struct field_errors *fe, const cJSON *obj, const char *name, bool *out) {
    const cJSON *it = field(obj, name);
    if (!it) return V_ABSENT;
    if (!cJSON_IsBool(it)) {
        field_error_add(fe, name, "must be a boolean");
        return V_BAD;
    }
    *out = cJSON_IsTrue(it);
    return V_OK;
}

enum vres v_int(struct field_errors *fe, const cJSON *obj, const char *name, long long min,
                long long max, long long *out) {
    const cJSON *it = field(obj, name);
    if (!it) return V_ABSENT;
    double v = it->valuedouble;
    if (!cJSON_IsNumber(it) || !(v >= (double)min && v <= (double)max) || v != floor(v)) {
        field_error_add(fe, name, "must be an integer from %lld to %lld", min, max);
        return V_BAD;
    }
    *out = (long long)v;
    return V_OK;
}

enum vres v_number(struct field_errors *fe, const cJSON *obj, const char *name, double min,
                   double max, double *out) {
    const cJSON *it = field(obj, name);
    if (!it) return V_ABSENT;
    if (!cJSON_IsNumber(it)) {
        field_error_add(fe, name, "must be a number");
        return V_BAD;
    }
    if (!(it->valuedouble >= min && it->valuedouble <= max)) {
        field_error_add(fe, name, "must be from %g to %g", min, max);
        return V_BAD;
    }
    *out = it->valuedouble;
    return V_OK;
}

/* A double holds a 2-decimal amount exactly when printing it with 2 decimals and reading that
 * back gives the same double: 10.001 and 10.00 are different doubles, 10.10 and 10.1 are not. */
static int cents_of(double v, int64_t *cents) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", v);
    if (strtod(buf, NULL) != v) return -1;
    *cents = llround(v * 100.0);
    return 0;
}

enum vres v_money(struct field_errors *fe, const cJSON *obj, const char *name, int64_t max_units,
                  int64_t *cents) {
    const cJSON *it = field(obj, name);
    if (!it) return V_ABSENT;
    double v = it->valuedouble;
    if (!cJSON_IsNumber(it) || !isfinite(v)) {
        field_error_add(fe, name, "must be a number");
        return V_BAD;
    }
    if (v <= 0) {
        field_error_add(fe, name, "must be greater than 0");
        return V_BAD;
    }
    if (v > (double)max_units) {
        field_error_add(fe, name, "must be at most %lld", (long long)max_units);
        return V_BAD;
    }
    if (cents_of(v, cents) != 0) {
        field_error_add(fe, name, "must have at most 2 decimal places");
        return V_BAD;
    }
    return V_OK;
}

int money_parse(const char *s, int64_t *cents) {
    char *end;
    if (!*s) return -1;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || fabs(v) > 1e15) return -1;
    return cents_of(v, cents);
}

void money_format(int64_t cents, char out[32]) { decimal_format(cents, 2, out); }
