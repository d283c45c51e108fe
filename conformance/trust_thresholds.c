/* The exact edges of §4 that a model departing by one point would cross unseen:
 *   trend: score minus the score 7 days earlier (for a younger agent, its first score, 500):
 *          +10 improving, +9 stable, -10 declining, -9 stable;
 *   trust.score_changed: fires on a change of exactly 10 with no change of assessment, and
 *          not on a change of 9.
 * The scores are reached with chosen counts of completed and failed transactions in an
 * operator-verified org with no disputes and no tenure: score = round(400 x completed/total)
 * + 300 + 150 (model_score computes it independently; the assertions check both). */
#include "trust_tx.h"
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

#define WAIT_MS 20000

/* A new agent of T with that many completed, then failed (spending limit) payments to b. */
static void agent_with_record(const char *base, const char *b, int completed, int failed,
                              char id[96]) {
    snprintf(id, 96, "%s", tx_agent(&T, base, "[\"pay\"]", "1000"));
    for (int i = 0; i < completed; i++) cJSON_Delete(tx_ok(&T, id, b, "1", "pay"));
    for (int i = 0; i < failed; i++) tx_refused(&T, id, b, "5000", "pay", "spending_limit_exceeded");
}

static void expect_trend(const char *base, const char *b, int completed, int failed, int delta,
                         const char *trend) {
    char id[96];
    agent_with_record(base, b, completed, failed, id);
    struct model_inputs in = {.completed = completed, .failed = failed, .verified = true};
    cr_assert_eq(model_score(&in), 500 + delta, "the test's own arithmetic is off");
    cJSON *p = get_ok(&T, fmt("/trust/%s", id));
    cr_assert_eq(jnum(p, "score"), 500 + delta, "%s: score", base);
    cr_assert_str_eq(jstr(p, "trend"), trend, "%s: a change of %+d since its first score", base,
                     delta);
    cJSON_Delete(p);
}

Test(trust_thresholds, trend_is_improving_at_plus_10_and_declining_at_minus_10_only) {
    tenant_new_with(&T, "{\"operator_verified\": true}");
    clock_hold_shared(); /* no tenure may accrue meanwhile */
    char b[96];
    snprintf(b, sizeof b, "%s", tx_agent(&T, "Payee", "[\"pay\"]", "1000"));
    expect_trend("Plus Ten", b, 3, 17, +10, "improving");   /* round(400 x 3/20) = 60 */
    expect_trend("Plus Nine", b, 6, 35, +9, "stable");      /* round(400 x 6/41) = 59 */
    expect_trend("Minus Ten", b, 1, 9, -10, "declining");   /* round(400 x 1/10) = 40 */
    expect_trend("Minus Nine", b, 4, 35, -9, "stable");     /* round(400 x 4/39) = 41 */
}

/* The trust.score_changed events of agent id among the first n deliveries at rc. */
static int changes_of(struct receiver *rc, size_t n, const char *id, const char *secret,
                      cJSON **out, int max) {
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *env = expect_delivery(receiver_get(rc, i), secret, "trust.score_changed");
        if (!strcmp(jstr(jobj(env, "data"), "agent_id"), id) && found < max)
            out[found++] = env;
        else
            cJSON_Delete(env);
    }
    return found;
}

Test(trust_thresholds, score_changed_fires_on_exactly_10_points_and_not_on_9) {
    require_mock(); /* the receiver is on this machine */
    tenant_new_with(&T, "{\"operator_verified\": true}");
    clock_hold_shared();
    struct receiver *rc = receiver_start();
    cJSON *w = webhook_create(&T, receiver_url(rc, "/trust"), "[\"trust.score_changed\"]");
    const char *secret = jstr(w, "secret");
    char b[96], ten[96], nine[96];
    snprintf(b, sizeof b, "%s", tx_agent(&T, "Payee", "[\"pay\"]", "1000"));
    /* 39 completed: 850 (Trusted); one failed: round(400 x 39/40) = 390, 840: -10, Trusted */
    agent_with_record("Ten Down", b, 39, 1, ten);
    /* 42 completed: 850; one failed: round(400 x 42/43) = 391, 841: -9, Trusted */
    agent_with_record("Nine Down", b, 42, 1, nine);
    /* a marker after both: events go out in order, so once it is in, all earlier ones are */
    char marker[96];
    agent_with_record("Marker", b, 1, 0, marker);

    /* 500 -> 850 for each of the three and the payee, then Ten Down's 850 -> 840 */
    expect_deliveries(rc, 5, WAIT_MS);
    receiver_wait(rc, 6, 500); /* room for a sixth, the event that must not be */
    size_t n = receiver_count(rc);
    cJSON *env[4] = {0};
    cr_assert_eq(changes_of(rc, n, marker, secret, env, 4), 1, "the marker's first task");
    cJSON_Delete(env[0]);
    int tens = changes_of(rc, n, ten, secret, env, 4);
    cr_assert_eq(tens, 2, "a change of exactly 10 points fired %d events, want 2 (500->850, "
                          "850->840)", tens);
    const cJSON *d = jobj(env[1], "data");
    cr_assert_eq(jnum(d, "previous_score"), 850);
    cr_assert_eq(jnum(d, "score"), 840);
    cr_assert_str_eq(jstr(d, "previous_assessment"), "Trusted");
    cr_assert_str_eq(jstr(d, "assessment"), "Trusted");
    for (int i = 0; i < tens; i++) cJSON_Delete(env[i]);
    int nines = changes_of(rc, n, nine, secret, env, 4);
    cr_assert_eq(nines, 1, "a change of 9 points with the same assessment fired an event");
    cr_assert_eq(jnum(jobj(env[0], "data"), "score"), 850);
    for (int i = 0; i < nines; i++) cJSON_Delete(env[i]);
    /* the score itself did move by 9 */
    cJSON *p = get_ok(&T, fmt("/trust/%s", nine));
    cr_assert_eq(jnum(p, "score"), 841);
    cJSON_Delete(p);
    cJSON_Delete(w);
    receiver_stop(rc);
}
