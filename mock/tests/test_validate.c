#include <criterion/criterion.h>
#include <time.h>
#include <string.h>

#include "core/clock.h"
#include "core/validate.h"

static enum vres money(const char *json, int64_t *cents) {
    struct field_errors fe = {0};
    cJSON *o = cJSON_Parse(json);
    enum vres r = v_money(&fe, o, "amount", 1000000000000LL, cents);
    cr_assert_eq(r == V_BAD, field_errors_any(&fe));
    field_errors_free(&fe);
    cJSON_Delete(o);
    return r;
}

Test(money, accepts_two_decimals_exactly) {
    int64_t c;
    cr_assert_eq(money("{\"amount\": 10.1}", &c), V_OK);
    cr_assert_eq(c, 1010);
    cr_assert_eq(money("{\"amount\": 0.07}", &c), V_OK);
    cr_assert_eq(c, 7);
    cr_assert_eq(money("{\"amount\": 1000000000000}", &c), V_OK);
    cr_assert_eq(c, 100000000000000LL);
    cr_assert_eq(money("{\"amount\": 999999999999.99}", &c), V_OK);
    cr_assert_eq(c, 99999999999999LL);
}

Test(money, rejects_bad_amounts) {
    int64_t c;
    cr_assert_eq(money("{\"amount\": 10.001}", &c), V_BAD);
    cr_assert_eq(money("{\"amount\": 0}", &c), V_BAD);
    cr_assert_eq(money("{\"amount\": -5}", &c), V_BAD);
    cr_assert_eq(money("{\"amount\": 1000000000000.01}", &c), V_BAD);
    cr_assert_eq(money("{\"amount\": \"10\"}", &c), V_BAD);
    cr_assert_eq(money("{\"amount\": 1e400}", &c), V_BAD);
    cr_assert_eq(money("{}", &c), V_ABSENT);
}

Test(money, formats_exact_decimal_text) {
    char out[32];
    money_format(5000000, out);
    cr_assert_str_eq(out, "50000");
    money_format(1250, out);
    cr_assert_str_eq(out, "12.5");
    money_format(7, out);
    cr_assert_str_eq(out, "0.07");
    money_format(-1999, out);
    cr_assert_str_eq(out, "-19.99");
    int64_t c;
    cr_assert_eq(money_parse("12.34", &c), 0);
    cr_assert_eq(c, 1234);
    cr_assert_eq(money_parse("12.345", &c), -1);
    cr_assert_eq(money_parse("abc", &c), -1);
}

Test(utf8, validates_and_counts) {
    cr_assert(utf8_valid("caf\xc3\xa9", 5));
    cr_assert(utf8_valid("\xf0\x9f\x98\x80", 4));
    cr_assert_not(utf8_valid("\xc3", 1));             /* truncated */
    cr_assert_not(utf8_valid("\xc0\xaf", 2));         /* overlong */
    cr_assert_not(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    cr_assert_not(utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
    cr_assert_not(utf8_valid("\xff", 1));
    cr_assert_eq(utf8_chars("caf\xc3\xa9"), 4);
    cr_assert_eq(utf8_chars("\xf0\x9f\x98\x80x"), 2);
}

Test(v_string, counts_characters_not_bytes) {
    struct field_errors fe = {0};
    cJSON *o = cJSON_Parse("{\"name\": \"\xc3\xa9\xc3\xa9\", \"n\": 5}");
    const char *out = NULL;
    cr_assert_eq(v_string(&fe, o, "name", 2, 2, false, &out), V_OK);
    cr_assert_eq(v_string(&fe, o, "n", 1, 5, false, &out), V_BAD);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fe.list, 0), "field")->valuestring, "n");
    field_errors_free(&fe);
    cJSON_Delete(o);
}

Test(clock, formats_and_parses_rfc3339) {
    char ts[RFC3339_LEN];
    clock_format(0, ts);
    cr_assert_str_eq(ts, "1970-01-01T00:00:00Z");
    int64_t t;
    cr_assert_eq(clock_parse("2026-11-23T15:24:29Z", &t), 0);
    clock_format(t, ts);
    cr_assert_str_eq(ts, "2026-11-23T15:24:29Z");
    cr_assert_eq(clock_parse("2026-11-23T17:24:29.123+02:00", &t), 0);
    clock_format(t, ts);
    cr_assert_str_eq(ts, "2026-11-23T15:24:29Z");
    cr_assert_eq(clock_parse("2026-02-31T00:00:00Z", &t), -1);
    cr_assert_eq(clock_parse("2026-11-23 15:24:29", &t), -1);
    cr_assert_eq(clock_parse("yesterday", &t), -1);
}

