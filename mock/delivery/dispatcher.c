#include "delivery/dispatcher.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/log.h"
#include "delivery/due_queue.h"
#include "delivery/forward.h"
#include "delivery/request.h"
#include "delivery/retry_schedule.h"
#include "store/store.h"

#define MAX_IN_FLIGHT 256 /* transfers at once (at most one per endpoint) */
#define BATCH         64  /* wake-ups taken per turn of the loop */
#define IDLE_POLL_MS  250 /* how soon a moved virtual clock is noticed */

/* One attempt at an endpoint's head event. */
struct attempt {
    struct tenant *tenant; /* one reference */
    char webhook_id[ID_LEN];
    struct webhook_event *event; /* one reference */
    int number;
    int64_t started_virtual_ms;
    char delivery_id[WEBHOOK_UUID_LEN];
};

struct transfer {
    struct transfer *prev, *next;
    struct attempt attempt;
    struct delivery_request rq;
};

static struct {
    pthread_mutex_t lock; /* guards due, seq, stopping, wake_pending */
    struct due_queue due;
    uint64_t seq;
    bool stopping;
    bool wake_pending; /* a curl_multi_wakeup is on its way */

    /* set by delivery_start before the worker runs, read-only while it runs */
    bool running;
    CURLM *multi;
    pthread_t thread;
    int64_t retry_base_ms;

    /* the worker's alone */
    struct transfer *transfers;
    size_t n_transfers;
} d = {.lock = PTHREAD_MUTEX_INITIALIZER, .retry_base_ms = WEBHOOK_RETRY_BASE_MS_DEFAULT};

static int64_t mono_ms(void) { return clock_monotonic_us() / 1000; }

int64_t delivery_retry_base_ms(const struct tenant *t) {
    return t->webhook_settings.retry_base_ms > 0 ? t->webhook_settings.retry_base_ms
                                                 : d.retry_base_ms;
}

/* Hands the worker a wake-up for w in delay_ms.  t's lock is held. */
static void schedule(struct tenant *t, struct webhook *w, int64_t delay_ms) {
    struct due_entry e = {.due_mono_ms = mono_ms() + delay_ms,
                          .due_virtual_ms = clock_now_ms() + delay_ms,
                          .gen = w->schedule_gen,
                          .tenant = t};
    memcpy(e.webhook_id, w->id, sizeof e.webhook_id);
    tenant_retain(t);
    bool wake = false;
    pthread_mutex_lock(&d.lock);
    e.seq = d.seq++;
    int pushed = due_queue_push(&d.due, &e);
    if (pushed == 0 && !d.wake_pending) wake = d.wake_pending = true;
    pthread_mutex_unlock(&d.lock);
    if (pushed != 0) {
        log_error("webhook %s: out of memory scheduling a delivery", w->id);
        tenant_release(t); /* never the last reference: the caller holds one */
        w->state = WEBHOOK_IDLE;
        return;
    }
    w->state = WEBHOOK_SCHEDULED;
    w->next_attempt_ms = e.due_virtual_ms;
    if (wake) curl_multi_wakeup(d.multi);
}

/* Schedules every endpoint of t with events waiting and nothing scheduled: queues restored
 * from a snapshot, due when they were due when saved (at once if that has passed). */
static void resume_tenant(struct tenant *t) {
    tenant_lock(t);
    int64_t now_ms = clock_now_ms();
    for (size_t i = 0; i < t->webhooks.n; i++) {
        struct webhook *w = t->webhooks.list[i];
        if (w->state != WEBHOOK_IDLE || !w->active || !w->head) continue;
        schedule(t, w, w->next_attempt_ms > now_ms ? w->next_attempt_ms - now_ms : 0);
    }
    tenant_unlock(t);
}

void delivery_resume(void) {
    if (!d.running) return;
    size_t n = 0;
    struct tenant **tenants = store_tenants_retain(&n);
    for (size_t i = 0; i < n; i++) {
        resume_tenant(tenants[i]);
        tenant_release(tenants[i]);
    }
    free(tenants);
}

/* An event is wanted when an active endpoint of t subscribes to it. */
bool delivery_wanted(const struct tenant *t, const char *event, void *ctx) {
    (void)ctx;
    for (size_t i = 0; t && i < t->webhooks.n; i++) {
        const struct webhook *w = t->webhooks.list[i];
        if (w->active && webhook_subscribed(w, event)) return true;
    }
    return false;
}

void delivery_sink(struct tenant *t, const char *event, cJSON *envelope, void *ctx) {
    (void)ctx;
    if (!t) return;
    struct webhook_event *ev = NULL;
    for (size_t i = 0; i < t->webhooks.n; i++) {
        struct webhook *w = t->webhooks.list[i];
        if (!w->active || !webhook_subscribed(w, event)) continue;
        if (!ev) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(envelope, "id");
            char *body = cJSON_PrintUnformatted(envelope);
            ev = webhook_event_new(cJSON_IsString(id) ? id->valuestring : "", event, body,
                                   body ? strlen(body) : 0);
            if (!ev) {
                log_error("webhooks: out of memory queueing %s", event);
                return;
            }
        }
        if (webhook_enqueue(w, ev) != 0) { /* full: counted in w->dropped */
            if (w->dropped && (w->dropped & (w->dropped - 1)) == 0) /* the 1st, 2nd, 4th, ... drop */
                log_warn("webhook %s: %zu events queued and undelivered; %zu newer ones dropped",
                         w->id, w->n_pending, w->dropped);
            continue;
        }
        if (w->state == WEBHOOK_IDLE) schedule(t, w, 0);
    }
    webhook_event_release(ev);
}

