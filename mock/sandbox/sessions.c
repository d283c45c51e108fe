#include "sandbox/sessions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/random.h"
#include "core/text_copy.h"
#include "sandbox/faults.h"
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

struct check {
    const char *name;
    enum level level;
    bool (*pred)(const cJSON *row, const char *status); /* NULL: sequences */
    long min_calls;
    const char *what;
};

static const struct check checks[] = {
    {"missing_user_agent", REQUIRED, any_call, 1, "every request names the SDK in User-Agent"},
    {"unknown_field", REQUIRED, any_call, 1, "only fields the API knows are sent"},
    {"wrong_type", REQUIRED, any_call, 1, "every field is sent with its JSON type"},
    {"credentials_in_query", REQUIRED, any_call, 1, "keys travel in headers, never in the URL"},
    {"retry_before_retry_after", REQUIRED, got_429, 1, "a 429 is retried only after its Retry-After"},
    {"post_retry_without_idempotency_key", REQUIRED, post_failed, 1, "a retried POST carries an Idempotency-Key"},
    {"post_retry_with_new_idempotency_key", REQUIRED, post_failed, 1, "a retried POST keeps its Idempotency-Key"},
    {"retry_of_non_retryable_status", REQUIRED, got_final_4xx, 1, "400/401/403/404/409/422 are not retried"},
    {"retry_of_successful_request", REQUIRED, write_succeeded, 1, "a write that succeeded is not sent again"},
    {"pagination_loop", REQUIRED, list_page, 2, "pages are walked forward, never in a loop"},
    {"request_while_rate_limited", RECOMMENDED, got_429, 1, "nothing is sent on a connection inside its 429 window"},
    {"page_beyond_last", RECOMMENDED, list_page, 2, "the walk stops at the last page"},
    {"transient_error_not_retried", RECOMMENDED, NULL, 1, "transient answers a sequence or fault rule expects a retry of are retried"},
    {"request_abandoned_by_client", OPTIONAL, any_call, 1, "the client's timeout outlasts the answer"},
};
#define N_CHECKS (sizeof checks / sizeof checks[0])

cJSON *sessions_checklist_json(void) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < N_CHECKS; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", checks[i].name);
        cJSON_AddStringToObject(c, "level", level_names[checks[i].level]);
        cJSON_AddStringToObject(c, "what", checks[i].what);
        cJSON_AddItemToArray(list, c);
    }
    return list;
}

/* ---- the sessions ----------------------------------------------------------------------- */

struct session {
    char id[ID_LEN];
    char sdk[80], version[40];
    char org_id[ID_LEN];
    int64_t created_at, closed_at;
    cJSON *graded; /* set when closed */
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
    struct tenant *t = store_tenant_get(s->org_id);
    /* closing means the SDK's tests are over: a retry still expected will not come */
    cJSON *report = t ? report_org_json(t, closing ? INT64_MAX / 4 : now_ms) : NULL;
    tenant_release(t);
    const cJSON *by_kind = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(report, "violations"), "by_kind");
    int counts[4] = {0}; /* passed, failed, incomplete, declined */
    static const char *const results[] = {"passed", "failed", "incomplete", "declined"};
    cJSON *list = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; i < N_CHECKS; i++) {
        const struct check *c = &checks[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(by_kind, c->name);
        long violations = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
        long exercised = c->pred ? calls_where(report, c->pred) : faults_retry_expectations(s->org_id);
        int r = violations ? 1 : exercised >= c->min_calls ? 0 : c->level == REQUIRED ? 2 : 3;
        counts[r]++;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", c->name);
        cJSON_AddStringToObject(x, "level", level_names[c->level]);
        cJSON_AddStringToObject(x, "result", results[r]);
        cJSON_AddNumberToObject(x, "violations", (double)violations);
        cJSON_AddStringToObject(x, "what", c->what);
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
