/* Helpers for the §4–§5 checks (trust, transactions, disputes): agents with chosen actions and
 * limits, transaction calls, the contract's trust model computed independently of the mock,
 * and a lock that keeps clock-moving tests apart from tests that read time-dependent values. */
#ifndef CONFORMANCE_TRUST_TX_H
#define CONFORMANCE_TRUST_TX_H

#include "harness.h"

/* ---- agents and transactions ------------------------------------------------------------- */

/* Registers an agent named tname(t, base) with actions (a JSON array text, e.g.
 * "[\"pay\"]") and spending_limit (JSON number text).  Returns its id (static rotating). */
const char *tx_agent(struct tenant *t, const char *base, const char *actions, const char *limit);
/* Two agents allowed "pay" up to 1000: *a initiates, *b receives. */
void tx_pair(struct tenant *t, const char **a, const char **b);

/* A POST /transactions body: amount is JSON number text; extra ("" or ", \"notes\": ...") is
 * appended inside the object.  Static rotating buffer. */
const char *tx_body(const char *from, const char *to, const char *amount, const char *action,
                    const char *extra);
/* POST /transactions with the write key. */
void tx_post(struct tenant *t, const char *body, struct http_resp *out);
/* A completed transaction (asserts 201); caller deletes. */
cJSON *tx_ok(struct tenant *t, const char *from, const char *to, const char *amount,
             const char *action);
/* A refused one: asserts 403 with that code and a transaction_id; returns the id (static). */
const char *tx_refused(struct tenant *t, const char *from, const char *to, const char *amount,
                       const char *action, const char *code);
/* POST /transactions/{id}/reverse; asserts 200 and returns the reversal record. */
cJSON *tx_reverse(struct tenant *t, const char *id, const char *body);
/* GET with the read key; asserts 200 and returns the body. */
cJSON *get_ok(struct tenant *t, const char *path);
/* "total" of GET /transactions?<query>. */
int tx_total(struct tenant *t, const char *query);
/* A query prefix for counts meant as "the whole organization": "" on the mock, where each test
 * has an org of its own, and "agent_id=<id>&" on a live target, whose org is shared; the test
 * makes every transaction it counts involve that agent.  Static rotating buffer. */
const char *org_scope(const struct tenant *t, const char *agent_id);
/* Asserts the Transaction object has every field of §5 with the right types. */
#define expect_tx_shape(tx) expect_tx_shape_at(__FILE__, __LINE__, (tx))
void expect_tx_shape_at(const char *file, int line, const cJSON *tx);
/* Asserts the TrustProfile shape of §4. */
#define expect_profile_shape(p) expect_profile_shape_at(__FILE__, __LINE__, (p))
void expect_profile_shape_at(const char *file, int line, const cJSON *p);

/* Number of entries in the agent's audit chain. */
int audit_length(struct tenant *t, const char *agent_id);
/* POST /trust/report; asserts 201 and returns the dispute. */
cJSON *dispute_file(struct tenant *t, const char *body);
/* POST /_mock/orgs/{org}/disputes/{id}/resolve {"outcome"}; asserts status (200, or the 409
 * conflict / 422 validation_error it answers). */
void dispute_resolve(const struct tenant *t, const char *dispute_id, const char *outcome,
                     long status);

/* ---- the contract's trust model (§4), for expected values ---------------------------------- */

struct model_inputs {
    int completed, failed, reversed; /* transfers the agent initiated */
    int completed_as_counterparty;
    int disputes; /* pending or upheld */
    int tenure_days;
    bool verified;
};
int model_score(const struct model_inputs *in);
/* Whether t's org is operator-verified; skips the test when a live target did not say
 * (ALSORN_OPERATOR_VERIFIED). */
bool org_verified(const struct tenant *t);
const char *model_assessment(int score);
/* Asserts GET /trust/{id} shows what the model says for these inputs, components included. */
#define expect_trust(t, id, in) expect_trust_at(__FILE__, __LINE__, (t), (id), (in))
void expect_trust_at(const char *file, int line, struct tenant *t, const char *id,
                     const struct model_inputs *in);

/* ---- the shared virtual clock -------------------------------------------------------------- */

/* The mock's clock is one for the whole server, and tests run in parallel.  A test whose
 * expectations depend on time not jumping (scores with tenure, history windows, trend) holds
 * the clock shared; a test that moves the clock holds it exclusively.  Held until the test's
 * process ends (Criterion runs each test in its own process).  No-ops on a live target. */
void clock_hold_shared(void);
void clock_hold_exclusive(void);
/* POST /_mock/clock {"advance_seconds": n}; requires the exclusive hold. */
void clock_advance_by(long long seconds);

#endif