/* Logs the attempt on its endpoint and decides what follows: the next event, a retry, or
 * (after the last attempt) one more failure of the endpoint.  Releases a's references. */
static void record_outcome(struct attempt *a, const struct delivery_result *res) {
    struct tenant *t = a->tenant;
    int64_t now_virtual_ms = clock_now_ms();
    tenant_lock(t);
    struct webhook *w = webhook_set_find(&t->webhooks, a->webhook_id);
    if (w && w->state == WEBHOOK_IN_FLIGHT) {
        /* not the head any more: the endpoint was disabled (and maybe re-enabled) meanwhile */
        bool is_head = w->head && w->head->event == a->event;
        int64_t retry_in = -1;
        if (is_head && !res->success && !res->blocked)
            retry_in = retry_delay_ms(delivery_retry_base_ms(t), a->number,
                                      t->webhook_settings.max_attempts);
        struct delivery_record rec = {
            .attempt = a->number,
            .status_code = res->status_code,
            .error = res->success ? NULL : strdup(res->error),
            .duration_ms = res->duration_ms,
            .delivered_at = a->started_virtual_ms / 1000,
            .next_retry_at = retry_in >= 0 ? (now_virtual_ms + retry_in) / 1000 : 0,
        };
        memcpy(rec.delivery_id, a->delivery_id, sizeof rec.delivery_id);
        memcpy(rec.event_id, a->event->id, sizeof rec.event_id);
        memcpy(rec.event, a->event->name, sizeof rec.event);
        delivery_log_append(&w->log, &rec);

        if (is_head && res->success) {
            webhook_pop(w);
            w->consecutive_failures = 0;
        } else if (is_head && res->blocked) {
            webhook_pop(w); /* the sandbox's refusal, not the receiver's failure: not counted */
        } else if (is_head && retry_in < 0) {
            webhook_pop(w);
            if (++w->consecutive_failures >= WEBHOOK_DISABLE_AFTER) {
                webhook_disable(w);
                w->updated_at = now_virtual_ms / 1000;
                log_info("webhook %s disabled after %d failed events", w->id,
                         w->consecutive_failures);
            }
        }
        w->state = WEBHOOK_IDLE;
        if (retry_in >= 0) schedule(t, w, retry_in);
        else if (w->active && w->head) schedule(t, w, 0);
    }
    tenant_unlock(t);
    webhook_event_release(a->event);
    tenant_release(t);
}

/* Takes a wake-up: starts an attempt at the endpoint's head event, unless the wake-up is
 * stale (endpoint deleted, disabled, rescheduled).  Consumes e's tenant reference. */
static void start_attempt(struct due_entry *e) {
    struct tenant *t = e->tenant;
    /* an organization removed from the store (sandbox reset) delivers nothing more */
    struct tenant *listed = store_tenant_get(t->id);
    tenant_release(listed);
    if (listed != t) {
        tenant_release(t);
        return;
    }
    tenant_lock(t);
    struct webhook *w = webhook_set_find(&t->webhooks, e->webhook_id);
    if (!w || w->state != WEBHOOK_SCHEDULED || w->schedule_gen != e->gen) {
        tenant_unlock(t);
        tenant_release(t);
        return;
    }
    if (!w->active || !w->head) {
        w->state = WEBHOOK_IDLE;
        tenant_unlock(t);
        tenant_release(t);
        return;
    }
    w->state = WEBHOOK_IN_FLIGHT;
    struct attempt a = {.tenant = t, .event = w->head->event, .number = ++w->head_attempts};
    webhook_event_retain(a.event);
    memcpy(a.webhook_id, w->id, sizeof a.webhook_id);
    char secret[ID_LEN];
    memcpy(secret, w->secret, sizeof secret);
    const char *forward = delivery_forward_target(t);
    char *url = strdup(forward ? forward : w->url);
    char *from = forward ? strdup(w->url) : NULL;
    long timeout_ms = t->webhook_settings.timeout_ms;
    tenant_unlock(t);

    a.started_virtual_ms = clock_now_ms();
    struct delivery_result failed = {.error = "not sent: out of memory", .duration_ms = 0};
    struct transfer *x = url && (from || !forward) ? calloc(1, sizeof *x) : NULL;
    if (!x) {
        free(url);
        free(from);
        delivery_uuid(a.delivery_id);
        record_outcome(&a, &failed);
        return;
    }
    x->attempt = a;
    struct delivery_message m = {.url = url,
                                 .forwarded_from = from,
                                 .secret = secret,
                                 .event = a.event->name,
                                 .body = a.event->body,
                                 .body_len = a.event->body_len,
                                 .timestamp = a.started_virtual_ms / 1000,
                                 .timeout_ms = timeout_ms};
    int ready = delivery_request_init(&x->rq, &m, &failed);
    free(url); /* libcurl keeps its own copies */
    free(from);
    memcpy(x->attempt.delivery_id, x->rq.delivery_id, sizeof x->attempt.delivery_id);
    if (ready == 0) {
        curl_easy_setopt(x->rq.easy, CURLOPT_PRIVATE, x);
        if (curl_multi_add_handle(d.multi, x->rq.easy) == CURLM_OK) {
            x->next = d.transfers;
            if (d.transfers) d.transfers->prev = x;
            d.transfers = x;
            d.n_transfers++;
            return;
        }
        delivery_request_cleanup(&x->rq);
    }
    record_outcome(&x->attempt, &failed);
    free(x);
}

