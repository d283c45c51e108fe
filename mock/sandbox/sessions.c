#include "sandbox/sessions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/random.h"
#include "core/text_copy.h"
#include "sandbox/faults.h"
#include "sandbox/fields_probe.h"
#include "sandbox/report.h"
#include "store/store.h"

enum level { REQUIRED, RECOMMENDED, OPTIONAL };
static const char *const level_names[] = {"required", "recommended", "optional"};

/* ---- what exercised a check: the org's coverage (rows with statuses) ------------------- */

static bool any_call(const cJSON *row, const char *status) { (void)row; (void)status; return true; }
static bool got_429(const cJSON *row, const char *status) { (void)row; return !strcmp(status, "429"); }
static bool post_failed(const cJSON *row, const char *status) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "method");
    return !strcmp(m->valuestring, "POST") &&
           (!strcmp(status, "429") || !strcmp(status, "dropped") || status[0] == '5');
}
static bool got_final_4xx(const cJSON *row, const char *status) {
    (void)row;
    static const char *const s[] = {"400", "401", "403", "404", "409", "422", NULL};
    for (int i = 0; s[i]; i++)
        if (!strcmp(status, s[i])) return true;
    return false;
}
static bool write_succeeded(const cJSON *row, const char *status) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "method");
    return strcmp(m->valuestring, "GET") != 0 && status[0] == '2';
}
/* a list route's page: GET on a pattern that does not end in a parameter */
static bool list_page(const cJSON *row, const char *status) {
    const char *m = cJSON_GetObjectItemCaseSensitive(row, "method")->valuestring;
    const char *p = cJSON_GetObjectItemCaseSensitive(row, "path")->valuestring;
    return !strcmp(m, "GET") && p[0] && p[strlen(p) - 1] != '}' && !strcmp(status, "200");
}

static long calls_where(const cJSON *report, bool (*pred)(const cJSON *row, const char *status)) {
    long n = 0;
    const cJSON *row, *st;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(
                                cJSON_GetObjectItemCaseSensitive(report, "coverage"), "routes")) {
        cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(row, "statuses"))
            if (pred(row, st->string)) n += (long)st->valuedouble;
    }
    return n;
}

/* Where a check's verdict comes from:
 *   WIRE      the org's report: violations of the check's kind; exercised by the calls pred
 *             counts (or, with no pred, the evidence member named by the check's evidence)
 *   RETRIES   violations as WIRE; exercised by the org's sequences and expect_retry firings
 *   SDK_TESTS what the client did with an answer only its tests can see, reported by them
 *             (POST /_mock/sessions/{id}/results) and passed only when the org's traffic
 *             shows the case was really met
 *   PROBE     POST /_mock/webhook-probe run for the session: the receiver's verdict */
enum grading { WIRE, RETRIES, SDK_TESTS, PROBE };

struct check {
    const char *name;
    enum level level;
    enum grading grading;
    bool (*pred)(const cJSON *row, const char *status);
    long min_calls;
    const char *evidence; /* WIRE without pred, SDK_TESTS: a member of the report's evidence */
    const char *what;
};

/* The statuses an SDK maps to its typed errors; 5xx stands for any server error. */
static const char *const typed_statuses[] = {"401", "403", "404", "409", "422", "429", "5xx", NULL};

