#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trust_tx.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* ---- agents and transactions ------------------------------------------------------------- */

static char *rotating_id(void) {
    static char ids[16][96];
    static int next;
    return ids[next++ % 16];
}

const char *tx_agent(struct tenant *t, const char *base, const char *actions, const char *limit) {
    cJSON *name = cJSON_CreateString(tname(t, base));
    char *name_json = cJSON_PrintUnformatted(name);
    const char *body = fmt("{\"name\": %s, \"authorized_actions\": %s, \"spending_limit\": %s}",
                           name_json, actions, limit);
    cJSON *a = agent_register(t, body);
    char *id = rotating_id();
    snprintf(id, 96, "%s", jstr(a, "id"));
    cJSON_Delete(a);
    free(name_json);
    cJSON_Delete(name);
    return id;
}

void tx_pair(struct tenant *t, const char **a, const char **b) {
    *a = tx_agent(t, "Payer", "[\"pay\", \"refund\"]", "1000");
    *b = tx_agent(t, "Payee", "[\"pay\"]", "1000");
}

const char *tx_body(const char *from, const char *to, const char *amount, const char *action,
                    const char *extra) {
    return fmt("{\"agent_id\": \"%s\", \"counterparty_id\": \"%s\", \"amount\": %s, "
               "\"action_type\": \"%s\"%s}",
               from, to, amount, action, extra);
}

void tx_post(struct tenant *t, const char *body, struct http_resp *out) {
    http_call("POST", "/transactions", tkey_min(t, KEY_WRITE), body, NULL, out);
}

cJSON *tx_ok(struct tenant *t, const char *from, const char *to, const char *amount,
             const char *action) {
    struct http_resp r;
    tx_post(t, tx_body(from, to, amount, action, ""), &r);
    cr_assert(r.status == 201 && r.json, "%s %s -> %s %s: expected 201, got %ld: %s", r.request,
              from, to, amount, r.status, resp_excerpt(&r));
    cJSON *tx = r.json;
    r.json = NULL;
    http_resp_free(&r);
    expect_tx_shape(tx);
    cr_assert_str_eq(jstr(tx, "status"), "completed");
    return tx;
}

const char *tx_refused(struct tenant *t, const char *from, const char *to, const char *amount,
                       const char *action, const char *code) {
    struct http_resp r;
    tx_post(t, tx_body(from, to, amount, action, ""), &r);
    expect_error(&r, 403, code);
    const cJSON *err = jobj(r.json, "error");
    char *id = rotating_id();
    snprintf(id, 96, "%s", jstr(err, "transaction_id"));
    cr_assert(has_prefix_alnum(id, "tx_"), "error.transaction_id \"%s\" is not tx_...", id);
    http_resp_free(&r);
    return id;
}

cJSON *tx_reverse(struct tenant *t, const char *id, const char *body) {
    struct http_resp r;
    http_call("POST", fmt("/transactions/%s/reverse", id), tkey_min(t, KEY_WRITE), body, NULL, &r);
    cr_assert(r.status == 200 && r.json, "%s: expected 200, got %ld: %s", r.request, r.status,
              resp_excerpt(&r));
    cJSON *rev = r.json;
    r.json = NULL;
    http_resp_free(&r);
    expect_tx_shape(rev);
    return rev;
}

