/* A helper for unit tests of thread safety: run the same work on many threads at once. */
#ifndef TESTS_CONCURRENTLY_H
#define TESTS_CONCURRENTLY_H

#include <pthread.h>
#include <stdint.h>

#define CONCURRENTLY_MAX 64

struct concurrently_job {
    long (*fn)(long index);
    long index, result;
};

static void *concurrently_run(void *arg) {
    struct concurrently_job *j = arg;
    j->result = j->fn(j->index);
    return NULL;
}

/* Runs fn(0) .. fn(n - 1) on n threads at once; returns the sum of their results. */
static inline long concurrently(int n, long (*fn)(long index)) {
    pthread_t th[CONCURRENTLY_MAX];
    struct concurrently_job jobs[CONCURRENTLY_MAX];
    if (n > CONCURRENTLY_MAX) n = CONCURRENTLY_MAX;
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct concurrently_job){fn, i, 0};
        pthread_create(&th[i], NULL, concurrently_run, &jobs[i]);
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += jobs[i].result;
    }
    return total;
}

#endif
