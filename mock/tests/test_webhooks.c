/* The pure pieces of webhook delivery: retry schedule, allow-list, signature, the worker's
 * wake-up heap, the delivery log ring and an endpoint's queue. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/allowlist.h"
#include "delivery/due_queue.h"
#include "delivery/retry_schedule.h"
#include "delivery/signature.h"
#include "store/webhook.h"

#define MINUTE 60000

Test(retry_schedule, contract_default_doubles_from_one_minute_for_eight_attempts) {
    int64_t expected[] = {1, 2, 4, 8, 16, 32, 64};
    for (int attempt = 1; attempt <= 7; attempt++)
        cr_assert_eq(retry_delay_ms(MINUTE, attempt, 8), expected[attempt - 1] * MINUTE,
                     "after attempt %d", attempt);
    cr_assert_eq(retry_delay_ms(MINUTE, 8, 8), -1, "no ninth attempt");
}

Test(retry_schedule, total_is_capped_at_72_hours) {
    int64_t total = 0, delay;
    int attempt = 1;
    while ((delay = retry_delay_ms(MINUTE, attempt, 20)) >= 0) {
        total += delay;
        attempt++;
    }
    cr_assert_eq(total, 72LL * 3600 * 1000, "last attempt lands on the cap, total %lld", (long long)total);
    cr_assert_eq(attempt, 14, "attempts made: %d", attempt);
    cr_assert_eq(retry_delay_ms(MINUTE, 13, 20), 225LL * MINUTE, "the last delay is shortened");
}

Test(retry_schedule, compressed_base_compresses_everything) {
    cr_assert_eq(retry_delay_ms(100, 1, 8), 100);
    cr_assert_eq(retry_delay_ms(100, 3, 8), 400);
    cr_assert_eq(retry_delay_ms(100, 1, 1), -1, "max_attempts 1: never retried");
    cr_assert_eq(retry_delay_ms(100, 0, 8), -1);
}

static enum url_check check(const char *url) {
    char why[256];
    return allowlist_check_url(url, why, sizeof why);
}

Test(allowlist, default_is_loopback_only) {
    char why[256];
    cr_assert_eq(allowlist_configure(NULL, why, sizeof why), 0);
    const char *allowed[] = {"http://127.0.0.1:8080/hook", "http://127.9.9.9/", "https://localhost/x",
                             "http://LOCALHOST:1/", "http://[::1]:9000/hook?a=b"};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        cr_assert_eq(check(allowed[i]), URL_OK, "%s", allowed[i]);
    const char *denied[] = {"http://10.0.0.1/hook", "http://example.com/", "http://169.254.169.254/",
                            "http://[::2]/", "http://128.0.0.1/", "http://localhost.evil.com/",
                            "http://evil.com/localhost", "http://[::ffff:10.0.0.1]/"};
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
        cr_assert_eq(check(denied[i]), URL_NOT_ALLOWED, "%s", denied[i]);
    const char *malformed[] = {"ftp://127.0.0.1/", "/hook", "127.0.0.1/hook", "http://", "",
                               "javascript:alert(1)", "http://127.0.0.1/a b"};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++)
        cr_assert_eq(check(malformed[i]), URL_MALFORMED, "%s", malformed[i]);
    allowlist_free();
}

Test(allowlist, custom_patterns) {
    char why[256];
    cr_assert_eq(allowlist_configure(" 10.1.0.0/16, *.hooks.test ,192.168.1.7,fd00::/8", why,
                                     sizeof why), 0, "%s", why);
    cr_assert_eq(check("http://10.1.200.3/"), URL_OK);
    cr_assert_eq(check("http://10.2.0.1/"), URL_NOT_ALLOWED);
    cr_assert_eq(check("http://a.b.hooks.test/"), URL_OK);
    cr_assert_eq(check("http://hooks.test/"), URL_NOT_ALLOWED, "*.domain is not the domain");
    cr_assert_eq(check("http://192.168.1.7/"), URL_OK);
    cr_assert_eq(check("http://192.168.1.8/"), URL_NOT_ALLOWED);
    cr_assert_eq(check("http://[fd12::1]/"), URL_OK);
    cr_assert_eq(check("http://127.0.0.1/"), URL_NOT_ALLOWED, "the default is replaced");
    allowlist_free();
}

Test(allowlist, bad_specs_are_refused_and_leave_the_list_alone) {
    char why[256];
    const char *bad[] = {"10.0.0.0/33", "", " , ", "bad host!", "::1/129", "10.0.0.0/", "x/8"};
    cr_assert_eq(allowlist_configure("192.168.9.9", why, sizeof why), 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(allowlist_configure(bad[i], why, sizeof why), -1, "\"%s\" accepted", bad[i]);
        cr_assert(why[0], "no reason for \"%s\"", bad[i]);
    }
    cr_assert_eq(check("http://192.168.9.9/"), URL_OK);
    allowlist_free();
}

Test(signature, hmac_sha256_hex_of_the_raw_body_keyed_by_the_whole_secret) {
    /* python3: hmac.new(b"whsec_0011...eeff", body, hashlib.sha256).hexdigest() */
    const char *body = "{\"id\":\"evt_1\",\"event\":\"agent.registered\"}";
    char sig[SIGNATURE_LEN];
    webhook_signature("whsec_00112233445566778899aabbccddeeff", body, strlen(body), sig);
    cr_assert_str_eq(sig, "sha256=dd62a4e5b851db0a0a02f9c211f8ac04e2c94e1a2b72552c3885e349996d4c1c");
}

