#include "json_build.h"

#include <limits.h>
#include <math.h>
#include <string.h>

void decimal_format(int64_t units, int decimals, char out[32]) {
    /* magnitude as unsigned: -INT64_MIN does not fit an int64_t */
    uint64_t v = units < 0 ? 0 - (uint64_t)units : (uint64_t)units;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n <= decimals) digits[n++] = '0'; /* at least one digit before the point */
    int skip = 0; /* trailing zeros of the fraction */
    while (skip < decimals && digits[skip] == '0') skip++;
    size_t o = 0;
    if (units < 0) out[o++] = '-';
    for (int i = n - 1; i >= decimals; i--) out[o++] = digits[i];
    if (skip < decimals) {
        out[o++] = '.';
        for (int i = decimals - 1; i >= skip; i--) out[o++] = digits[i];
    }
    out[o] = '\0';
}

cJSON *json_number(double x) {
    char text[32];
    if (x == 0 && signbit(x)) return cJSON_CreateNumber(x); /* cJSON writes "-0" */
    if (x >= INT_MIN && x <= INT_MAX && x == (double)(int)x) {
        decimal_format((int64_t)x, 0, text); /* cJSON: "%d" of valueint */
        return cJSON_CreateRaw(text);
    }
    /* k / 10^4 with at most 15 significant digits: cJSON's "%1.15g" of the double nearest to
     * it reads back as that same double, and %g drops the trailing zeros */
    double scaled = x * 10000.0;
    if (fabs(scaled) < 1e15) {
        int64_t k = llround(scaled);
        if ((double)k / 10000.0 == x) {
            decimal_format(k, 4, text);
            return cJSON_CreateRaw(text);
        }
    }
    return cJSON_CreateNumber(x);
}

void json_add_item(cJSON *object, const char *name, cJSON *item) {
    cJSON_AddItemToObjectCS(object, name, item);
}

void json_add_number(cJSON *object, const char *name, double x) {
    json_add_item(object, name, json_number(x));
}

void json_add_string(cJSON *object, const char *name, const char *value) {
    json_add_item(object, name, cJSON_CreateString(value));
}

void json_add_static(cJSON *object, const char *name, const char *literal) {
    json_add_item(object, name, cJSON_CreateStringReference(literal));
}

void json_add_bool(cJSON *object, const char *name, bool value) {
    json_add_item(object, name, cJSON_CreateBool(value));
}

void json_add_null(cJSON *object, const char *name) {
    json_add_item(object, name, cJSON_CreateNull());
}
