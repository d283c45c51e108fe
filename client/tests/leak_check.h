/* Leaks fail the test that made them.
 *
 * LeakSanitizer reports at process exit, and Criterion has counted the test as passed by
 * then (it also ignores assertions and aborts in a .fini), so a leak would only scroll by on
 * stderr.  CLIENT_TEST is Criterion's Test with a leak check after the body:
 *   CLIENT_TEST(agents, suspend) { ... } */
#ifndef LEAK_CHECK_H
#define LEAK_CHECK_H

#include <criterion/criterion.h>

/* Fails the current test when unreachable heap blocks exist (no-op without ASan). */
void assert_no_leaks(void);

#define CLIENT_TEST(suite, name)                                                                   \
    static void suite##_##name##_body(void);                                                       \
    Test(suite, name) {                                                                            \
        suite##_##name##_body();                                                                   \
        assert_no_leaks();                                                                         \
    }                                                                                              \
    static void suite##_##name##_body(void)

#endif
