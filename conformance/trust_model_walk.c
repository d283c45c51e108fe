/* §4 end to end: one agent driven through completed, failed and reversed transactions,
 * disputes (filed, resolved), and a year of tenure, across every assessment boundary; after
 * each step its score, components and latest history reason must be what the contract's model
 * says for its inputs.  Needs the sandbox (verified org, dispute resolution, clock). */
#include "trust_tx.h"

#include <string.h>

static struct tenant T;

struct walker {
    const char *id;
    struct model_inputs in;
    const char *assessments[32]; /* every assessment seen, in order */
    int n;
};

/* Checks the agent against the model and the reason of the newest history snapshot (when the
 * step changed the score). */
static void step(struct walker *w, const char *reason) {
    expect_trust(&T, w->id, &w->in);
    const char *now = model_assessment(model_score(&w->in));
    if (reason) {
        cJSON *h = get_ok(&T, fmt("/trust/%s/history", w->id));
        const cJSON *newest = cJSON_GetArrayItem(h, 0);
        cr_assert_str_eq(jstr(newest, "reason"), reason);
        cr_assert_eq(jnum(newest, "score"), model_score(&w->in));
        cr_assert_str_eq(jstr(newest, "assessment"), now);
        cJSON_Delete(h);
    }
    if (w->n == 0 || strcmp(w->assessments[w->n - 1], now) != 0) w->assessments[w->n++] = now;
}

Test(trust_walk, an_agent_crosses_every_assessment_boundary_as_the_model_says) {
    require_mock();
    clock_hold_exclusive(); /* the walk moves the clock by a year */
    tenant_new_with(&T, "{\"operator_verified\": true}");
    struct walker w = {.id = tx_agent(&T, "Walker", "[\"pay\"]", "100"), .in = {.verified = true}};
    struct walker p = {.id = tx_agent(&T, "Partner", "[\"pay\"]", "100"), .in = {.verified = true}};
    step(&w, "Agent registered"); /* 500 Caution */

    cJSON *first = tx_ok(&T, w.id, p.id, "10", "pay");
    w.in.completed = 1;
    p.in.completed_as_counterparty = 1;
    step(&w, "Transaction completed"); /* 400 + 300 + 150 = 850 Trusted */
    step(&p, "Transaction completed");

    tx_refused(&T, w.id, p.id, "500", "pay", "spending_limit_exceeded");
    w.in.failed = 1;
    step(&w, "Transaction failed"); /* 1 of 2: 200 + 300 + 150 = 650 Caution */
    step(&p, NULL);                 /* a failed transaction does not count for the payee */

    cJSON_Delete(tx_reverse(&T, jstr(first, "id"), "{\"reason\": \"walk\"}"));
    w.in.completed = 0;
    w.in.reversed = 1;
    p.in.completed_as_counterparty = 0;
    step(&w, "Transaction reversed"); /* 0 of 2: 300 + 150 = 450 Caution */
    step(&p, "Transaction reversed"); /* no task left: 500 */

    cJSON *d = dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"walk\"}", w.id));
    w.in.disputes = 1;
    step(&w, "Dispute filed against agent"); /* rate 0.5: 0 + 0 + 150 = 150 High Risk */

    tx_refused(&T, w.id, p.id, "1", "pay", "insufficient_trust");
    w.in.failed = 2;
    step(&w, NULL); /* 1 dispute in 3 tasks: 305 − 333 → 0; still 150 */

    for (int i = 0; i < 6; i++) {
        cJSON_Delete(tx_ok(&T, p.id, w.id, "1", "pay"));
        w.in.completed_as_counterparty++;
        p.in.completed++;
    }
    step(&w, "Transaction completed"); /* 6 of 9: 267 + 194 + 150 = 611 Caution */
    step(&p, "Transaction completed");

    dispute_resolve(&T, jstr(d, "dispute_id"), "dismissed", 200);
    w.in.disputes = 0;
    step(&w, "Dispute resolved in favor"); /* 267 + 300 + 150 = 717 Trusted */

    clock_advance_by(365LL * 86400);
    cJSON *evaluated = NULL;
    struct http_resp r;
    http_call("POST", fmt("/trust/evaluate/%s", w.id), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    evaluated = r.json;
    r.json = NULL;
    http_resp_free(&r);
    w.in.tenure_days = 365;
    cr_assert_eq(jnum(evaluated, "tenure_days"), 365);
    cr_assert_eq(jnum(evaluated, "score"), model_score(&w.in));
    step(&w, "Evaluation requested"); /* + 150 tenure: 867 Trusted */

    for (int i = 0; i < 9; i++) {
        cJSON_Delete(tx_ok(&T, p.id, w.id, "1", "pay"));
        w.in.completed_as_counterparty++;
    }
    step(&w, "Transaction completed"); /* 15 of 18: 333 + 300 + 150 + 150 = 933 Verified */

    static const char *const expected[] = {"Caution",   "Trusted", "Caution", "High Risk",
                                           "Caution",   "Trusted", "Verified"};
    cr_assert_eq(w.n, 7, "assessments visited: %d", w.n);
    for (int i = 0; i < 7; i++) cr_assert_str_eq(w.assessments[i], expected[i]);
    /* every event is in the chains, and they still verify */
    const char *agents[2] = {w.id, p.id};
    for (int i = 0; i < 2; i++) {
        cJSON *v = get_ok(&T, fmt("/agents/%s/audit/verify", agents[i]));
        cr_assert(jbool(v, "valid"), "chain of %s broken", agents[i]);
        cJSON_Delete(v);
    }
    cJSON_Delete(evaluated);
    cJSON_Delete(d);
    cJSON_Delete(first);
}
