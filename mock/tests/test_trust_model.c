/* The trust model of alsorn.md §4, loaded from fixtures/trust-model.json as the server does. */
#include <criterion/criterion.h>
#include <string.h>

#include "alsorn/trust_model.h"
#include "core/files.h"

static struct trust_model fixture_model;

static void load_fixture(void) {
    char err[512];
    int rc = trust_model_load_file(FIXTURES_DIR, &fixture_model, err, sizeof err);
    cr_assert_eq(rc, 1, "fixtures/trust-model.json: %s", rc < 0 ? err : "missing");
}

TestSuite(trust_model, .init = load_fixture);

static struct trust_score score_of(long completed, long failed, long reversed, long as_counterparty,
                                   long disputes, int tenure_days, bool verified) {
    struct trust_inputs in = {completed, failed, reversed, as_counterparty, disputes, tenure_days,
                              verified};
    struct trust_score s;
    trust_model_score(&fixture_model, &in, &s);
    return s;
}

Test(trust_model, first_published_example_is_887_trusted) {
    /* 0.98 completion of 150 tasks, 3 disputed, 72 days, operator verified */
    struct trust_score s = score_of(147, 3, 0, 0, 3, 72, true);
    cr_assert_eq(s.total_tasks, 150);
    cr_assert_eq(s.completion_score, 392);
    cr_assert_eq(s.dispute_score, 285);
    cr_assert_eq(s.tenure_score, 60);
    cr_assert_eq(s.verified_score, 150);
    cr_assert_eq(s.score, 887);
    cr_assert_str_eq(s.assessment, "Trusted");
    cr_assert_float_eq(s.completion_rate, 0.98, 1e-12);
    cr_assert_float_eq(s.dispute_rate, 0.02, 1e-12);
}

Test(trust_model, second_published_example_is_645_caution) {
    /* 0.80 completion of 50 tasks, 4 disputed, 180 days, not verified */
    struct trust_score s = score_of(40, 6, 4, 0, 4, 180, false);
    cr_assert_eq(s.completion_score, 320);
    cr_assert_eq(s.dispute_score, 225);
    cr_assert_eq(s.tenure_score, 100);
    cr_assert_eq(s.verified_score, 0);
    cr_assert_eq(s.score, 645);
    cr_assert_str_eq(s.assessment, "Caution");
}

Test(trust_model, examples_hold_whichever_side_completed_the_tasks) {
    /* completions as counterparty count like initiated ones */
    cr_assert_eq(score_of(47, 3, 0, 100, 3, 72, true).score, 887);
    cr_assert_eq(score_of(0, 10, 0, 40, 4, 180, false).score, 645);
}

Test(trust_model, new_agent_scores_500_until_its_first_task) {
    struct trust_score s = score_of(0, 0, 0, 0, 0, 0, false);
    cr_assert_eq(s.score, 500);
    cr_assert_str_eq(s.assessment, "Caution");
    cr_assert_eq(s.total_tasks, 0);
    /* 500 whatever the tenure, verification or disputes */
    cr_assert_eq(score_of(0, 0, 0, 0, 2, 400, true).score, 500);
    /* the components are still the formula's */
    cr_assert_eq(s.completion_score, 0);
    cr_assert_eq(s.dispute_score, 300);
}

Test(trust_model, first_task_moves_the_score) {
    cr_assert_eq(score_of(1, 0, 0, 0, 0, 0, false).score, 700); /* 400 + 300 */
    cr_assert_eq(score_of(0, 1, 0, 0, 0, 0, false).score, 300); /* 0 + 300 */
    cr_assert_eq(score_of(0, 0, 1, 0, 0, 0, true).score, 450);  /* 0 + 300 + 150 */
    cr_assert_str_eq(score_of(0, 1, 0, 0, 0, 0, false).assessment, "High Risk");
}

Test(trust_model, completion_rounds_exactly) {
    cr_assert_eq(score_of(49, 1, 0, 0, 0, 0, false).completion_score, 392); /* 400 × 0.98 */
    cr_assert_eq(score_of(1, 2, 0, 0, 0, 0, false).completion_score, 133); /* 133.33 */
    cr_assert_eq(score_of(2, 1, 0, 0, 0, 0, false).completion_score, 267); /* 266.67 */
    cr_assert_eq(score_of(1, 799, 0, 0, 0, 0, false).completion_score, 1); /* 0.5 rounds up */
    cr_assert_eq(score_of(1, 800, 0, 0, 0, 0, false).completion_score, 0); /* 0.4994 */
}

