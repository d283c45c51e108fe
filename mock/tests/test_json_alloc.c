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

/* A reply built in the scratch arena: owned by it, printed the same as one built on the heap,
 * and the arena reused for the next reply after json_scratch_end. */
Test(json_alloc, a_tree_built_in_the_scratch_arena_prints_the_same_and_is_dropped_at_the_end) {
    json_alloc_install();
    cJSON *heap = tree(7);
    char *expected = cJSON_PrintUnformatted(heap);
    cr_assert_not(json_scratch_owns(heap));
    for (int round = 0; round < 3; round++) {
        json_scratch_begin();
        cJSON *scratch = tree(7);
        cr_assert(json_scratch_owns(scratch));
        cr_assert(json_scratch_owns(scratch->child->valuestring));
        char buf[65536];
        cr_assert(cJSON_PrintPreallocated(scratch, buf, sizeof buf, 0));
        cr_assert_str_eq(buf, expected);
        cJSON_Delete(scratch); /* does nothing to arena blocks */
        cJSON_Delete(tree(round)); /* nor does a tree made and freed inside */
        json_scratch_begin(); /* a scope inside ends with the outer one */
        cJSON *inner = tree(round);
        json_scratch_end();
        cr_assert(json_scratch_owns(inner) && json_scratch_owns(scratch), "still open");
        json_scratch_end();
        cr_assert_not(json_scratch_owns(scratch), "the scope is closed");
    }
    cJSON *after = tree(7); /* outside the scope: the heap again, freed one by one */
    cr_assert_not(json_scratch_owns(after));
    cJSON_Delete(after);
    cJSON_free(expected);
    cJSON_Delete(heap);
}

/* A snapshot-style arena entered by hand: blocks come from it until it is left. */
Test(json_alloc, an_entered_arena_holds_what_is_parsed_in_it) {
    json_alloc_install();
    struct json_arena arena = {0};
    cr_assert_null(json_arena_enter(&arena));
    cJSON *parsed = cJSON_Parse("{\"a\":[1,2,{\"b\":\"c\"}]}");
    cr_assert_eq(json_arena_enter(NULL), &arena);
    cr_assert_not_null(parsed);
    cr_assert_not_null(arena.chunks, "the parse allocated in the arena");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "a"), 2)->child->valuestring, "c");
    json_arena_reset(&arena, false); /* the records die with their arena: LeakSanitizer agrees */
    cr_assert_null(arena.chunks);
}

/* Scopes of both kinds nest: each end restores what was current at its begin, so a scratch
 * scope opened inside an arena (a snapshot load that builds a reply, say) leaves the thread
 * allocating in that arena again, and an arena entered inside a scratch scope gives the
 * scope back when it is left. */
Test(json_alloc, scratch_scopes_and_arenas_nest_and_each_end_restores_the_one_before) {
    json_alloc_install();
    struct json_arena outer = {0}, inner = {0};
    struct json_arena *before = json_arena_enter(&outer);
    cJSON *in_outer = cJSON_CreateObject();
    cr_assert(json_arena_owns(&outer, in_outer));

    json_scratch_begin();
    cJSON *scratch = cJSON_CreateObject();
    cr_assert(json_scratch_owns(scratch));
    cr_assert_not(json_arena_owns(&outer, scratch));

    struct json_arena *was = json_arena_enter(&inner); /* an arena inside the scope */
    cJSON *in_inner = cJSON_CreateObject();
    cr_assert(json_arena_owns(&inner, in_inner));
    json_scratch_begin(); /* and a scope inside that */
    cJSON *nested = cJSON_CreateObject();
    cr_assert(json_scratch_owns(nested));
    json_scratch_end();
    cJSON *back_in_inner = cJSON_CreateObject();
    cr_assert(json_arena_owns(&inner, back_in_inner), "the inner end restores the inner arena");
    json_arena_enter(was);
    cJSON *back_in_scratch = cJSON_CreateObject();
    cr_assert(json_scratch_owns(back_in_scratch));
    json_scratch_end();

    cJSON *after = cJSON_CreateObject();
    cr_assert(json_arena_owns(&outer, after), "the scope's end restores the arena entered before");
    cJSON_Delete(in_outer); /* nothing: the arena frees it */
    json_arena_enter(before);
    json_arena_reset(&inner, false);
    json_arena_reset(&outer, false);
}
