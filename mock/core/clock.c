#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t offset_ms;

static int64_t real_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void) { return real_ms() + atomic_load(&offset_ms); }
int64_t clock_now(void) { return clock_now_ms() / 1000; }
void clock_set(int64_t unix_seconds) { atomic_store(&offset_ms, unix_seconds * 1000 - real_ms()); }
void clock_advance(int64_t seconds) { atomic_fetch_add(&offset_ms, seconds * 1000); }
void clock_reset(void) { atomic_store(&offset_ms, 0); }
int64_t clock_offset(void) { return atomic_load(&offset_ms) / 1000; }

static void two_digits(char *p, int v) {
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* Written digit by digit: glibc's strftime calls tzset() every time, which takes a
 * process-wide lock and stats /etc/localtime, and every response renders several times. */
void clock_format(int64_t unix_seconds, char out[RFC3339_LEN]) {
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;
    memcpy(out, "0000-00-00T00:00:00Z", RFC3339_LEN);
    two_digits(out, year / 100);
    two_digits(out + 2, year % 100);
    two_digits(out + 5, tm.tm_mon + 1);
    two_digits(out + 8, tm.tm_mday);
    two_digits(out + 11, tm.tm_hour);
    two_digits(out + 14, tm.tm_min);
    two_digits(out + 17, tm.tm_sec);
}

int clock_parse(const char *s, int64_t *out) {
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%*[Tt]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return -1;
    const char *p = s + n;
    if (*p == '.') { /* fractional seconds: accepted, truncated */
        p++;
        if (*p < '0' || *p > '9') return -1;
        while (*p >= '0' && *p <= '9') p++;
    }
    long tz = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int th, tm;
        if (sscanf(p + 1, "%2d:%2d", &th, &tm) != 2 || strlen(p) != 6 || th > 23 || tm > 59) return -1;
        tz = (th * 3600L + tm * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p) return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d && sec != 60) return -1; /* 2026-02-31 and friends */
    *out = (int64_t)t - tz;
    return 0;
}