static const struct check checks[] = {
    {"missing_user_agent", REQUIRED, WIRE, any_call, 1, NULL, "every request names the SDK in User-Agent"},
    {"unknown_field", REQUIRED, WIRE, any_call, 1, NULL, "only fields the API knows are sent"},
    {"wrong_type", REQUIRED, WIRE, any_call, 1, NULL, "every field is sent with its JSON type"},
    {"fields_not_sent", REQUIRED, WIRE, NULL, 1, "fields_probes",
     "every field the caller sets is sent: register the session's fields_probe through the SDK"},
    {"credentials_in_query", REQUIRED, WIRE, any_call, 1, NULL, "keys travel in headers, never in the URL"},
    {"retry_before_retry_after", REQUIRED, WIRE, got_429, 1, NULL, "a 429 is retried only after its Retry-After"},
    {"post_retry_without_idempotency_key", REQUIRED, WIRE, post_failed, 1, NULL, "a retried POST carries an Idempotency-Key"},
    {"post_retry_with_new_idempotency_key", REQUIRED, WIRE, post_failed, 1, NULL, "a retried POST keeps its Idempotency-Key"},
    {"retry_of_non_retryable_status", REQUIRED, WIRE, got_final_4xx, 1, NULL, "400/401/403/404/409/422 are not retried"},
    {"retry_of_successful_request", REQUIRED, WIRE, write_succeeded, 1, NULL, "a write that succeeded is not sent again"},
    {"pagination_loop", REQUIRED, WIRE, list_page, 2, NULL, "pages are walked forward, never in a loop"},
    {"pagination_walked_to_end", REQUIRED, WIRE, NULL, 1, "last_pages",
     "a list walked page by page reaches its last page"},
    {"typed_errors_mapped", REQUIRED, SDK_TESTS, NULL, 1, NULL,
     "401, 403, 404, 409, 422, 429 and a 5xx each surface as the SDK's typed error (fault rules "
     "inject them; the SDK's tests report the result)"},
    {"verified_false_not_success", REQUIRED, SDK_TESTS, NULL, 1, "verified_false",
     "a verification that answers verified: false is not treated as success (GET "
     "/agents/{id}/verify with a wrong fingerprint; the SDK's tests report the result)"},
    {"request_while_rate_limited", RECOMMENDED, WIRE, got_429, 1, NULL, "nothing is sent on a connection inside its 429 window"},
    {"page_beyond_last", RECOMMENDED, WIRE, list_page, 2, NULL, "the walk stops at the last page"},
    {"transient_error_not_retried", RECOMMENDED, RETRIES, NULL, 1, NULL,
     "transient answers a sequence or fault rule expects a retry of are retried"},
    {"webhook_receiver", RECOMMENDED, PROBE, NULL, 1, NULL,
     "the SDK's webhook receiver accepts a valid awkward delivery and rejects a bad signature "
     "(POST /_mock/webhook-probe with the session_id)"},
    {"request_abandoned_by_client", OPTIONAL, WIRE, any_call, 1, NULL, "the client's timeout outlasts the answer"},
};
#define N_CHECKS (sizeof checks / sizeof checks[0])

static const char *const grading_names[] = {"wire", "retries", "sdk_tests", "probe"};

cJSON *sessions_checklist_json(void) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < N_CHECKS; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", checks[i].name);
        cJSON_AddStringToObject(c, "level", level_names[checks[i].level]);
        cJSON_AddStringToObject(c, "graded_from", grading_names[checks[i].grading]);
        cJSON_AddStringToObject(c, "what", checks[i].what);
        cJSON_AddItemToArray(list, c);
    }
    return list;
}

static const char *reported_names[N_CHECKS + 1]; /* the SDK_TESTS checks, NULL-terminated */
static pthread_once_t reported_once = PTHREAD_ONCE_INIT;

static void name_reported_checks(void) {
    size_t n = 0;
    for (size_t i = 0; i < N_CHECKS; i++)
        if (checks[i].grading == SDK_TESTS) reported_names[n++] = checks[i].name;
}

const char *const *sessions_reported_checks(void) {
    pthread_once(&reported_once, name_reported_checks);
    return reported_names;
}

/* ---- the sessions ----------------------------------------------------------------------- */

#define DETAIL_MAX 200

