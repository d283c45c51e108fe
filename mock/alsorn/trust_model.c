#include "alsorn/trust_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/text_copy.h"

static const struct trust_model contract_model = {
    .new_agent_score = 500,
    .completion_weight = 400,
    .dispute_weight = 300,
    .dispute_offset = 305,
    .dispute_factor = 1000,
    .tenure_weight = 150,
    .tenure = {{0, 0}, {7, 20}, {30, 40}, {60, 60}, {90, 80}, {180, 100}, {365, 150}},
    .n_tenure = 7,
    .verified_weight = 150,
    .labels = {{900, "Verified"}, {700, "Trusted"}, {400, "Caution"}, {0, "High Risk"}},
    .n_labels = 4,
    .trend_days = 7,
    .trend_threshold = 10,
    .notify_min_delta = 10,
    .required_default = 400,
};

static struct trust_model active_model;
static bool active_installed;

const struct trust_model *trust_model_default(void) { return &contract_model; }

const struct trust_model *trust_model_active(void) {
    return active_installed ? &active_model : &contract_model;
}

void trust_model_use(const struct trust_model *model) {
    active_model = *model;
    active_installed = true;
}

/* ---- scoring ------------------------------------------------------------------------------- */

/* num / den rounded half away from zero, as round() does, but exactly: 400 × 0.98 in doubles
 * is 391.99999999999994, and round() of that would be wrong by one point. den > 0. */
static int64_t round_ratio(int64_t num, int64_t den) {
    return num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

int trust_model_tenure_score(const struct trust_model *m, int tenure_days) {
    int score = 0;
    for (int i = 0; i < m->n_tenure && m->tenure[i].min_days <= tenure_days; i++)
        score = m->tenure[i].score;
    return score;
}

const char *trust_model_assessment(const struct trust_model *m, int score) {
    for (int i = 0; i < m->n_labels; i++)
        if (score >= m->labels[i].min_score) return m->labels[i].label;
    return m->labels[m->n_labels - 1].label;
}

void trust_model_score(const struct trust_model *m, const struct trust_inputs *in,
                       struct trust_score *out) {
    int64_t total = in->completed + in->failed + in->reversed + in->completed_as_counterparty;
    int64_t completed = in->completed + in->completed_as_counterparty;
    int64_t rate_den = total > 0 ? total : 1; /* dispute_rate = disputes / max(total_tasks, 1) */
    memset(out, 0, sizeof *out);
    out->total_tasks = (long)total;
    out->completion_rate = total > 0 ? (double)completed / (double)total : 0;
    out->dispute_rate = (double)in->disputes / (double)rate_den;
    out->completion_score =
        total > 0 ? (int)round_ratio((int64_t)m->completion_weight * completed, total) : 0;
    int64_t dispute = round_ratio((int64_t)m->dispute_offset * rate_den -
                                      (int64_t)m->dispute_factor * in->disputes,
                                  rate_den);
    out->dispute_score = (int)clamp(dispute, 0, m->dispute_weight);
    out->tenure_score = trust_model_tenure_score(m, in->tenure_days);
    out->verified_score = in->operator_verified ? m->verified_weight : 0;
    out->score = total == 0 ? m->new_agent_score
                            : out->completion_score + out->dispute_score + out->tenure_score +
                                  out->verified_score;
    out->assessment = trust_model_assessment(m, out->score);
}

const char *trust_model_trend(const struct trust_model *m, int delta) {
    if (delta >= m->trend_threshold) return "improving";
    if (delta <= -m->trend_threshold) return "declining";
    return "stable";
}

bool trust_model_change_is_notable(const struct trust_model *m, int previous_score, int score,
                                   const char *previous_assessment, const char *assessment) {
    return abs(score - previous_score) >= m->notify_min_delta ||
           strcmp(previous_assessment, assessment) != 0;
}

int trust_model_required_score(const struct trust_model *m, const char *action, int64_t amount,
                               int64_t spending_limit) {
    int required = m->required_default;
    for (int i = 0; i < m->n_actions; i++)
        if (strcmp(m->actions[i].action, action) == 0) required = m->actions[i].score;
    /* amount > percent% of the limit, in integers: amount × 100 > percent × limit */
    if (m->has_large && amount * 100 > (int64_t)m->large_percent * spending_limit &&
        m->large_score > required)
        required = m->large_score;
    return required;
}

/* ---- loading ------------------------------------------------------------------------------- */

struct parse {
    char *err;
    size_t err_size;
    bool failed;
};

static void fail(struct parse *p, const char *fmt, const char *path) {
    if (p->failed) return;
    p->failed = true;
    snprintf(p->err, p->err_size, fmt, path);
}

static const cJSON *object_at(struct parse *p, const cJSON *o, const char *name) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsObject(it)) fail(p, "trust model: \"%s\" must be an object", name);
    return it;
}