Test(trust_model, dispute_score_is_clamped_to_0_and_300) {
    cr_assert_eq(score_of(10, 0, 0, 0, 0, 0, false).dispute_score, 300); /* 305 → 300 */
    cr_assert_eq(score_of(200, 0, 0, 0, 1, 0, false).dispute_score, 300); /* 300 */
    cr_assert_eq(score_of(100, 0, 0, 0, 1, 0, false).dispute_score, 295);
    cr_assert_eq(score_of(10, 0, 0, 0, 3, 0, false).dispute_score, 5);   /* 305 − 300 */
    cr_assert_eq(score_of(10, 0, 0, 0, 4, 0, false).dispute_score, 0);   /* −95 → 0 */
    cr_assert_eq(score_of(1, 0, 0, 0, 50, 0, false).dispute_score, 0);   /* rate above 1 */
    /* 305 − 1000 × 1/2000 = 304.5 → 305 → clamped 300; 1/600 → 303.33 → 300 */
    cr_assert_eq(score_of(2000, 0, 0, 0, 1, 0, false).dispute_score, 300);
    cr_assert_eq(score_of(7, 0, 0, 0, 1, 0, false).dispute_score, 162); /* 305 − 142.86 */
}

Test(trust_model, tenure_buckets_at_every_boundary) {
    static const int days[] = {0, 6, 7, 29, 30, 59, 60, 89, 90, 179, 180, 364, 365, 5000};
    static const int want[] = {0, 0, 20, 20, 40, 40, 60, 60, 80, 80, 100, 100, 150, 150};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        cr_assert_eq(trust_model_tenure_score(&fixture_model, days[i]), want[i], "day %d", days[i]);
}

Test(trust_model, assessment_boundaries) {
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 1000), "Verified");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 900), "Verified");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 899), "Trusted");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 700), "Trusted");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 699), "Caution");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 400), "Caution");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 399), "High Risk");
    cr_assert_str_eq(trust_model_assessment(&fixture_model, 0), "High Risk");
}

Test(trust_model, verified_needs_tenure) {
    /* perfect record, verified org: 850 without tenure, 910 from 60 days */
    cr_assert_eq(score_of(10, 0, 0, 0, 0, 59, true).score, 890);
    cr_assert_str_eq(score_of(10, 0, 0, 0, 0, 60, true).assessment, "Verified");
    cr_assert_eq(score_of(10, 0, 0, 0, 0, 365, true).score, 1000);
}

Test(trust_model, trend_thresholds) {
    cr_assert_str_eq(trust_model_trend(&fixture_model, 10), "improving");
    cr_assert_str_eq(trust_model_trend(&fixture_model, 9), "stable");
    cr_assert_str_eq(trust_model_trend(&fixture_model, 0), "stable");
    cr_assert_str_eq(trust_model_trend(&fixture_model, -9), "stable");
    cr_assert_str_eq(trust_model_trend(&fixture_model, -10), "declining");
}

Test(trust_model, notable_changes) {
    cr_assert(trust_model_change_is_notable(&fixture_model, 500, 510, "Caution", "Caution"));
    cr_assert(trust_model_change_is_notable(&fixture_model, 500, 490, "Caution", "Caution"));
    cr_assert_not(trust_model_change_is_notable(&fixture_model, 500, 509, "Caution", "Caution"));
    cr_assert(trust_model_change_is_notable(&fixture_model, 699, 700, "Caution", "Trusted"));
}

Test(trust_model, required_score_defaults_to_400) {
    cr_assert_eq(trust_model_required_score(&fixture_model, "transfer_funds", 100, 100000), 400);
    cr_assert_eq(trust_model_required_score(&fixture_model, "anything", 100000, 100000), 400);
}

Test(trust_model, fixture_is_the_contract_model) {
    const struct trust_model *d = trust_model_default();
    cr_assert_eq(memcmp(d, &fixture_model, sizeof *d), 0,
                 "fixtures/trust-model.json differs from the contract's model");
}

static int parse(const char *text, struct trust_model *m, char *err, size_t err_size) {
    cJSON *json = cJSON_Parse(text);
    cr_assert(json, "bad test JSON");
    int rc = trust_model_parse(json, m, err, err_size);
    cJSON_Delete(json);
    return rc;
}

/* The fixture with one member replaced (a JSON text of the whole member). */
static int parse_fixture_with(const char *member, const char *value, struct trust_model *m,
                              char *err, size_t err_size) {
    char errbuf[512];
    cJSON *json = file_read_json(FIXTURES_DIR "/trust-model.json", errbuf, sizeof errbuf);
    cr_assert(json, "%s", errbuf);
    cJSON *replacement = cJSON_Parse(value);
    cr_assert(replacement, "bad test JSON %s", value);
    if (cJSON_GetObjectItemCaseSensitive(json, member))
        cJSON_ReplaceItemInObjectCaseSensitive(json, member, replacement);
    else
        cJSON_AddItemToObject(json, member, replacement);
    int rc = trust_model_parse(json, m, err, err_size);
    cJSON_Delete(json);
    return rc;
}