Test(due_queue, pops_in_due_order_with_ties_in_scheduling_order) {
    struct due_queue q = {0};
    int64_t due[] = {50, 10, 30, 10, 70, 20, 10};
    for (size_t i = 0; i < sizeof due / sizeof *due; i++) {
        struct due_entry e = {.due_mono_ms = due[i], .due_virtual_ms = due[i], .seq = i};
        cr_assert_eq(due_queue_push(&q, &e), 0);
    }
    int64_t last_due = -1;
    uint64_t last_seq = 0;
    for (size_t i = 0; i < sizeof due / sizeof *due; i++) {
        struct due_entry e;
        due_queue_pop(&q, &e);
        cr_assert_geq(e.due_mono_ms, last_due);
        if (e.due_mono_ms == last_due) cr_assert_gt(e.seq, last_seq, "ties keep their order");
        last_due = e.due_mono_ms;
        last_seq = e.seq;
    }
    cr_assert_null(due_queue_peek(&q));
    free(q.heap);
}

Test(due_queue, moving_the_virtual_clock_forward_makes_retries_due) {
    struct due_queue q = {0};
    /* scheduled at mono 0 = virtual 1000: due in 100 and 60000 ms */
    struct due_entry a = {.due_mono_ms = 100, .due_virtual_ms = 1100, .seq = 0};
    struct due_entry b = {.due_mono_ms = 60000, .due_virtual_ms = 61000, .seq = 1};
    due_queue_push(&q, &b);
    due_queue_push(&q, &a);
    /* at mono 10 the clock jumps one hour ahead: both are past their next_retry_at */
    due_queue_retime(&q, 10, 1010 + 3600000);
    cr_assert_leq(due_queue_peek(&q)->due_mono_ms, 10);
    struct due_entry e;
    due_queue_pop(&q, &e);
    cr_assert_leq(due_queue_peek(&q)->due_mono_ms, 10);
    /* a jump back never delays: real time still decides */
    due_queue_retime(&q, 20, 20 - 86400000LL);
    cr_assert_leq(due_queue_peek(&q)->due_mono_ms, 10);
    free(q.heap);
}

static struct delivery_record record(int attempt) {
    struct delivery_record r = {.attempt = attempt, .error = strdup("HTTP 500")};
    return r;
}

Test(delivery_log, keeps_the_newest_attempts_and_counts_the_ones_it_forgets) {
    struct delivery_log log = {0};
    const int max = WEBHOOK_LOG_MAX_DEFAULT;
    cr_assert_eq(webhook_log_max(), (size_t)max);
    for (int i = 1; i <= max + 25; i++) {
        struct delivery_record r = record(i);
        delivery_log_append(&log, &r);
    }
    cr_assert_eq(log.n, (size_t)max);
    cr_assert_eq(log.dropped, 25);
    cr_assert_eq(delivery_log_nth_newest(&log, 0)->attempt, max + 25);
    cr_assert_eq(delivery_log_nth_newest(&log, max - 1)->attempt, 26);
    delivery_log_free(&log); /* frees every error string: ASan checks */
}