/* The hand-made civil date agrees with the C library's gmtime_r, second for second around
 * midnights, month ends, leap days and centuries, from 1900 to 2400. */
Test(clock, formats_every_date_as_gmtime_does) {
    for (int64_t t = -2208988800LL; t < 13569465600LL; t += 86400 * 7 + 3599) {
        for (int64_t d = -1; d <= 1; d++) {
            time_t at = (time_t)(t + d);
            struct tm tm;
            gmtime_r(&at, &tm);
            char want[64], got[RFC3339_LEN];
            strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
            clock_format(t + d, got);
            cr_assert_str_eq(got, want, "at %lld", (long long)(t + d));
        }
    }
    char got[RFC3339_LEN];
    clock_format(951782400, got); /* 2000-02-29, a leap day of a century */
    cr_assert_str_eq(got, "2000-02-29T00:00:00Z");
    clock_format(-1, got);
    cr_assert_str_eq(got, "1969-12-31T23:59:59Z");
}

Test(clock, advances_virtual_time) {
    int64_t before = clock_now();
    clock_advance(86400 * 10);
    cr_assert_geq(clock_now(), before + 86400 * 10);
    clock_set(1700000000);
    cr_assert_leq(clock_now() - 1700000000, 1);
    clock_reset();
    cr_assert_leq(clock_now() - before, 5);
}

Test(utf8, copy_lossy_replaces_bad_bytes_and_cuts_whole_characters) {
    char out[8];
    cr_assert_eq(utf8_copy_lossy(out, sizeof out, "ab\xff" "c", 4), 4);
    cr_assert_str_eq(out, "ab?c");
    cr_assert_eq(utf8_copy_lossy(out, sizeof out, "a\0b", 3), 3);
    cr_assert_str_eq(out, "a?b");
    /* "abcdef" + é (2 bytes) does not fit in 7 bytes + NUL whole: stop before it */
    cr_assert_eq(utf8_copy_lossy(out, sizeof out, "abcdef\xc3\xa9", 8), 6);
    cr_assert_str_eq(out, "abcdef");
    cr_assert_eq(utf8_copy_lossy(out, sizeof out, "\xe2\x82", 2), 2, "a truncated sequence");
    cr_assert_str_eq(out, "??");
}

/* Plain ASCII is copied eight bytes at a time: a bad byte, a NUL or a multi-byte character at
 * any place in or across those words is found, and the size still cuts where it did. */
Test(utf8, copy_lossy_finds_every_byte_in_long_ascii_runs) {
    char src[40], out[64], want[64];
    for (size_t at = 0; at < sizeof src; at++) {
        const unsigned char odd[] = {0xff, 0x00, 0x80, 0x7f};
        for (size_t k = 0; k < sizeof odd; k++) {
            memset(src, 'x', sizeof src);
            src[at] = (char)odd[k];
            memcpy(want, src, sizeof src);
            if (odd[k] != 0x7f) want[at] = '?'; /* 0x7f (DEL) is ASCII: kept */
            want[sizeof src] = '\0';
            cr_assert_eq(utf8_copy_lossy(out, sizeof out, src, sizeof src), sizeof src);
            cr_assert_str_eq(out, want, "byte 0x%02x at %zu", odd[k], at);
        }
        memset(src, 'y', sizeof src);
        memcpy(src + (at < sizeof src - 1 ? at : sizeof src - 2), "\xc3\xa9", 2);
        cr_assert_eq(utf8_copy_lossy(out, sizeof out, src, sizeof src), sizeof src);
        cr_assert(!memcmp(out, src, sizeof src) && !out[sizeof src], "é at %zu kept whole", at);
        /* room for `at` characters: exactly those are copied */
        const char *letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
        cr_assert_eq(utf8_copy_lossy(out, at + 1, letters, 40), at);
        cr_assert_eq(strlen(out), at);
    }
}
