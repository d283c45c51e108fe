/* UTF-8 validation, the lossy copy used to quote input in error messages, and the JSON
 * pre-check (depth, U+0000), against an oracle written from RFC 3629's table. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/validate.h"

/* RFC 3629 §4: the well-formed byte sequences, one row per range. */
static size_t well_formed_at(const unsigned char *s, size_t n) {
    static const struct {
        unsigned char lead_lo, lead_hi, second_lo, second_hi;
        int len;
    } rows[] = {
        {0x00, 0x7F, 0, 0, 1},       {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
        {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
        {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (s[0] < rows[i].lead_lo || s[0] > rows[i].lead_hi) continue;
        size_t len = (size_t)rows[i].len;
        if (len > n) return 0;
        if (len == 1) return 1;
        if (s[1] < rows[i].second_lo || s[1] > rows[i].second_hi) return 0;
        for (size_t k = 2; k < len; k++)
            if (s[k] < 0x80 || s[k] > 0xBF) return 0;
        return len;
    }
    return 0;
}

static bool oracle_valid(const unsigned char *s, size_t n, size_t *chars) {
    *chars = 0;
    for (size_t i = 0; i < n;) {
        size_t len = well_formed_at(s + i, n - i);
        if (!len) return false;
        i += len;
        ++*chars;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    size_t chars;
    bool expected = oracle_valid(data, size, &chars);
    if (utf8_valid(s, size) != expected) {
        fprintf(stderr, "utf8_valid says %d, RFC 3629 says %d\n", !expected, expected);
        abort();
    }
    if (expected && !memchr(s, 0, size)) {
        char *z = strndup(s, size);
        if (utf8_chars(z) != chars) abort();
        free(z);
    }
    /* the lossy copy is valid UTF-8 without NUL, whatever came in, and never overruns */
    size_t room = size % 97 + 1;
    char *dst = malloc(room);
    size_t took = utf8_copy_lossy(dst, room, s, size);
    size_t out_len = strlen(dst);
    if (took > size || out_len >= room || !utf8_valid(dst, out_len)) {
        fprintf(stderr, "utf8_copy_lossy: took %zu of %zu, wrote %zu into %zu\n", took, size,
                out_len, room);
        abort();
    }
    free(dst);
    /* the guarded parse: whatever its scan lets through parses without deep recursion */
    cJSON_Delete(json_parse_guarded(s, size, JSON_MAX_DEPTH, NULL));
    return 0;
}
