/* Ids: unique across threads drawing at once (each thread has its own pool of CSPRNG bytes),
 * and reproducible under a seed whatever the pool holds. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "concurrently.h"
#include "core/random.h"

#define THREADS        8
#define IDS_PER_THREAD 2000

static char ids[THREADS * IDS_PER_THREAD][ID_LEN];

static long draw_ids(long index) {
    for (long i = 0; i < IDS_PER_THREAD; i++)
        random_object_id(ids[index * IDS_PER_THREAD + i], ID_LEN, "tx_");
    return 0;
}

static int by_text(const void *a, const void *b) {
    return strcmp(a, b);
}

Test(random, ids_drawn_on_many_threads_are_distinct_and_well_formed) {
    random_unseed();
    concurrently(THREADS, draw_ids);
    size_t n = THREADS * IDS_PER_THREAD;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(strlen(ids[i]), 3 + 16, "%s", ids[i]);
        cr_assert_eq(strspn(ids[i] + 3, "0123456789abcdefghijklmnopqrstuvwxyz"), 16);
    }
    qsort(ids, n, sizeof ids[0], by_text);
    for (size_t i = 1; i < n; i++)
        cr_assert_str_neq(ids[i - 1], ids[i]);
}

Test(random, a_seed_gives_the_same_ids_and_keys_again) {
    char id1[ID_LEN], key1[80], id2[ID_LEN], key2[80];
    random_unseed();
    random_object_id(id1, sizeof id1, "agent_"); /* leaves bytes in this thread's pool */
    random_seed(42);
    random_object_id(id1, sizeof id1, "agent_");
    random_hex(key1, sizeof key1, "als_", 32);
    random_seed(42);
    random_object_id(id2, sizeof id2, "agent_");
    random_hex(key2, sizeof key2, "als_", 32);
    random_unseed();
    cr_assert_str_eq(id1, id2);
    cr_assert_str_eq(key1, key2);
}
