#include <criterion/criterion.h>
#include <string.h>

#include "core/http.h"
#include "core/validate.h"

static int query(const char *q, const char *name, char *buf, size_t size) {
    struct req r = {.query = q};
    return req_query(&r, name, buf, size);
}

Test(query, values_are_decoded) {
    char buf[32];
    cr_assert_eq(query("a=1&search=ab%20c+d&b=2", "search", buf, sizeof buf), 1);
    cr_assert_str_eq(buf, "ab c d");
    cr_assert_eq(query("a=1", "search", buf, sizeof buf), 0);
    cr_assert_eq(query("search=0123456789", "search", buf, 8), -1);
}

/* A value decoding to a NUL would be read cut short: "status=active%00" as "active". */
Test(query, a_value_holding_an_encoded_nul_is_taken_as_sent) {
    char buf[32];
    cr_assert_eq(query("x=%00&status=active%00&y=1", "status", buf, sizeof buf), 1);
    cr_assert_str_eq(buf, "active%00");
    cr_assert_eq(query("SEARCH=a%00b", "search", buf, sizeof buf), 1); /* names match as CivetWeb's */
    cr_assert_str_eq(buf, "a%00b");
    cr_assert_eq(query("search=a%00bcdefgh", "search", buf, 8), -1);

    struct req r = {.query = "limit=1%00"};
    struct field_errors fe = {0};
    long limit;
    req_query_int(&r, &fe, "limit", 1, 100, 20, &limit);
    cr_assert(field_errors_any(&fe), "limit=1%%00 was read as %ld", limit);
    cr_assert_eq(limit, 20);
    field_errors_free(&fe);

    static const char *const statuses[] = {"active", "suspended", NULL};
    r.query = "status=active%00";
    cr_assert_eq(req_query_enum(&r, &fe, "status", statuses), -1);
    cr_assert(field_errors_any(&fe));
    field_errors_free(&fe);
}