struct session {
    char id[ID_LEN];
    char sdk[80], version[40];
    char org_id[ID_LEN];
    int64_t created_at, closed_at;
    cJSON *graded; /* set when closed */
    struct {       /* SDK_TESTS checks: what the SDK's tests reported */
        bool reported, passed;
        char detail[DETAIL_MAX];
    } reported[N_CHECKS];
    int probe; /* PROBE: 0 never run, 1 passed, 2 failed */
    char probe_detail[DETAIL_MAX];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[SESSIONS_MAX];
static int n_sessions;

static struct session *find(const char *id) {
    for (int i = 0; i < n_sessions; i++)
        if (!strcmp(sessions[i].id, id)) return &sessions[i];
    return NULL;
}

int sessions_add(const char *sdk, const char *version, const char *org_id, int64_t now, char *id_out) {
    pthread_mutex_lock(&lock);
    int rc = -1;
    if (n_sessions < SESSIONS_MAX) {
        struct session *s = &sessions[n_sessions++];
        memset(s, 0, sizeof *s);
        random_object_id(s->id, sizeof s->id, "ses_");
        utf8_copy_lossy(s->sdk, sizeof s->sdk, sdk, strlen(sdk));
        utf8_copy_lossy(s->version, sizeof s->version, version, strlen(version));
        text_copy(s->org_id, sizeof s->org_id, org_id);
        s->created_at = now;
        text_copy(id_out, ID_LEN, s->id);
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

enum result { PASSED, FAILED, INCOMPLETE, DECLINED };

static long evidence_of(const cJSON *report, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "evidence"), name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* Whether the org was served status ("5xx": any server error) on any route. */
static bool status_served(const cJSON *report, const char *status) {
    const cJSON *row, *st;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(
                                cJSON_GetObjectItemCaseSensitive(report, "coverage"), "routes")) {
        cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(row, "statuses")) {
            bool same = !strcmp(status, "5xx") ? st->string[0] == '5' && strlen(st->string) == 3
                                               : !strcmp(status, st->string);
            if (same && st->valuedouble > 0) return true;
        }
    }
    return false;
}

/* Whether the org's traffic met an SDK_TESTS check's case; what it lacks goes to detail. */
static bool case_met(const struct check *c, const cJSON *report, char *detail, size_t size) {
    if (c->evidence) {
        if (evidence_of(report, c->evidence) > 0) return true;
        snprintf(detail, size, "no %s answer reached this org", c->evidence);
        return false;
    }
    size_t at = 0;
    for (int i = 0; typed_statuses[i]; i++) {
        if (status_served(report, typed_statuses[i])) continue;
        int w = snprintf(detail + at, size - at, "%s%s", at ? ", " : "never served: ", typed_statuses[i]);
        if (w > 0 && (size_t)w < size - at) at += (size_t)w;
    }
    return at == 0;
}

/* Lock held.  One check's verdict; its why (when there is one) into detail. */
static enum result grade_check(const struct session *s, size_t i, const cJSON *report, long *violations,
                               char *detail, size_t size) {
    const struct check *c = &checks[i];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "violations"), "by_kind"),
        c->name);
    *violations = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
    detail[0] = '\0';
    enum result not_met = c->level == REQUIRED ? INCOMPLETE : DECLINED;
    switch (c->grading) {
    case WIRE:
    case RETRIES: {
        long exercised = c->grading == RETRIES ? faults_retry_expectations(s->org_id)
                         : c->pred             ? calls_where(report, c->pred)
                                               : evidence_of(report, c->evidence);
        return *violations ? FAILED : exercised >= c->min_calls ? PASSED : not_met;
    }
    case SDK_TESTS: {
        bool met = case_met(c, report, detail, size);
        if (s->reported[i].reported && !s->reported[i].passed) {
            snprintf(detail, size, "%s", s->reported[i].detail[0] ? s->reported[i].detail : "the SDK's tests reported a failure");
            return FAILED;
        }
        if (!s->reported[i].reported) {
            snprintf(detail, size, "the SDK's tests reported no result");
            return not_met;
        }
        return met ? PASSED : not_met; /* reported passed, but the case never happened */
    }
    case PROBE:
        snprintf(detail, size, "%s", s->probe ? s->probe_detail : "never probed");
        return s->probe == 1 ? PASSED : s->probe == 2 ? FAILED : not_met;
    }
    return not_met;
}