Test(trust_model, fixture_can_raise_required_scores_per_action_and_for_large_amounts) {
    struct trust_model m;
    char err[256];
    cr_assert_eq(parse_fixture_with("required_score",
                                    "{\"default\": 400, \"actions\": {\"withdraw_funds\": 600},"
                                    " \"large_amount\": {\"above_percent_of_limit\": 80, \"score\": 650}}",
                                    &m, err, sizeof err),
                 0, "%s", err);
    cr_assert_eq(trust_model_required_score(&m, "transfer_funds", 8000, 10000), 400); /* = 80% */
    cr_assert_eq(trust_model_required_score(&m, "transfer_funds", 8001, 10000), 650); /* > 80% */
    cr_assert_eq(trust_model_required_score(&m, "withdraw_funds", 100, 10000), 600);
    cr_assert_eq(trust_model_required_score(&m, "withdraw_funds", 9000, 10000), 650);
}

Test(trust_model, a_changed_fixture_changes_the_scores) {
    struct trust_model m;
    char err[256];
    cr_assert_eq(parse_fixture_with("assessments",
                                    "[{\"min_score\": 800, \"label\": \"Good\"},"
                                    " {\"min_score\": 0, \"label\": \"Bad\"}]",
                                    &m, err, sizeof err),
                 0, "%s", err);
    cr_assert_str_eq(trust_model_assessment(&m, 887), "Good");
    cr_assert_str_eq(trust_model_assessment(&m, 799), "Bad");
    cr_assert_eq(parse_fixture_with("new_agent_score", "450", &m, err, sizeof err), 0, "%s", err);
    struct trust_inputs none = {0};
    struct trust_score s;
    trust_model_score(&m, &none, &s);
    cr_assert_eq(s.score, 450);
}

Test(trust_model, invalid_models_are_refused_with_the_member_named) {
    struct trust_model m;
    char err[256];
    cr_assert_eq(parse("[]", &m, err, sizeof err), -1);
    cr_assert_eq(parse("{}", &m, err, sizeof err), -1);
    cr_assert(strstr(err, "new_agent_score"), "%s", err);
    cr_assert_eq(parse_fixture_with("new_agent_score", "\"500\"", &m, err, sizeof err), -1);
    cr_assert(strstr(err, "new_agent_score"), "%s", err);
    cr_assert_eq(parse_fixture_with("assessments",
                                    "[{\"min_score\": 0, \"label\": \"A\"},"
                                    " {\"min_score\": 500, \"label\": \"B\"}]",
                                    &m, err, sizeof err),
                 -1);
    cr_assert(strstr(err, "assessments"), "%s", err);
    cr_assert_eq(parse_fixture_with("assessments", "[{\"min_score\": 100, \"label\": \"A\"}]", &m,
                                    err, sizeof err),
                 -1);
    cr_assert_eq(parse_fixture_with("trend", "{\"days\": 0, \"threshold\": 10}", &m, err,
                                    sizeof err),
                 -1);
    cr_assert(strstr(err, "days"), "%s", err);
    cr_assert_eq(parse_fixture_with("required_score",
                                    "{\"default\": 400, \"large_amount\": {\"score\": 600}}", &m,
                                    err, sizeof err),
                 -1);
    cr_assert(strstr(err, "above_percent_of_limit"), "%s", err);
}

Test(trust_model, tenure_buckets_must_start_at_zero_and_ascend) {
    struct trust_model m;
    char err[256];
    const char *bad_components =
        "{\"completion_rate\": {\"weight\": 400},"
        " \"dispute_rate\": {\"weight\": 300, \"offset\": 305, \"factor\": 1000},"
        " \"tenure\": {\"weight\": 150, \"buckets\": [{\"min_days\": 0, \"score\": 0},"
        " {\"min_days\": 30, \"score\": 40}, {\"min_days\": 7, \"score\": 20}]},"
        " \"operator_verified\": {\"weight\": 150}}";
    cr_assert_eq(parse_fixture_with("components", bad_components, &m, err, sizeof err), -1);
    cr_assert(strstr(err, "tenure.buckets"), "%s", err);
}

Test(trust_model, a_missing_file_keeps_the_model) {
    struct trust_model m = {.new_agent_score = 123};
    char err[256];
    cr_assert_eq(trust_model_load_file("/nonexistent-dir", &m, err, sizeof err), 0);
    cr_assert_eq(m.new_agent_score, 123);
}
