#include "alsorn/trust.h"
#include "core/json_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/events.h"
#include "core/log.h"
#include "core/validate.h"

const char *const trust_check_codes[] = {
    NULL, "agent_not_active", "action_not_authorized", "spending_limit_exceeded",
    "insufficient_trust",
};
const char *const trust_check_codes_upper[] = {
    NULL, "AGENT_NOT_ACTIVE", "ACTION_NOT_AUTHORIZED", "SPENDING_LIMIT_EXCEEDED",
    "INSUFFICIENT_TRUST",
};

const char *trust_reason_static(const char *text) {
    static const char *const reasons[] = {
        TRUST_REASON_REGISTERED, TRUST_REASON_COMPLETED, TRUST_REASON_FAILED,
        TRUST_REASON_REVERSED,   TRUST_REASON_DISPUTE_FILED, TRUST_REASON_UPHELD,
        TRUST_REASON_IN_FAVOR,   TRUST_REASON_EVALUATION,    TRUST_REASON_VERIFICATION,
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i], text) == 0) return reasons[i];
    return NULL;
}

static struct trust_inputs inputs_of(const struct trust_record *tr) {
    return (struct trust_inputs){
        .completed = tr->completed,
        .failed = tr->failed,
        .reversed = tr->reversed,
        .completed_as_counterparty = tr->completed_as_counterparty,
        .disputes = tr->disputes_pending + tr->disputes_upheld,
        .tenure_days = tr->tenure_days,
        .operator_verified = tr->operator_verified,
    };
}

void trust_current(const struct agent *a, struct trust_score *out) {
    struct trust_inputs in = inputs_of(&a->trust);
    trust_model_score(trust_model_active(), &in, out);
}

static void add_snapshot(struct agent *a, int64_t now, const char *reason) {
    struct trust_record *tr = &a->trust;
    if (tr->n_history == tr->cap_history) {
        size_t cap = tr->cap_history ? tr->cap_history * 2 : 4;
        struct trust_snapshot *h = realloc(tr->history, cap * sizeof *h);
        if (!h) {
            log_error("trust history of %s not recorded (out of memory)", a->id);
            return;
        }
        tr->history = h;
        tr->cap_history = cap;
    }
    tr->history[tr->n_history++] = (struct trust_snapshot){now, tr->score, reason};
}

/* Rates for display, to 4 decimals (2/3 reads 0.6667): the score used exact ratios. */
static double display_rate(double rate) { return round(rate * 10000.0) / 10000.0; }

/* Copies the evaluation into the record the Agent object shows. */
static void store_evaluation(struct trust_record *tr, const struct trust_score *s, int64_t now) {
    tr->score = s->score;
    tr->total_tasks = (int)s->total_tasks;
    tr->disputes = tr->disputes_pending + tr->disputes_upheld;
    tr->completion_rate = display_rate(s->completion_rate);
    tr->last_evaluated = now;
}

void trust_init(struct agent *a, const struct tenant *t, int64_t now) {
    struct trust_record *tr = &a->trust;
    tr->tenure_days = agent_tenure_days(a, now);
    tr->operator_verified = t->operator_verified;
    struct trust_score s;
    trust_current(a, &s);
    store_evaluation(tr, &s, now);
    add_snapshot(a, now, TRUST_REASON_REGISTERED);
}

void trust_evaluate(struct tenant *t, struct agent *a, int64_t now, const char *reason) {
    const struct trust_model *m = trust_model_active();
    struct trust_record *tr = &a->trust;
    int previous = tr->score;
    tr->tenure_days = agent_tenure_days(a, now);
    tr->operator_verified = t->operator_verified;
    struct trust_score s;
    trust_current(a, &s);
    store_evaluation(tr, &s, now);
    if (s.score == previous) return;
    add_snapshot(a, now, reason);
    const char *previous_assessment = trust_model_assessment(m, previous);
    if (!trust_model_change_is_notable(m, previous, s.score, previous_assessment, s.assessment) ||
        !events_wanted(t, "trust.score_changed"))
        return;
    cJSON *data = cJSON_CreateObject();
    json_add_string(data, "agent_id", a->id);
    cJSON_AddNumberToObject(data, "previous_score", previous);
    cJSON_AddNumberToObject(data, "score", s.score);
    json_add_string(data, "previous_assessment", previous_assessment);
    json_add_string(data, "assessment", s.assessment);
    json_add_string(data, "reason", reason);
    events_emit(t, "trust.score_changed", data, now);
}