/* Lock held.  An open session shows "status": "open" and the verdict it would get now. */
static cJSON *grade(const struct session *s, int64_t now_ms, bool closing) {
    cJSON *o = cJSON_CreateObject();
    char at[RFC3339_LEN];
    cJSON_AddStringToObject(o, "id", s->id);
    cJSON_AddStringToObject(o, "sdk", s->sdk);
    cJSON_AddStringToObject(o, "version", s->version);
    cJSON_AddStringToObject(o, "org_id", s->org_id);
    clock_format(s->created_at, at);
    cJSON_AddStringToObject(o, "created_at", at);
    cJSON *probe = cJSON_AddObjectToObject(o, "fields_probe");
    cJSON_AddStringToObject(probe, "method", FIELDS_PROBE_METHOD);
    cJSON_AddStringToObject(probe, "path", FIELDS_PROBE_ROUTE);
    cJSON_AddItemToObject(probe, "body", fields_probe_body(s->id));
    struct tenant *t = store_tenant_get(s->org_id);
    /* closing means the SDK's tests are over: a retry still expected will not come */
    cJSON *report = t ? report_org_json(t, closing ? INT64_MAX / 4 : now_ms) : NULL;
    tenant_release(t);
    int counts[4] = {0}; /* by enum result */
    static const char *const results[] = {"passed", "failed", "incomplete", "declined"};
    cJSON *list = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; i < N_CHECKS; i++) {
        const struct check *c = &checks[i];
        long violations;
        char detail[DETAIL_MAX + 40];
        enum result r = grade_check(s, i, report, &violations, detail, sizeof detail);
        counts[r]++;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", c->name);
        cJSON_AddStringToObject(x, "level", level_names[c->level]);
        cJSON_AddStringToObject(x, "result", results[r]);
        cJSON_AddNumberToObject(x, "violations", (double)violations);
        cJSON_AddStringToObject(x, "what", c->what);
        if (detail[0]) cJSON_AddStringToObject(x, "detail", detail);
        cJSON_AddItemToArray(list, x);
    }
    cJSON *cnt = cJSON_AddObjectToObject(o, "counts");
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(cnt, results[k], counts[k]);
    const char *status = counts[1] ? "failed" : counts[2] ? "incomplete" : "passed";
    cJSON_AddStringToObject(o, "status", closing ? status : "open");
    cJSON_AddStringToObject(o, "verdict", status);
    if (!t) cJSON_AddStringToObject(o, "note", "the session's organization no longer exists");
    cJSON_Delete(report);
    return o;
}