static void unlink_transfer(struct transfer *x) {
    if (x->prev) x->prev->next = x->next;
    else d.transfers = x->next;
    if (x->next) x->next->prev = x->prev;
    d.n_transfers--;
    curl_multi_remove_handle(d.multi, x->rq.easy);
}

static void collect_finished(void) {
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(d.multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURLcode rc = msg->data.result; /* msg dies with the handle's removal */
        struct transfer *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        struct delivery_result res;
        delivery_request_result(&x->rq, rc, &res);
        unlink_transfer(x);
        delivery_request_cleanup(&x->rq);
        record_outcome(&x->attempt, &res);
        free(x);
    }
}

static void *worker(void *arg) {
    (void)arg;
    int64_t seen_offset = clock_offset();
    for (;;) {
        struct due_entry batch[BATCH];
        size_t n = 0;
        long timeout = IDLE_POLL_MS;
        pthread_mutex_lock(&d.lock);
        if (d.stopping) {
            pthread_mutex_unlock(&d.lock);
            break;
        }
        d.wake_pending = false;
        int64_t now = mono_ms();
        if (clock_offset() != seen_offset) {
            seen_offset = clock_offset();
            due_queue_retime(&d.due, now, clock_now_ms());
        }
        const struct due_entry *next;
        while (n < BATCH && d.n_transfers + n < MAX_IN_FLIGHT && (next = due_queue_peek(&d.due)) &&
               next->due_mono_ms <= now)
            due_queue_pop(&d.due, &batch[n++]);
        next = due_queue_peek(&d.due);
        if (next && d.n_transfers + n < MAX_IN_FLIGHT && next->due_mono_ms - now < timeout)
            timeout = next->due_mono_ms > now ? (long)(next->due_mono_ms - now) : 0;
        pthread_mutex_unlock(&d.lock);

        for (size_t i = 0; i < n; i++) start_attempt(&batch[i]);
        int running = 0;
        curl_multi_perform(d.multi, &running);
        collect_finished();
        curl_multi_poll(d.multi, NULL, 0, (int)timeout, NULL);
        curl_multi_perform(d.multi, &running);
        collect_finished();
    }
    /* stopping: abandon what is in flight */
    while (d.transfers) {
        struct transfer *x = d.transfers;
        unlink_transfer(x);
        delivery_request_cleanup(&x->rq);
        webhook_event_release(x->attempt.event);
        tenant_release(x->attempt.tenant);
        free(x);
    }
    return NULL;
}

int delivery_start(const struct delivery_config *cfg) {
    if (d.running) return 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    d.retry_base_ms = cfg && cfg->retry_base_ms > 0 ? cfg->retry_base_ms
                                                     : WEBHOOK_RETRY_BASE_MS_DEFAULT;
    d.multi = curl_multi_init();
    if (!d.multi) {
        log_error("webhooks: cannot start libcurl");
        curl_global_cleanup();
        return -1;
    }
    curl_multi_setopt(d.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)MAX_IN_FLIGHT);
    d.stopping = false;
    if (pthread_create(&d.thread, NULL, worker, NULL) != 0) {
        log_error("webhooks: cannot start the delivery thread");
        curl_multi_cleanup(d.multi);
        d.multi = NULL;
        curl_global_cleanup();
        return -1;
    }
    d.running = true;
    delivery_resume(); /* a state loaded before the worker started */
    return 0;
}

void delivery_stop(void) {
    if (!d.running) return;
    pthread_mutex_lock(&d.lock);
    d.stopping = true;
    pthread_mutex_unlock(&d.lock);
    curl_multi_wakeup(d.multi);
    pthread_join(d.thread, NULL);

    /* drop the wake-ups still waiting; their tenants are released outside the mutex */
    pthread_mutex_lock(&d.lock);
    struct due_queue left = d.due;
    d.due = (struct due_queue){0};
    pthread_mutex_unlock(&d.lock);
    for (size_t i = 0; i < left.n; i++) tenant_release(left.heap[i].tenant);
    free(left.heap);

    curl_multi_cleanup(d.multi);
    d.multi = NULL;
    d.running = false;
    curl_global_cleanup();
}