/* An integer member in [min, max]. */
static int int_at(struct parse *p, const cJSON *o, const char *name, int min, int max) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!(v >= min && v <= max && v == floor(v))) {
        char msg[128];
        snprintf(msg, sizeof msg, "trust model: \"%%s\" must be an integer from %d to %d", min, max);
        fail(p, msg, name);
        return 0;
    }
    return (int)v;
}

static void parse_components(struct parse *p, const cJSON *c, struct trust_model *m) {
    const cJSON *completion = object_at(p, c, "completion_rate");
    const cJSON *dispute = object_at(p, c, "dispute_rate");
    const cJSON *tenure = object_at(p, c, "tenure");
    const cJSON *verified = object_at(p, c, "operator_verified");
    if (p->failed) return;
    m->completion_weight = int_at(p, completion, "weight", 0, 1000000);
    m->dispute_weight = int_at(p, dispute, "weight", 0, 1000000);
    m->dispute_offset = int_at(p, dispute, "offset", -1000000, 1000000);
    m->dispute_factor = int_at(p, dispute, "factor", 0, 1000000);
    m->tenure_weight = int_at(p, tenure, "weight", 0, 1000000);
    m->verified_weight = int_at(p, verified, "weight", 0, 1000000);
    const cJSON *buckets = cJSON_GetObjectItemCaseSensitive(tenure, "buckets");
    int n = cJSON_IsArray(buckets) ? cJSON_GetArraySize(buckets) : 0;
    if (n < 1 || n > TRUST_MAX_BUCKETS)
        return fail(p, "trust model: \"%s\" must be an array of 1 to 16 {min_days, score}",
                    "tenure.buckets");
    m->n_tenure = 0;
    for (const cJSON *b = buckets->child; b && !p->failed; b = b->next) {
        struct trust_bucket *out = &m->tenure[m->n_tenure];
        out->min_days = int_at(p, b, "min_days", 0, 1000000);
        out->score = int_at(p, b, "score", 0, 1000000);
        if (m->n_tenure == 0 ? out->min_days != 0 : out->min_days <= out[-1].min_days)
            fail(p, "trust model: \"%s\" must start at min_days 0 and ascend", "tenure.buckets");
        m->n_tenure++;
    }
}

static void parse_labels(struct parse *p, const cJSON *labels, struct trust_model *m) {
    int n = cJSON_IsArray(labels) ? cJSON_GetArraySize(labels) : 0;
    if (n < 1 || n > TRUST_MAX_LABELS)
        return fail(p, "trust model: \"%s\" must be an array of 1 to 8 {min_score, label}",
                    "assessments");
    m->n_labels = 0;
    for (const cJSON *l = labels->child; l && !p->failed; l = l->next) {
        struct trust_label *out = &m->labels[m->n_labels];
        out->min_score = int_at(p, l, "min_score", 0, 1000000);
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(l, "label");
        if (!cJSON_IsString(label) || !label->valuestring[0] ||
            strlen(label->valuestring) >= TRUST_LABEL_SIZE)
            return fail(p, "trust model: \"%s\" needs labels of 1 to 31 bytes", "assessments");
        text_copy(out->label, sizeof out->label, label->valuestring);
        if (m->n_labels > 0 && out->min_score >= out[-1].min_score)
            fail(p, "trust model: \"%s\" must descend by min_score", "assessments");
        m->n_labels++;
    }
    if (!p->failed && m->labels[m->n_labels - 1].min_score != 0)
        fail(p, "trust model: the last of \"%s\" must have min_score 0", "assessments");
}

