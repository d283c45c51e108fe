/* json_number must print byte for byte what cJSON_CreateNumber prints: clients and the audit
 * chain see these numbers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/json_build.h"

static void expect_same_as_cjson(double x) {
    cJSON *ours = json_number(x), *theirs = cJSON_CreateNumber(x);
    char *a = cJSON_PrintUnformatted(ours), *b = cJSON_PrintUnformatted(theirs);
    cr_assert_str_eq(a, b, "%.17g", x);
    free(a);
    free(b);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
}

Test(json_build, integers_rates_and_the_rest_print_as_cjson_prints_them) {
    const double fixed[] = {0, -0.0, 1, -1, 500, 2147483647.0, -2147483648.0, 2147483648.0,
                            1e15, 0.5, 0.9524, 0.0001, -0.0007, 0.1 + 0.2, 1.0 / 3, 12.5,
                            123456789.1234, 99999999999.9999, 1e-5, NAN, INFINITY, 1e300};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) expect_same_as_cjson(fixed[i]);
    srand(7);
    for (int i = 0; i < 20000; i++) {
        long k = (long)rand() - RAND_MAX / 2;
        expect_same_as_cjson((double)k);                        /* integers */
        expect_same_as_cjson(round((double)k / 7.0) / 10000.0); /* rates as trust.c rounds them */
        expect_same_as_cjson((double)k / 100.0);                /* money as a double */
        expect_same_as_cjson((double)rand() / RAND_MAX * 1e6);  /* anything */
    }
}

Test(json_build, decimal_format_trims_the_fraction_and_keeps_the_sign) {
    char out[32];
    decimal_format(1250, 2, out);
    cr_assert_str_eq(out, "12.5");
    decimal_format(-7, 4, out);
    cr_assert_str_eq(out, "-0.0007");
    decimal_format(42, 0, out);
    cr_assert_str_eq(out, "42");
    decimal_format(100, 2, out);
    cr_assert_str_eq(out, "1");
    decimal_format(INT64_MIN, 2, out);
    cr_assert_str_eq(out, "-92233720368547758.08");
}