Test(delivery_log, follows_the_configured_cap) {
    webhook_set_caps(5, WEBHOOK_QUEUE_MAX_DEFAULT);
    struct delivery_log log = {0};
    for (int i = 1; i <= 12; i++) {
        struct delivery_record r = record(i);
        delivery_log_append(&log, &r);
    }
    cr_assert_eq(log.n, 5);
    cr_assert_eq(log.dropped, 7);
    cr_assert_eq(delivery_log_nth_newest(&log, 4)->attempt, 8);
    delivery_log_free(&log);
    webhook_set_caps(WEBHOOK_LOG_MAX_DEFAULT, WEBHOOK_QUEUE_MAX_DEFAULT);
}

Test(webhook_queue, refuses_events_past_its_cap_and_counts_them) {
    webhook_set_caps(WEBHOOK_LOG_MAX_DEFAULT, 3);
    struct webhook w = {0};
    struct webhook_event *e = webhook_event_new("evt_1", "agent.updated", strdup("{}"), 2);
    for (int i = 0; i < 3; i++) cr_assert_eq(webhook_enqueue(&w, e), 0);
    cr_assert_eq(webhook_enqueue(&w, e), -1);
    cr_assert_eq(webhook_enqueue(&w, e), -1);
    cr_assert_eq(w.n_pending, 3);
    cr_assert_eq(w.dropped, 2);
    webhook_pop(&w); /* room again */
    cr_assert_eq(webhook_enqueue(&w, e), 0);
    cr_assert_eq(w.dropped, 2);
    webhook_drop_pending(&w);
    webhook_event_release(e);
    webhook_set_caps(WEBHOOK_LOG_MAX_DEFAULT, WEBHOOK_QUEUE_MAX_DEFAULT);
}

static struct webhook *endpoint(const char *id) {
    struct webhook *w = calloc(1, sizeof *w);
    snprintf(w->id, sizeof w->id, "%s", id);
    w->url = strdup("http://127.0.0.1/");
    w->active = true;
    return w;
}

Test(webhook_set, keeps_creation_order_across_removal) {
    struct webhook_set s = {0};
    const char *ids[] = {"wh_a", "wh_b", "wh_c", "wh_d"};
    for (int i = 0; i < 4; i++) cr_assert_eq(webhook_set_add(&s, endpoint(ids[i])), 0);
    webhook_set_remove(&s, webhook_set_find(&s, "wh_b"));
    cr_assert_null(webhook_set_find(&s, "wh_b"));
    cr_assert_eq(s.n, 3);
    cr_assert_str_eq(s.list[0]->id, "wh_a");
    cr_assert_str_eq(s.list[1]->id, "wh_c");
    cr_assert_str_eq(s.list[2]->id, "wh_d");
    cr_assert_eq(webhook_set_find(&s, "wh_d")->position, 2);
    webhook_set_free(&s);
}

Test(webhook, subscriptions_queue_and_disable) {
    struct webhook *w = endpoint("wh_x");
    const char *events[] = {"agent.registered", "agent.deleted"};
    cr_assert_eq(webhook_set_events(w, events, 2), 0);
    cr_assert(webhook_subscribed(w, "agent.deleted"));
    cr_assert_not(webhook_subscribed(w, "agent.updated"));
    const char *all[] = {"*"};
    cr_assert_eq(webhook_set_events(w, all, 1), 0);
    cr_assert(webhook_subscribed(w, "transaction.completed"));

    struct webhook_event *e1 = webhook_event_new("evt_1", "agent.registered", strdup("{}"), 2);
    struct webhook_event *e2 = webhook_event_new("evt_2", "agent.updated", strdup("{}"), 2);
    cr_assert_eq(webhook_enqueue(w, e1), 0);
    cr_assert_eq(webhook_enqueue(w, e2), 0);
    cr_assert_eq(w->head->event, e1, "first in, first out");
    w->head_attempts = 3;
    webhook_pop(w);
    cr_assert_eq(w->head->event, e2);
    cr_assert_eq(w->head_attempts, 0, "the next event starts at attempt 1");

    w->state = WEBHOOK_SCHEDULED;
    uint64_t gen = w->schedule_gen;
    webhook_disable(w);
    cr_assert_not(w->active);
    cr_assert_null(w->head);
    cr_assert_eq(w->n_pending, 0);
    cr_assert_eq(w->state, WEBHOOK_IDLE);
    cr_assert_neq(w->schedule_gen, gen, "the worker's wake-up is withdrawn");
    webhook_event_release(e1);
    webhook_event_release(e2);
    webhook_free(w);
}