cJSON *get_ok(struct tenant *t, const char *path) {
    struct http_resp r;
    http_call("GET", path, tkey_min(t, KEY_READ), NULL, NULL, &r);
    cr_assert(r.status == 200 && r.json, "%s: expected 200, got %ld: %s", r.request, r.status,
              resp_excerpt(&r));
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

int tx_total(struct tenant *t, const char *query) {
    cJSON *j = get_ok(t, fmt("/transactions?%s", query));
    int total = (int)jnum(j, "total");
    cJSON_Delete(j);
    return total;
}

const char *org_scope(const struct tenant *t, const char *agent_id) {
    return t->live ? fmt("agent_id=%s&", agent_id) : "";
}

static bool str_or_null(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return v && (cJSON_IsNull(v) || cJSON_IsString(v));
}

static bool time_or_null(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return v && (cJSON_IsNull(v) || (cJSON_IsString(v) && is_rfc3339_utc_seconds(v->valuestring)));
}

void expect_tx_shape_at(const char *file, int line, const cJSON *tx) {
    char *s = cJSON_PrintUnformatted(tx);
    static const char *const fields[] = {
        "id", "type", "agent_id", "agent_name", "counterparty_id", "amount", "currency",
        "action_type", "status", "permissions_checked", "audit_hash", "notes", "created_at",
        "reversed_at", "reversal_id", "reversal_reason", "error_code", "error_message", NULL};
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(tx, fields[i]),
                  "%s:%d: Transaction lacks \"%s\": %.900s", file, line, fields[i], s);
    const char *type = jstr(tx, "type"), *status = jstr(tx, "status");
    const cJSON *audit_hash = cJSON_GetObjectItemCaseSensitive(tx, "audit_hash");
    bool ok = has_prefix_alnum(jstr(tx, "id"), "tx_") &&
              (!strcmp(type, "transfer") || !strcmp(type, "reversal")) &&
              has_prefix_alnum(jstr(tx, "agent_id"), "agent_") &&
              cJSON_IsString(cJSON_GetObjectItemCaseSensitive(tx, "agent_name")) &&
              has_prefix_alnum(jstr(tx, "counterparty_id"), "agent_") &&
              cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tx, "amount")) &&
              strlen(jstr(tx, "currency")) == 3 &&
              cJSON_IsString(cJSON_GetObjectItemCaseSensitive(tx, "action_type")) &&
              (!strcmp(status, "completed") || !strcmp(status, "failed") ||
               !strcmp(status, "reversed")) &&
              cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(tx, "permissions_checked")) &&
              (cJSON_IsNull(audit_hash) || is_sha256_tagged(audit_hash->valuestring)) &&
              str_or_null(tx, "notes") && is_rfc3339_utc_seconds(jstr(tx, "created_at")) &&
              time_or_null(tx, "reversed_at") && str_or_null(tx, "reversal_id") &&
              str_or_null(tx, "reversal_reason") && str_or_null(tx, "error_code") &&
              str_or_null(tx, "error_message");
    cr_assert(ok, "%s:%d: Transaction field types/formats wrong: %.900s", file, line, s);
    if (!strcmp(type, "reversal"))
        cr_assert(has_prefix_alnum(jstr(tx, "original_transaction_id"), "tx_"),
                  "%s:%d: reversal without original_transaction_id: %.900s", file, line, s);
    free(s);
}

void expect_profile_shape_at(const char *file, int line, const cJSON *p) {
    char *s = cJSON_PrintUnformatted(p);
    static const char *const fields[] = {"agent_id", "agent_name", "score", "assessment",
                                         "components", "total_tasks", "disputes", "tenure_days",
                                         "operator_verified", "last_evaluated", "trend", NULL};
    for (int i = 0; fields[i]; i++)
        cr_assert(cJSON_GetObjectItemCaseSensitive(p, fields[i]),
                  "%s:%d: TrustProfile lacks \"%s\": %.900s", file, line, fields[i], s);
    static const char *const components[] = {"completion_rate", "dispute_rate", "tenure",
                                             "operator_verified", NULL};
    const cJSON *c = jobj(p, "components");
    for (int i = 0; components[i]; i++) {
        const cJSON *one = jobj(c, components[i]);
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(one, "weight")) &&
                      cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(one, "score")) &&
                      cJSON_GetObjectItemCaseSensitive(one, "value"),
                  "%s:%d: components.%s needs {weight, score, value}: %.900s", file, line,
                  components[i], s);
    }
    const char *trend = jstr(p, "trend");
    bool ok = has_prefix_alnum(jstr(p, "agent_id"), "agent_") && jnum(p, "score") >= 0 &&
              jnum(p, "score") <= 1000 && !strcmp(jstr(p, "assessment"), model_assessment((int)jnum(p, "score"))) &&
              (!strcmp(trend, "improving") || !strcmp(trend, "declining") ||
               !strcmp(trend, "stable")) &&
              time_or_null(p, "last_evaluated");
    jbool(p, "operator_verified");
    cr_assert(ok, "%s:%d: TrustProfile field types/values wrong: %.900s", file, line, s);
    free(s);
}

