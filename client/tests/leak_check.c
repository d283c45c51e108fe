#include "leak_check.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

void assert_no_leaks(void) {
#ifdef __SANITIZE_ADDRESS__
    /* Nonzero when unreachable blocks exist; LeakSanitizer prints where they came from. */
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked (see the report above)");
#endif
}
