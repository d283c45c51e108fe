/* Trust scores kept up to date as events happen (alsorn.md §4): evaluation and its history,
 * trend, the decision on a prospective transaction, and the TrustProfile rendering.  The
 * arithmetic is the trust model's (alsorn/trust_model.h); this file applies it to stored
 * agents.  Callers hold the agent's tenant lock. */
#ifndef ALSORN_TRUST_H
#define ALSORN_TRUST_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "alsorn/trust_model.h"
#include "store/agent.h"
#include "store/tenant.h"

/* Reasons recorded in history snapshots and trust.score_changed. */
#define TRUST_REASON_REGISTERED    "Agent registered"
#define TRUST_REASON_COMPLETED     "Transaction completed"
#define TRUST_REASON_FAILED        "Transaction failed"
#define TRUST_REASON_REVERSED      "Transaction reversed"
#define TRUST_REASON_DISPUTE_FILED "Dispute filed against agent"
#define TRUST_REASON_UPHELD        "Dispute upheld against agent"
#define TRUST_REASON_IN_FAVOR      "Dispute resolved in favor"
#define TRUST_REASON_EVALUATION    "Evaluation requested"
#define TRUST_REASON_VERIFICATION  "Operator verification changed" /* PATCH /_mock/orgs/{id} */
/* The static reason equal to text (history snapshots keep pointers to these), or NULL. */
const char *trust_reason_static(const char *text);

/* A new agent's first evaluation (the model's new-agent score) and first snapshot. */
void trust_init(struct agent *a, const struct tenant *t, int64_t now);

/* Re-evaluates a from its counters, its tenure now and t's verification.  When the score
 * changed it appends a history snapshot with `reason`, and when the change is notable it
 * emits trust.score_changed. */
void trust_evaluate(struct tenant *t, struct agent *a, int64_t now, const char *reason);

/* The model's view of a's last evaluation. */
void trust_current(const struct agent *a, struct trust_score *out);
const char *trust_trend(const struct agent *a, int64_t now);

/* TrustProfile: agent_id, agent_name, score, assessment, components, total_tasks, disputes,
 * tenure_days, operator_verified, last_evaluated, trend. */
cJSON *trust_profile_json(const struct agent *a, int64_t now);
/* {score, assessment, reason, created_at} */
cJSON *trust_snapshot_json(const struct trust_snapshot *s);

/* The checks of a transaction that depend on the initiator alone, in the contract's order. */
enum trust_check {
    TRUST_ALLOWED,
    TRUST_AGENT_NOT_ACTIVE,
    TRUST_ACTION_NOT_AUTHORIZED,
    TRUST_SPENDING_LIMIT_EXCEEDED,
    TRUST_INSUFFICIENT,
};
extern const char *const trust_check_codes[];       /* wire codes, "agent_not_active", ... */
extern const char *const trust_check_codes_upper[]; /* "AGENT_NOT_ACTIVE", ... */

struct trust_decision {
    enum trust_check check; /* the first that failed, or TRUST_ALLOWED */
    int required_score;
    char reason[256]; /* a sentence: "Trust score meets threshold" when allowed */
};
/* Decides whether a may initiate `action` for `amount` (minor units, a's currency). */
void trust_decide(const struct agent *a, const char *action, int64_t amount,
                  struct trust_decision *out);
/* {allowed, reason, required_score} */
cJSON *trust_decision_json(const struct trust_decision *d);

#endif
