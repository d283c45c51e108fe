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

int64_t clock_monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
 * process-wide lock and stats /etc/localtime, and every response renders several times.  Not
 * gmtime_r either: it takes the same lock (tzset_lock) for every call, and a page of 100
 * transactions formats 200 times on each of the threads serving it.  The date is the proleptic
 * Gregorian day count turned into a civil date (H. Hinnant's civil_from_days). */
void clock_format(int64_t unix_seconds, char out[RFC3339_LEN]) {
    int64_t days = unix_seconds / 86400, secs = unix_seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */
    int day = (int)(doy - (153 * mp + 2) / 5 + 1), month = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t year = yoe + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;
    memcpy(out, "0000-00-00T00:00:00Z", RFC3339_LEN);
    two_digits(out, (int)(year / 100));
    two_digits(out + 2, (int)(year % 100));
    two_digits(out + 5, month);
    two_digits(out + 8, day);
    two_digits(out + 11, (int)(secs / 3600));
    two_digits(out + 14, (int)(secs / 60 % 60));
    two_digits(out + 17, (int)(secs % 60));
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

void clock_format_ms(int64_t unix_ms, char out[RFC3339_MS_LEN]) {
    int64_t ms = unix_ms % 1000;
    if (ms < 0) ms += 1000;
    clock_format((unix_ms - ms) / 1000, out); /* "...:29Z": the Z becomes ".123Z" */
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}
