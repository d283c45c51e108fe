#include <criterion/criterion.h>
#include <string.h>

#include "core/header_line.h"

static bool split(const char *line, char *name, char *value) {
    return header_line_split(line, strlen(line), name, 64, value, 64);
}

Test(header_line, splits_name_and_trimmed_value) {
    char name[64], value[64];
    cr_assert(split("X-Rate_Limit.v2: \t 10 \r\n", name, value));
    cr_assert_str_eq(name, "X-Rate_Limit.v2");
    cr_assert_str_eq(value, "10");
    cr_assert(split("Empty:\r\n", name, value));
    cr_assert_str_eq(value, "");
}

/* A name that is no token could not be carried as a JSON key or sent on as a header. */
Test(header_line, refuses_names_that_are_not_tokens) {
    char name[64], value[64];
    const char *bad[] = {"X-\xff\xfe: a\r\n", "X Spaced: b\r\n", "(Paren): c\r\n", ": empty\r\n",
                         "no colon\r\n", "X-\x01: ctl\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(!split(bad[i], name, value), "accepted %s", bad[i]);
}
