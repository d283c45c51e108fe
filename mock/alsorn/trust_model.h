/* The Alsorn trust model (alsorn.md §4) as pure functions of a model and an agent's inputs.
 *
 * The model's numbers (weights, tenure buckets, assessment labels, thresholds, required
 * scores) come from fixtures/trust-model.json, loaded once at start, so a user can change the
 * scoring without recompiling; trust_model_default() is the contract's model, used when the
 * fixtures directory has no trust-model.json.  Nothing here touches the store or the clock:
 * the same inputs always give the same score, which is what the unit tests pin down. */
#ifndef TRUST_MODEL_H
#define TRUST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define TRUST_MAX_BUCKETS      16
#define TRUST_MAX_LABELS       8
#define TRUST_MAX_ACTION_RULES 64
#define TRUST_LABEL_SIZE       32
#define TRUST_ACTION_SIZE      65 /* action names are at most 64 characters */

struct trust_bucket {
    int min_days; /* whole days since registration */
    int score;
};

struct trust_label {
    int min_score;
    char label[TRUST_LABEL_SIZE];
};

struct trust_action_rule {
    char action[TRUST_ACTION_SIZE];
    int score;
};

struct trust_model {
    int new_agent_score; /* the score while total_tasks = 0 */
    /* completion score = round(completion_weight × completion_rate) */
    int completion_weight;
    /* dispute score = clamp(round(dispute_offset − dispute_factor × dispute_rate), 0, dispute_weight) */
    int dispute_weight, dispute_offset, dispute_factor;
    /* tenure score: the last bucket whose min_days ≤ tenure (buckets ascending, first at 0) */
    int tenure_weight;
    struct trust_bucket tenure[TRUST_MAX_BUCKETS];
    int n_tenure;
    int verified_weight; /* the score of an operator-verified organization's agents */
    /* assessment: the first label whose min_score ≤ score (labels descending, last at 0) */
    struct trust_label labels[TRUST_MAX_LABELS];
    int n_labels;
    int trend_days, trend_threshold; /* trend compares with the score trend_days ago */
    int notify_min_delta;            /* trust.score_changed fires from this |Δ| on */
    /* required score of a transaction: the action's rule, else required_default; raised to
     * large_score when the amount is above large_percent % of the spending limit */
    int required_default;
    struct trust_action_rule actions[TRUST_MAX_ACTION_RULES];
    int n_actions;
    bool has_large;
    int large_percent, large_score;
};

/* What the model reads about one agent. */
struct trust_inputs {
    long completed, failed, reversed; /* transfers the agent initiated, by status */
    long completed_as_counterparty;
    long disputes; /* pending or upheld */
    int tenure_days;
    bool operator_verified;
};

/* The model's answer: the score and each component, as TrustProfile shows them. */
struct trust_score {
    int score;
    const char *assessment; /* a label of the model (lives as long as the model) */
    long total_tasks;
    double completion_rate, dispute_rate; /* for display; scores use exact integer ratios */
    int completion_score, dispute_score, tenure_score, verified_score;
};

/* The contract's model (§4). */
const struct trust_model *trust_model_default(void);
/* Parses a trust-model.json document.  Returns 0, or -1 with the reason (naming the member)
 * in err. */
int trust_model_parse(const cJSON *json, struct trust_model *out, char *err, size_t err_size);
/* Loads dir/trust-model.json.  Returns 1 when loaded, 0 when the file does not exist (out is
 * left alone), -1 with the reason in err when it is unreadable or invalid. */
int trust_model_load_file(const char *dir, struct trust_model *out, char *err, size_t err_size);

/* The model the server scores with: the default until trust_model_use() installs another
 * (once, at start, before any request). */
const struct trust_model *trust_model_active(void);
void trust_model_use(const struct trust_model *model);

void trust_model_score(const struct trust_model *m, const struct trust_inputs *in,
                       struct trust_score *out);
const char *trust_model_assessment(const struct trust_model *m, int score);
int trust_model_tenure_score(const struct trust_model *m, int tenure_days);
/* "improving", "declining" or "stable" for score now minus score trend_days ago. */
const char *trust_model_trend(const struct trust_model *m, int delta);
/* Whether a change deserves trust.score_changed: |Δ| ≥ notify_min_delta or a new assessment. */
bool trust_model_change_is_notable(const struct trust_model *m, int previous_score, int score,
                                   const char *previous_assessment, const char *assessment);
/* The score an agent needs to initiate this transaction (amount and limit in minor units). */
int trust_model_required_score(const struct trust_model *m, const char *action, int64_t amount,
                               int64_t spending_limit);

#endif