int audit_length(struct tenant *t, const char *agent_id) {
    cJSON *j = get_ok(t, fmt("/agents/%s/audit?limit=1", agent_id));
    int n = (int)jnum(jobj(j, "pagination"), "total");
    cJSON_Delete(j);
    return n;
}

cJSON *dispute_file(struct tenant *t, const char *body) {
    struct http_resp r;
    http_call("POST", "/trust/report", tkey_min(t, KEY_WRITE), body, NULL, &r);
    cr_assert(r.status == 201 && r.json, "%s %s: expected 201, got %ld: %s", r.request, body,
              r.status, resp_excerpt(&r));
    cJSON *d = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return d;
}

void dispute_resolve(const struct tenant *t, const char *dispute_id, const char *outcome,
                     long status) {
    struct http_resp r;
    http_call("POST", fmt("/_mock/orgs/%s/disputes/%s/resolve", t->org_id, dispute_id), NULL,
              fmt("{\"outcome\": \"%s\"}", outcome), NULL, &r);
    if (status == 200) expect_status(&r, 200);
    else expect_error(&r, status, status == 409 ? "conflict" : "validation_error");
    http_resp_free(&r);
}

/* ---- the contract's model ------------------------------------------------------------------ */

/* round(num / den) half away from zero, exactly; den > 0 */
static long long round_ratio(long long num, long long den) {
    return num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
}

struct model_parts {
    int total, completion, dispute, tenure, verified, score;
    double completion_rate, dispute_rate;
};

static void model_parts(const struct model_inputs *in, struct model_parts *p) {
    static const int bucket_days[] = {7, 30, 60, 90, 180, 365};
    static const int bucket_score[] = {20, 40, 60, 80, 100, 150};
    p->total = in->completed + in->failed + in->reversed + in->completed_as_counterparty;
    int completed = in->completed + in->completed_as_counterparty;
    int den = p->total > 0 ? p->total : 1;
    p->completion = p->total ? (int)round_ratio(400LL * completed, p->total) : 0;
    long long d = round_ratio(305LL * den - 1000LL * in->disputes, den);
    p->dispute = d < 0 ? 0 : d > 300 ? 300 : (int)d;
    p->tenure = 0;
    for (int i = 0; i < 6; i++)
        if (in->tenure_days >= bucket_days[i]) p->tenure = bucket_score[i];
    p->verified = in->verified ? 150 : 0;
    p->score = p->total == 0 ? 500 : p->completion + p->dispute + p->tenure + p->verified;
    p->completion_rate = p->total ? (double)completed / p->total : 0;
    p->dispute_rate = (double)in->disputes / den;
}

bool org_verified(const struct tenant *t) {
    if (!t->operator_verified_known)
        cr_skip_test("the expected scores need ALSORN_OPERATOR_VERIFIED=0|1 on a live target");
    return t->operator_verified;
}

int model_score(const struct model_inputs *in) {
    struct model_parts p;
    model_parts(in, &p);
    return p.score;
}

const char *model_assessment(int score) {
    return score >= 900 ? "Verified" : score >= 700 ? "Trusted" : score >= 400 ? "Caution" : "High Risk";
}

static void expect_component(const char *file, int line, const cJSON *profile, const char *name,
                             int weight, int score) {
    const cJSON *c = jobj(jobj(profile, "components"), name);
    cr_assert(jnum(c, "weight") == weight && jnum(c, "score") == score,
              "%s:%d: components.%s: expected weight %d score %d, got weight %g score %g", file,
              line, name, weight, score, jnum(c, "weight"), jnum(c, "score"));
}

