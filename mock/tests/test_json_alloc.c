/* cJSON through the per-thread block cache: trees built, printed and freed on many threads,
 * blocks freed on another thread than the one that made them, nothing lost (LeakSanitizer
 * checks the last part when the tests run under it). */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json_alloc.h"

static cJSON *tree(int seed) {
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < 200; i++) {
        char key[16], number_key[16], value[200];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(number_key, sizeof number_key, "n%d", i);
        snprintf(value, sizeof value, "%*d", 1 + (seed + i) % 150, i); /* every size class */
        cJSON_AddStringToObject(o, key, value);
        cJSON_AddItemToObject(o, number_key, cJSON_CreateNumber(i * seed));
    }
    return o;
}

static void *churn(void *arg) {
    int seed = (int)(intptr_t)arg;
    for (int round = 0; round < 50; round++) {
        cJSON *a = tree(seed + round), *b = tree(seed + round);
        char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
        cr_assert_str_eq(x, y);
        cJSON_free(x);
        cJSON_free(y);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    return tree(seed); /* freed by the main thread: a block changes threads */
}

Test(json_alloc, trees_built_and_freed_on_many_threads_print_the_same) {
    json_alloc_install();
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) pthread_create(&threads[i], NULL, churn, (void *)(intptr_t)i);
    for (int i = 0; i < 8; i++) {
        void *made;
        pthread_join(threads[i], &made);
        char *text = cJSON_PrintUnformatted(made);
        cJSON *back = cJSON_Parse(text);
        cr_assert(cJSON_Compare(made, back, 1));
        cJSON_free(text);
        cJSON_Delete(back);
        cJSON_Delete(made);
    }
}
