#include <criterion/criterion.h>
#include <stdlib.h>

#include "store/rank_index.h"

/* Random appends and flips, checked against a plain array after every step. */
Test(rank_index, agrees_with_a_naive_model) {
    struct rank_index ix = {0};
    unsigned char bits[3000];
    size_t n = 0;
    srand(7);
    for (int step = 0; step < 6000; step++) {
        if (n < sizeof bits && (n == 0 || rand() % 2)) {
            bits[n] = rand() % 2;
            cr_assert_eq(rank_index_append(&ix, bits[n]), 0);
            n++;
        } else {
            size_t p = (size_t)rand() % n;
            rank_index_add(&ix, p, bits[p] ? -1 : +1);
            bits[p] ^= 1;
        }
        if (step % 97 == 0) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                if (!bits[i]) continue;
                cr_assert_eq(rank_index_select(&ix, k), i, "step %d k %zu", step, k);
                k++;
            }
            cr_assert_eq(rank_index_count(&ix), k);
        }
    }
    rank_index_free(&ix);
}