void expect_trust_at(const char *file, int line, struct tenant *t, const char *id,
                     const struct model_inputs *in) {
    struct model_parts p;
    model_parts(in, &p);
    cJSON *profile = get_ok(t, fmt("/trust/%s", id));
    expect_profile_shape_at(file, line, profile);
    char *s = cJSON_PrintUnformatted(profile);
    cr_assert(jnum(profile, "score") == p.score,
              "%s:%d: score of %s: the model says %d (completion %d, dispute %d, tenure %d, "
              "verified %d over %d tasks), got %.900s",
              file, line, id, p.score, p.completion, p.dispute, p.tenure, p.verified, p.total, s);
    cr_assert_str_eq(jstr(profile, "assessment"), model_assessment(p.score), "%s:%d: %.900s", file,
                     line, s);
    cr_assert(jnum(profile, "total_tasks") == p.total && jnum(profile, "disputes") == in->disputes &&
                  jnum(profile, "tenure_days") == in->tenure_days &&
                  jbool(profile, "operator_verified") == in->verified,
              "%s:%d: expected total_tasks %d, disputes %d, tenure_days %d, verified %d: %.900s",
              file, line, p.total, in->disputes, in->tenure_days, in->verified, s);
    expect_component(file, line, profile, "completion_rate", 400, p.completion);
    expect_component(file, line, profile, "dispute_rate", 300, p.dispute);
    expect_component(file, line, profile, "tenure", 150, p.tenure);
    expect_component(file, line, profile, "operator_verified", 150, p.verified);
    const cJSON *c = jobj(profile, "components");
    cr_assert(fabs(jnum(jobj(c, "completion_rate"), "value") - p.completion_rate) < 1e-4 &&
                  fabs(jnum(jobj(c, "dispute_rate"), "value") - p.dispute_rate) < 1e-4 &&
                  jnum(jobj(c, "tenure"), "value") == in->tenure_days &&
                  jbool(jobj(c, "operator_verified"), "value") == in->verified,
              "%s:%d: component values: %.900s", file, line, s);
    /* the Agent object's trust_record says the same */
    cJSON *agent = agent_get(t, id);
    const cJSON *tr = jobj(agent, "trust_record");
    cr_assert(jnum(tr, "score") == p.score && jnum(tr, "total_tasks") == p.total &&
                  jnum(tr, "disputes") == in->disputes &&
                  fabs(jnum(tr, "completion_rate") - p.completion_rate) < 1e-4 &&
                  jnum(tr, "tenure_days") == in->tenure_days,
              "%s:%d: trust_record disagrees with GET /trust: %.900s", file, line, s);
    cJSON_Delete(agent);
    free(s);
    cJSON_Delete(profile);
}

/* ---- clock --------------------------------------------------------------------------------- */

static void clock_hold(int how) {
    static int fd = -1;
    if (!target_is_mock()) return;
    if (fd >= 0) { /* already held: change its kind */
        cr_assert(flock(fd, how) == 0, "flock failed");
        return;
    }
    /* one lock file per mock, named after its URL */
    char path[600] = "/tmp/agentmock-conformance-clock-";
    size_t n = strlen(path);
    for (const char *p = target_base_url(); *p && n < sizeof path - 6; p++)
        path[n++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
    snprintf(path + n, sizeof path - n, ".lock");
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    cr_assert(fd >= 0, "cannot open %s", path);
    cr_assert(flock(fd, how) == 0, "flock %s failed", path);
}

void clock_hold_shared(void) { clock_hold(LOCK_SH); }
void clock_hold_exclusive(void) { clock_hold(LOCK_EX); }

void clock_advance_by(long long seconds) {
    require_mock();
    clock_hold_exclusive();
    struct http_resp r;
    http_call("POST", "/_mock/clock", NULL, fmt("{\"advance_seconds\": %lld}", seconds), NULL, &r);
    cr_assert(r.status == 200, "POST /_mock/clock: expected 200, got %ld: %s", r.status,
              resp_excerpt(&r));
    http_resp_free(&r);
}