int sessions_report(const char *id, const char *check, bool passed, const char *detail) {
    size_t i = 0;
    while (i < N_CHECKS && (strcmp(checks[i].name, check) != 0 || checks[i].grading != SDK_TESTS)) i++;
    pthread_mutex_lock(&lock);
    struct session *s = find(id);
    int rc = !s ? -1 : s->graded ? -2 : i == N_CHECKS ? -3 : 0;
    if (rc == 0) {
        s->reported[i].reported = true;
        s->reported[i].passed = passed;
        utf8_copy_lossy(s->reported[i].detail, sizeof s->reported[i].detail, detail ? detail : "",
                        detail ? strlen(detail) : 0);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

bool sessions_open(const char *id) {
    pthread_mutex_lock(&lock);
    const struct session *s = find(id);
    bool open = s && !s->graded;
    pthread_mutex_unlock(&lock);
    return open;
}

int sessions_record_probe(const char *id, bool passed, const char *detail) {
    pthread_mutex_lock(&lock);
    struct session *s = find(id);
    int rc = !s ? -1 : s->graded ? -2 : 0;
    if (rc == 0) {
        s->probe = passed ? 1 : 2;
        utf8_copy_lossy(s->probe_detail, sizeof s->probe_detail, detail, strlen(detail));
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

cJSON *sessions_get_json(const char *id, int64_t now_ms) {
    pthread_mutex_lock(&lock);
    struct session *s = find(id);
    cJSON *o = !s ? NULL : s->graded ? cJSON_Duplicate(s->graded, true) : grade(s, now_ms, false);
    pthread_mutex_unlock(&lock);
    return o;
}

int sessions_close(const char *id, int64_t now, int64_t now_ms) {
    pthread_mutex_lock(&lock);
    struct session *s = find(id);
    int rc = !s ? -1 : s->graded ? -2 : 0;
    if (rc == 0) {
        cJSON *g = grade(s, now_ms, true);
        char at[RFC3339_LEN];
        clock_format(now, at);
        cJSON_AddStringToObject(g, "closed_at", at);
        s->closed_at = now;
        s->graded = g;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

cJSON *sessions_summary_json(int64_t now_ms) {
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    pthread_mutex_lock(&lock);
    for (int i = n_sessions - 1; i >= 0; i--) {
        cJSON *g = sessions[i].graded ? cJSON_Duplicate(sessions[i].graded, true)
                                      : grade(&sessions[i], now_ms, false);
        cJSON *row = cJSON_CreateObject();
        static const char *const keep[] = {"id", "sdk", "version", "org_id", "status", "counts", NULL};
        for (int k = 0; keep[k]; k++)
            cJSON_AddItemToObject(row, keep[k], cJSON_DetachItemFromObjectCaseSensitive(g, keep[k]));
        cJSON *results = cJSON_AddObjectToObject(row, "results"); /* check → result */
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(g, "checks"))
            cJSON_AddStringToObject(results, cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring,
                                    cJSON_GetObjectItemCaseSensitive(c, "result")->valuestring);
        cJSON_AddItemToArray(data, row);
        cJSON_Delete(g);
    }
    pthread_mutex_unlock(&lock);
    return o;
}

void sessions_clear(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_sessions; i++) cJSON_Delete(sessions[i].graded);
    n_sessions = 0;
    pthread_mutex_unlock(&lock);
}

/* ---- exports ---------------------------------------------------------------------------- */

static void put_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *str(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static long num(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

char *sessions_junit(const cJSON *g) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(g, "counts"), *c;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"agentmock: ", f);
    put_escaped(f, str(g, "sdk"));
    fputc(' ', f);
    put_escaped(f, str(g, "version"));
    fprintf(f, "\" tests=\"%zu\" failures=\"%ld\" skipped=\"%ld\">\n", N_CHECKS,
            num(counts, "failed") + num(counts, "incomplete"), num(counts, "declined"));
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(g, "checks")) {
        fprintf(f, "  <testcase classname=\"%s\" name=\"%s\">", str(c, "level"), str(c, "name"));
        const char *r = str(c, "result");
        if (!strcmp(r, "failed"))
            fprintf(f, "<failure message=\"%ld violation(s): see GET /_mock/report\"/>", num(c, "violations"));
        else if (!strcmp(r, "incomplete"))
            fputs("<failure message=\"incomplete: a required check the SDK's tests never exercised\"/>", f);
        else if (!strcmp(r, "declined"))
            fputs("<skipped message=\"never exercised\"/>", f);
        fputs("</testcase>\n", f);
    }
    fputs("</testsuite>\n", f);
    fclose(f);
    return out;
}

char *sessions_html(const cJSON *g) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SDK session: ", f);
    put_escaped(f, str(g, "sdk"));
    fputs("</title><style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
          "td,th{border:1px solid #999;padding:.3rem .6rem;text-align:left}"
          ".passed{background:#d7f5d7}.failed{background:#f7d0d0}.incomplete{background:#fbe7b5}"
          ".declined{background:#e6e6e6}</style></head><body>\n<h1>", f);
    put_escaped(f, str(g, "sdk"));
    fputc(' ', f);
    put_escaped(f, str(g, "version"));
    fputs(": <span class=\"", f);
    put_escaped(f, str(g, "verdict"));
    fputs("\">", f);
    put_escaped(f, str(g, "verdict"));
    fputs("</span></h1>\n<p>Session ", f);
    put_escaped(f, str(g, "id"));
    fputs(", organization ", f);
    put_escaped(f, str(g, "org_id"));
    fputs("</p>\n<table><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Level</th>"
          "<th scope=\"col\">Result</th><th scope=\"col\">Violations</th><th scope=\"col\">What it asks"
          "</th></tr></thead><tbody>\n", f);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(g, "checks")) {
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%ld</td><td>", str(c, "result"),
                str(c, "name"), str(c, "level"), str(c, "result"), num(c, "violations"));
        put_escaped(f, str(c, "what"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></body></html>\n", f);
    fclose(f);
    return out;
}
