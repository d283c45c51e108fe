#include "delivery/retry_schedule.h"

int64_t retry_delay_ms(int64_t base_ms, int attempt, int max_attempts) {
    if (attempt < 1 || attempt >= max_attempts || attempt > WEBHOOK_MAX_ATTEMPTS_LIMIT) return -1;
    /* in units of the base: attempt k+1 comes 2^k - 1 after the first */
    int64_t elapsed = ((int64_t)1 << (attempt - 1)) - 1;
    if (elapsed >= WEBHOOK_RETRY_CAP_BASES) return -1;
    int64_t delay = (int64_t)1 << (attempt - 1);
    if (elapsed + delay > WEBHOOK_RETRY_CAP_BASES) delay = WEBHOOK_RETRY_CAP_BASES - elapsed;
    return delay * base_ms;
}