static void parse_required(struct parse *p, const cJSON *req, struct trust_model *m) {
    m->required_default = int_at(p, req, "default", 0, 1000000);
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(req, "actions");
    m->n_actions = 0;
    if (actions && !cJSON_IsNull(actions)) {
        if (!cJSON_IsObject(actions) || cJSON_GetArraySize(actions) > TRUST_MAX_ACTION_RULES)
            return fail(p, "trust model: \"%s\" must be an object of up to 64 action: score",
                        "required_score.actions");
        for (const cJSON *a = actions->child; a && !p->failed; a = a->next) {
            if (strlen(a->string) >= TRUST_ACTION_SIZE)
                return fail(p, "trust model: \"%s\" names an action longer than 64",
                            "required_score.actions");
            struct trust_action_rule *out = &m->actions[m->n_actions++];
            text_copy(out->action, sizeof out->action, a->string);
            out->score = int_at(p, actions, a->string, 0, 1000000);
        }
    }
    const cJSON *large = cJSON_GetObjectItemCaseSensitive(req, "large_amount");
    m->has_large = large && !cJSON_IsNull(large);
    if (m->has_large) {
        if (!cJSON_IsObject(large))
            return fail(p, "trust model: \"%s\" must be null or {above_percent_of_limit, score}",
                        "required_score.large_amount");
        m->large_percent = int_at(p, large, "above_percent_of_limit", 0, 100);
        m->large_score = int_at(p, large, "score", 0, 1000000);
    }
}

int trust_model_parse(const cJSON *json, struct trust_model *out, char *err, size_t err_size) {
    struct parse p = {.err = err, .err_size = err_size};
    struct trust_model m;
    memset(&m, 0, sizeof m); /* padding too: tests compare models with memcmp */
    if (!cJSON_IsObject(json)) {
        snprintf(err, err_size, "trust model: the document must be a JSON object");
        return -1;
    }
    m.new_agent_score = int_at(&p, json, "new_agent_score", 0, 1000000);
    const cJSON *components = object_at(&p, json, "components");
    if (!p.failed) parse_components(&p, components, &m);
    if (!p.failed) parse_labels(&p, cJSON_GetObjectItemCaseSensitive(json, "assessments"), &m);
    const cJSON *trend = object_at(&p, json, "trend");
    if (!p.failed) {
        m.trend_days = int_at(&p, trend, "days", 1, 3650);
        m.trend_threshold = int_at(&p, trend, "threshold", 1, 1000000);
    }
    const cJSON *changed = object_at(&p, json, "score_changed");
    if (!p.failed) m.notify_min_delta = int_at(&p, changed, "min_delta", 1, 1000000);
    const cJSON *required = object_at(&p, json, "required_score");
    if (!p.failed) parse_required(&p, required, &m);
    if (p.failed) return -1;
    *out = m;
    return 0;
}

int trust_model_load_file(const char *dir, struct trust_model *out, char *err, size_t err_size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/trust-model.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT) return 0; /* no model in this fixtures directory: keep out */
    if (f) fclose(f);
    cJSON *json = file_read_json(path, err, err_size);
    if (!json) return -1;
    char why[256];
    int rc = trust_model_parse(json, out, why, sizeof why);
    cJSON_Delete(json);
    if (rc != 0) {
        snprintf(err, err_size, "%s: %s", path, why);
        return -1;
    }
    return 1;
}
