#include <criterion/criterion.h>
#include <stdio.h>

#include "concurrently.h"
#include "sandbox/rate_limit.h"

static struct rate_verdict take(const char *key, long limit, int window, int64_t now) {
    struct rate_verdict v;
    rate_limit_take(key, limit, window, now, &v);
    return v;
}

Test(rate_limit, fixed_window_counts_refuses_and_restarts) {
    rate_limit_forget("t1/");
    for (int i = 0; i < 3; i++) {
        struct rate_verdict v = take("t1/k", 3, 60, 1000 + i);
        cr_assert(v.allowed);
        cr_assert_eq(v.remaining, 2 - i);
        cr_assert_eq(v.reset, 1060, "the window started at the first request");
    }
    struct rate_verdict v = take("t1/k", 3, 60, 1010);
    cr_assert(!v.allowed);
    cr_assert_eq(v.remaining, 0);
    cr_assert_eq(v.retry_after, 50);
    v = take("t1/k", 3, 60, 1059);
    cr_assert(!v.allowed, "refused requests are not counted, the window still ends at 1060");
    cr_assert_eq(v.retry_after, 1);
    v = take("t1/k", 3, 60, 1060);
    cr_assert(v.allowed, "a new window at its end");
    cr_assert_eq(v.remaining, 2);
    cr_assert_eq(v.reset, 1120);
}

Test(rate_limit, keys_are_separate_and_changes_apply_at_once) {
    rate_limit_forget("t2/");
    cr_assert(take("t2/a", 1, 60, 0).allowed);
    cr_assert(!take("t2/a", 1, 60, 1).allowed);
    cr_assert(take("t2/b", 1, 60, 1).allowed, "another key has its own window");
    cr_assert(take("t2/a", 5, 60, 2).allowed, "a higher limit applies to the running window");
    cr_assert_eq(take("t2/a", 5, 60, 3).remaining, 2);
    struct rate_verdict v = take("t2/a", 5, 10, 4);
    cr_assert(v.allowed, "a changed window starts over");
    cr_assert_eq(v.remaining, 4);
    cr_assert_eq(v.reset, 14);
    v = take("t2/a", 5, 10, -100);
    cr_assert(v.allowed && v.remaining == 4, "a clock set backwards starts a new window");
}

Test(rate_limit, forget_by_prefix) {
    rate_limit_forget(NULL);
    take("org_a/x", 1, 60, 0);
    take("org_a/y", 1, 60, 0);
    take("org_b/x", 1, 60, 0);
    cr_assert_eq(rate_limit_buckets(), 3);
    rate_limit_forget("org_a/");
    cr_assert_eq(rate_limit_buckets(), 1);
    cr_assert(!take("org_b/x", 1, 60, 1).allowed, "other tenants keep their counters");
    cr_assert(take("org_a/x", 1, 60, 1).allowed);
    rate_limit_forget(NULL);
    cr_assert_eq(rate_limit_buckets(), 0);
}

Test(rate_limit, expired_buckets_are_swept) {
    rate_limit_forget(NULL);
    char key[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "addr/%d", i);
        take(key, 10, 60, 0);
    }
    cr_assert_eq(rate_limit_buckets(), 50000);
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "later/%d", i);
        take(key, 10, 60, 1000); /* the first 50000 ended at 60 */
    }
    cr_assert_leq(rate_limit_buckets(), 60000, "expired buckets must be swept: %ld held",
                  rate_limit_buckets());
    rate_limit_forget(NULL);
}

static long take_many(long index) {
    (void)index;
    long allowed = 0;
    for (int n = 0; n < 2000; n++)
        if (take("shared/key", 5000, 3600, 7).allowed) allowed++;
    return allowed;
}

Test(rate_limit, concurrent_takes_never_exceed_the_limit) {
    rate_limit_forget(NULL);
    long total = concurrently(8, take_many);
    cr_assert_eq(total, 5000, "16000 takes against a limit of 5000 allowed %ld", total);
    rate_limit_forget(NULL);
}