const char *trust_trend(const struct agent *a, int64_t now) {
    const struct trust_model *m = trust_model_active();
    const struct trust_record *tr = &a->trust;
    int64_t then = now - (int64_t)m->trend_days * 86400;
    /* the score in effect trend_days ago: the newest snapshot made by then; an agent younger
     * than that is compared with its first score */
    int earlier = tr->n_history ? tr->history[0].score : tr->score;
    for (size_t i = tr->n_history; i-- > 0;) {
        if (tr->history[i].created_at <= then) {
            earlier = tr->history[i].score;
            break;
        }
    }
    return trust_model_trend(m, tr->score - earlier);
}

static cJSON *component(cJSON *components, const char *name, int weight, int score) {
    cJSON *c = cJSON_AddObjectToObject(components, name);
    json_add_number(c, "weight", weight);
    json_add_number(c, "score", score);
    return c;
}

cJSON *trust_profile_json(const struct agent *a, int64_t now) {
    const struct trust_model *m = trust_model_active();
    const struct trust_record *tr = &a->trust;
    struct trust_score s;
    trust_current(a, &s);
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "agent_id", a->id);
    json_add_string(o, "agent_name", a->name);
    json_add_number(o, "score", s.score);
    json_add_string(o, "assessment", s.assessment);
    cJSON *components = cJSON_AddObjectToObject(o, "components");
    json_add_number(component(components, "completion_rate", m->completion_weight,
                                      s.completion_score),
                            "value", display_rate(s.completion_rate));
    json_add_number(
        component(components, "dispute_rate", m->dispute_weight, s.dispute_score), "value",
        display_rate(s.dispute_rate));
    json_add_number(component(components, "tenure", m->tenure_weight, s.tenure_score),
                            "value", tr->tenure_days);
    cJSON_AddBoolToObject(component(components, "operator_verified", m->verified_weight,
                                    s.verified_score),
                          "value", tr->operator_verified);
    json_add_number(o, "total_tasks", (double)s.total_tasks);
    json_add_number(o, "disputes", tr->disputes_pending + tr->disputes_upheld);
    json_add_number(o, "tenure_days", tr->tenure_days);
    json_add_bool(o, "operator_verified", tr->operator_verified);
    json_add_time(o, "last_evaluated", tr->last_evaluated);
    json_add_string(o, "trend", trust_trend(a, now));
    return o;
}

cJSON *trust_snapshot_json(const struct trust_snapshot *s) {
    cJSON *o = cJSON_CreateObject();
    json_add_number(o, "score", s->score);
    json_add_string(o, "assessment", trust_model_assessment(trust_model_active(), s->score));
    json_add_string(o, "reason", s->reason);
    json_add_time(o, "created_at", s->created_at);
    return o;
}

static bool authorized(const struct agent *a, const char *action) {
    for (size_t i = 0; i < a->n_actions; i++)
        if (strcmp(a->actions[i], action) == 0) return true;
    return false;
}

void trust_decide(const struct agent *a, const char *action, int64_t amount,
                  struct trust_decision *out) {
    out->required_score =
        trust_model_required_score(trust_model_active(), action, amount, a->spending_limit);
    if (a->status != AGENT_ACTIVE) {
        out->check = TRUST_AGENT_NOT_ACTIVE;
        snprintf(out->reason, sizeof out->reason, "Agent %s is %s, not active", a->id,
                 agent_status_names[a->status]);
    } else if (!authorized(a, action)) {
        out->check = TRUST_ACTION_NOT_AUTHORIZED;
        snprintf(out->reason, sizeof out->reason,
                 "Action '%.64s' is not among the agent's authorized_actions", action);
    } else if (amount > a->spending_limit) {
        out->check = TRUST_SPENDING_LIMIT_EXCEEDED;
        char amount_text[32], limit_text[32];
        money_format(amount, amount_text);
        money_format(a->spending_limit, limit_text);
        snprintf(out->reason, sizeof out->reason,
                 "Amount %s %s exceeds the agent's spending limit of %s %s", amount_text,
                 a->currency, limit_text, a->currency);
    } else if (a->trust.score < out->required_score) {
        out->check = TRUST_INSUFFICIENT;
        snprintf(out->reason, sizeof out->reason,
                 "Trust score %d is below the required score of %d", a->trust.score,
                 out->required_score);
    } else {
        out->check = TRUST_ALLOWED;
        snprintf(out->reason, sizeof out->reason, "Trust score meets threshold");
    }
}

cJSON *trust_decision_json(const struct trust_decision *d) {
    cJSON *o = cJSON_CreateObject();
    json_add_bool(o, "allowed", d->check == TRUST_ALLOWED);
    json_add_string(o, "reason", d->reason);
    json_add_number(o, "required_score", d->required_score);
    return o;
}
