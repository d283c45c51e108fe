#include "sandbox/faults.h"
#include "sandbox/limits.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "core/clock.h"
#include "store/store.h"
#include "core/text_copy.h"
#include "sandbox/credentials.h"

enum action { FAULT_ERROR, FAULT_LATENCY, FAULT_RESET, FAULT_RATE_LIMIT, FAULT_PASS };
static const char *const action_names[] = {"error", "latency", "reset", "rate_limit", NULL};
/* a sequence's step may also let the request through: the real answer */
static const char *const step_names[] = {"error", "latency", "reset", "rate_limit", "pass", NULL};
static const char *const methods[] = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL};

#define RETRY_WITHIN_DEFAULT_MS 10000

/* A sequence: a rule whose matching requests take its steps in order, each attempt recorded. */
struct step {
    enum action action;
    int status, latency_ms;
    long retry_after;
    bool expect_retry;
};

struct attempt {
    int64_t at_ms; /* arrival, virtual */
    int step;
    char request_id[32];
    char idempotency_key[80]; /* "" = none */
    char user_agent[120];
};

struct sequence {
    char key_fingerprint[FINGERPRINT_LEN]; /* "": any key */
    int retry_within_ms;
    int n_steps;
    struct step steps[SEQUENCE_STEPS_MAX];
    pthread_mutex_t lock; /* the attempts */
    int n_attempts;
    struct attempt attempts[SEQUENCE_STEPS_MAX];
};

/* A plain rule that expects a retry keeps its recent firings until the retry comes: a later
 * request of the same org, method, path and key that matches the rule again. */
#define PENDING_MAX 64
struct pending {
    int64_t deadline_ms; /* arrival + Retry-After + retry_within_ms */
    char org_id[ID_LEN];
    char method[8];
    char path[256];
    char key_fingerprint[FINGERPRINT_LEN];
    bool open;
};

struct expectation {
    int retry_within_ms;
    pthread_mutex_t lock; /* the ring below */
    struct pending ring[PENDING_MAX];
    int next, n;
    /* firings pushed out of the ring while still open: never retried, per org */
    struct missed {
        char org_id[ID_LEN];
        long n;
    } missed[8];
};

struct fault {
    char id[ID_LEN];
    char method[8];
    char path_prefix[256];
    enum action action;
    int status, latency_ms;
    long retry_after;
    double probability;
    long count;              /* -1: unlimited */
    _Atomic long remaining;  /* -1: unlimited */
    _Atomic long fired;
    char org_id[ID_LEN];     /* "": any organization */
    int64_t created_at;
    struct sequence *seq;    /* NULL: a plain rule */
    struct expectation *expect; /* a plain rule with expect_retry */
};

static void fault_free(struct fault *f) {
    if (f && f->seq) pthread_mutex_destroy(&f->seq->lock);
    if (f && f->expect) pthread_mutex_destroy(&f->expect->lock);
    if (f) free(f->seq);
    if (f) free(f->expect);
    free(f);
}

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct fault *faults[FAULTS_MAX]; /* creation order */
static _Atomic int n_faults;             /* written under the write lock */

/* ---- retries a plain rule expects ----------------------------------------------------- */

/* Firings of org (NULL: any) whose retry is overdue at now_ms, with those pushed out. */
static long expectation_not_retried(struct expectation *e, const char *org_id, int64_t now_ms) {
    long n = 0;
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->n; i++) {
        const struct pending *p = &e->ring[i];
        n += p->open && p->deadline_ms < now_ms && (!org_id || !strcmp(p->org_id, org_id));
    }
    for (size_t i = 0; i < sizeof e->missed / sizeof e->missed[0]; i++)
        if (e->missed[i].n && (!org_id || !strcmp(e->missed[i].org_id, org_id))) n += e->missed[i].n;
    pthread_mutex_unlock(&e->lock);
    return n;
}

/* Lock held.  Counts an open firing pushed out of the ring (its org's slot, else the last). */
static void expectation_miss(struct expectation *e, const struct pending *p) {
    size_t slots = sizeof e->missed / sizeof e->missed[0], i = 0;
    while (i < slots - 1 && e->missed[i].n && strcmp(e->missed[i].org_id, p->org_id)) i++;
    if (!e->missed[i].n) text_copy(e->missed[i].org_id, sizeof e->missed[i].org_id, p->org_id);
    e->missed[i].n++;
}

/* How many firings of org the rule has recorded (the ring and those pushed out of it). */
static long expectation_count(struct expectation *e, const char *org_id) {
    long n = 0;
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->n; i++) n += !strcmp(e->ring[i].org_id, org_id);
    for (size_t i = 0; i < sizeof e->missed / sizeof e->missed[0]; i++)
        if (e->missed[i].n && !strcmp(e->missed[i].org_id, org_id)) n += e->missed[i].n;
    pthread_mutex_unlock(&e->lock);
    return n;
}

/* ---- admin side -------------------------------------------------------------------------- */

static cJSON *fault_json(struct fault *f, int64_t now_ms) {
    cJSON *o = cJSON_CreateObject();
    char at[RFC3339_LEN];
    clock_format(f->created_at, at);
    cJSON_AddStringToObject(o, "id", f->id);
    cJSON_AddStringToObject(o, "method", f->method);
    cJSON_AddStringToObject(o, "path_prefix", f->path_prefix);
    cJSON_AddStringToObject(o, "action", action_names[f->action]);
    if (f->action == FAULT_ERROR) cJSON_AddNumberToObject(o, "status", f->status);
    if (f->action == FAULT_LATENCY) cJSON_AddNumberToObject(o, "latency_ms", f->latency_ms);
    if (f->action == FAULT_RATE_LIMIT) cJSON_AddNumberToObject(o, "retry_after", (double)f->retry_after);
    cJSON_AddNumberToObject(o, "probability", f->probability);
    long remaining = atomic_load(&f->remaining);
    if (f->count < 0) {
        cJSON_AddNullToObject(o, "count");
        cJSON_AddNullToObject(o, "remaining");
    } else {
        cJSON_AddNumberToObject(o, "count", (double)f->count);
        cJSON_AddNumberToObject(o, "remaining", (double)remaining);
    }
    cJSON_AddNumberToObject(o, "fired", (double)atomic_load(&f->fired));
    if (f->org_id[0]) cJSON_AddStringToObject(o, "org_id", f->org_id);
    else cJSON_AddNullToObject(o, "org_id");
    cJSON_AddBoolToObject(o, "expect_retry", f->expect != NULL);
    if (f->expect) {
        cJSON_AddNumberToObject(o, "retry_within_ms", f->expect->retry_within_ms);
        cJSON_AddNumberToObject(o, "not_retried", (double)expectation_not_retried(f->expect, NULL, now_ms));
    }
    cJSON_AddStringToObject(o, "created_at", at);
    return o;
}

/* A field that only one action takes must not come with another. */
static void only_with(struct field_errors *fe, const cJSON *body, const char *name, int action,
                      enum action needed) {
    if (action >= 0 && action != (int)needed && cJSON_GetObjectItemCaseSensitive(body, name))
        field_error_add(fe, name, "applies only to action %s", action_names[needed]);
}

static void parse_method(struct field_errors *fe, const cJSON *body, struct fault *f) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, "method");
    snprintf(f->method, sizeof f->method, "*");
    if (!m) return;
    for (int i = 0; cJSON_IsString(m) && methods[i]; i++) {
        if (!strcasecmp(m->valuestring, methods[i])) {
            text_copy(f->method, sizeof f->method, methods[i]);
            return;
        }
    }
    field_error_choices(fe, "method", methods);
}

static void parse_path_prefix(struct field_errors *fe, const cJSON *body, struct fault *f) {
    const char *prefix = "/";
    if (v_string(fe, body, "path_prefix", 1, sizeof f->path_prefix - 1, false, &prefix) == V_OK &&
        (prefix[0] != '/' || !strncmp(prefix, "/_mock", 6))) {
        field_error_add(fe, "path_prefix", "must start with / and not with /_mock (sandbox "
                                           "controls never fail)");
    }
    text_copy(f->path_prefix, sizeof f->path_prefix, prefix);
}

static void parse_org(struct field_errors *fe, const cJSON *body, struct fault *f) {
    const char *org = NULL;
    if (v_string(fe, body, "org_id", 1, ID_LEN - 1, true, &org) != V_OK) return;
    struct tenant *t = store_tenant_get(org);
    if (!t) {
        field_error_add(fe, "org_id", "no such organization");
        return;
    }
    tenant_release(t);
    text_copy(f->org_id, sizeof f->org_id, org);
}

cJSON *faults_add(const cJSON *body, int64_t now, struct field_errors *fe) {
    struct fault *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    int action = -1;
    long long v;
    v_require(fe, v_enum(fe, body, "action", action_names, &action), "action");
    f->action = (enum action)action;
    parse_method(fe, body, f);
    parse_path_prefix(fe, body, f);
    parse_org(fe, body, f);
    only_with(fe, body, "status", action, FAULT_ERROR);
    only_with(fe, body, "latency_ms", action, FAULT_LATENCY);
    only_with(fe, body, "retry_after", action, FAULT_RATE_LIMIT);
    f->status = 503;
    if (v_int(fe, body, "status", 400, 599, &v) == V_OK) f->status = (int)v;
    enum vres lat = v_int(fe, body, "latency_ms", 1, FAULT_LATENCY_MAX_MS, &v);
    if (lat == V_OK) f->latency_ms = (int)v;
    if (action == FAULT_LATENCY) v_require(fe, lat, "latency_ms");
    f->retry_after = 1;
    if (v_int(fe, body, "retry_after", 1, FAULT_RETRY_AFTER_MAX, &v) == V_OK) f->retry_after = (long)v;
    f->probability = 1;
    v_number(fe, body, "probability", 0, 1, &f->probability);
    f->count = -1;
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(body, "count");
    if (count && !cJSON_IsNull(count) && v_int(fe, body, "count", 1, 1000000000, &v) == V_OK)
        f->count = (long)v;
    /* off unless asked: a rule that fails every call forever would otherwise flag the last
     * attempt of every correct SDK that gives up */
    bool expect_retry = false;
    v_bool(fe, body, "expect_retry", &expect_retry);
    if (expect_retry && action == FAULT_LATENCY)
        field_error_add(fe, "expect_retry", "a latency rule serves the request: nothing to retry");
    int retry_within_ms = RETRY_WITHIN_DEFAULT_MS;
    if (v_int(fe, body, "retry_within_ms", 0, FAULT_RETRY_WITHIN_MAX_MS, &v) == V_OK) retry_within_ms = (int)v;
    if (!expect_retry && cJSON_GetObjectItemCaseSensitive(body, "retry_within_ms"))
        field_error_add(fe, "retry_within_ms", "applies only with expect_retry: true");
    if (!field_errors_any(fe) && expect_retry) {
        f->expect = calloc(1, sizeof *f->expect);
        if (!f->expect) {
            free(f);
            return NULL;
        }
        f->expect->retry_within_ms = retry_within_ms;
        pthread_mutex_init(&f->expect->lock, NULL);
    }
    if (field_errors_any(fe)) {
        free(f);
        return NULL;
    }
    atomic_init(&f->remaining, f->count);
    atomic_init(&f->fired, 0);
    f->created_at = now;
    random_object_id(f->id, sizeof f->id, "flt_");

    pthread_rwlock_wrlock(&lock);
    int n = atomic_load(&n_faults);
    cJSON *out = NULL;
    if (n < FAULTS_MAX) {
        faults[n] = f;
        atomic_store(&n_faults, n + 1);
        out = fault_json(f, now * 1000);
        f = NULL;
    }
    pthread_rwlock_unlock(&lock);
    fault_free(f); /* the list was full */
    return out;
}

/* ---- sequences ---------------------------------------------------------------------------- */

/* "steps[2]" + sep + name, in a static per-thread buffer (field error names). */
static const char *fmt_field(int i, const char *sep, const char *name) {
    static _Thread_local char buf[64];
    snprintf(buf, sizeof buf, "steps[%d]%s%s", i, name ? sep : "", name ? name : "");
    return buf;
}

/* One step: the fields of a rule's action.  Its errors go to fe as "steps[i].<field>". */
static void parse_step(struct field_errors *fe, const cJSON *obj, int i, struct step *st) {
    struct field_errors local = {0};
    int action = -1;
    long long v;
    if (!cJSON_IsObject(obj)) {
        field_error_add(fe, fmt_field(i, "", NULL), "must be an object");
        return;
    }
    v_require(&local, v_enum(&local, obj, "action", step_names, &action), "action");
    st->action = (enum action)action;
    only_with(&local, obj, "status", action, FAULT_ERROR);
    only_with(&local, obj, "latency_ms", action, FAULT_LATENCY);
    only_with(&local, obj, "retry_after", action, FAULT_RATE_LIMIT);
    st->status = 503;
    if (v_int(&local, obj, "status", 400, 599, &v) == V_OK) st->status = (int)v;
    enum vres lat = v_int(&local, obj, "latency_ms", 1, FAULT_LATENCY_MAX_MS, &v);
    if (lat == V_OK) st->latency_ms = (int)v;
    if (action == FAULT_LATENCY) v_require(&local, lat, "latency_ms");
    st->retry_after = 1;
    if (v_int(&local, obj, "retry_after", 1, FAULT_RETRY_AFTER_MAX, &v) == V_OK) st->retry_after = (long)v;
    /* a transient answer is retried by a correct SDK unless the step says otherwise */
    st->expect_retry = action == FAULT_RESET || action == FAULT_RATE_LIMIT ||
                       (action == FAULT_ERROR && (st->status >= 500 || st->status == 408));
    v_bool(&local, obj, "expect_retry", &st->expect_retry);
    const cJSON *e;
    cJSON_ArrayForEach(e, local.list) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
        field_error_add(fe, fmt_field(i, ".", field->valuestring), "%s", msg->valuestring);
    }
    cJSON_Delete(local.list);
}

static const char *step_status_name(const struct step *st, char buf[8]) {
    switch (st->action) {
    case FAULT_ERROR: snprintf(buf, 8, "%d", st->status); return buf;
    case FAULT_RATE_LIMIT: return "429";
    case FAULT_RESET: return "dropped";
    default: return "pass";
    }
}

/* The last attempt took a step that expects a retry, and none came in time. */
static bool not_retried(const struct sequence *s, int64_t now_ms) {
    if (!s->n_attempts) return false;
    const struct attempt *last = &s->attempts[s->n_attempts - 1];
    const struct step *st = &s->steps[last->step];
    if (!st->expect_retry) return false;
    int64_t wait = st->action == FAULT_RATE_LIMIT ? st->retry_after * 1000 : 0;
    return now_ms - last->at_ms > wait + s->retry_within_ms;
}

static cJSON *sequence_json(struct fault *f, int64_t now_ms) {
    struct sequence *s = f->seq;
    cJSON *o = cJSON_CreateObject();
    char at[RFC3339_LEN], buf[8];
    clock_format(f->created_at, at);
    cJSON_AddStringToObject(o, "id", f->id);
    cJSON_AddStringToObject(o, "method", f->method);
    cJSON_AddStringToObject(o, "path_prefix", f->path_prefix);
    if (f->org_id[0]) cJSON_AddStringToObject(o, "org_id", f->org_id);
    else cJSON_AddNullToObject(o, "org_id");
    if (s->key_fingerprint[0]) cJSON_AddStringToObject(o, "key_fingerprint", s->key_fingerprint);
    else cJSON_AddNullToObject(o, "key_fingerprint");
    cJSON_AddNumberToObject(o, "retry_within_ms", s->retry_within_ms);
    cJSON *steps = cJSON_AddArrayToObject(o, "steps");
    for (int i = 0; i < s->n_steps; i++) {
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "action", step_names[s->steps[i].action]);
        if (s->steps[i].action == FAULT_ERROR) cJSON_AddNumberToObject(st, "status", s->steps[i].status);
        if (s->steps[i].action == FAULT_LATENCY) cJSON_AddNumberToObject(st, "latency_ms", s->steps[i].latency_ms);
        if (s->steps[i].action == FAULT_RATE_LIMIT)
            cJSON_AddNumberToObject(st, "retry_after", (double)s->steps[i].retry_after);
        cJSON_AddBoolToObject(st, "expect_retry", s->steps[i].expect_retry);
        cJSON_AddItemToArray(steps, st);
    }
    pthread_mutex_lock(&s->lock);
    cJSON *attempts = cJSON_AddArrayToObject(o, "attempts");
    for (int i = 0; i < s->n_attempts; i++) {
        const struct attempt *a = &s->attempts[i];
        cJSON *x = cJSON_CreateObject();
        char when[RFC3339_MS_LEN];
        clock_format_ms(a->at_ms, when);
        cJSON_AddNumberToObject(x, "step", a->step);
        cJSON_AddStringToObject(x, "request_id", a->request_id);
        cJSON_AddStringToObject(x, "at", when);
        if (i) cJSON_AddNumberToObject(x, "delay_ms", (double)(a->at_ms - s->attempts[i - 1].at_ms));
        else cJSON_AddNullToObject(x, "delay_ms");
        if (a->idempotency_key[0]) cJSON_AddStringToObject(x, "idempotency_key", a->idempotency_key);
        else cJSON_AddNullToObject(x, "idempotency_key");
        if (a->user_agent[0]) cJSON_AddStringToObject(x, "user_agent", a->user_agent);
        else cJSON_AddNullToObject(x, "user_agent");
        cJSON_AddStringToObject(x, "served", step_status_name(&s->steps[a->step], buf));
        cJSON_AddItemToArray(attempts, x);
    }
    cJSON_AddBoolToObject(o, "done", s->n_attempts == s->n_steps);
    cJSON_AddBoolToObject(o, "transient_error_not_retried", not_retried(s, now_ms));
    pthread_mutex_unlock(&s->lock);
    cJSON_AddStringToObject(o, "created_at", at);
    return o;
}

static bool add_rule(struct fault *f) {
    pthread_rwlock_wrlock(&lock);
    int n = atomic_load(&n_faults);
    bool added = n < FAULTS_MAX;
    if (added) {
        faults[n] = f;
        atomic_store(&n_faults, n + 1);
    }
    pthread_rwlock_unlock(&lock);
    return added;
}

cJSON *sequences_add(const cJSON *body, int64_t now, struct field_errors *fe) {
    struct fault *f = calloc(1, sizeof *f);
    struct sequence *s = f ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        free(f);
        return NULL;
    }
    f->seq = s;
    pthread_mutex_init(&s->lock, NULL);
    parse_method(fe, body, f);
    parse_path_prefix(fe, body, f);
    parse_org(fe, body, f);
    const char *key = NULL;
    if (v_string(fe, body, "key", 1, 256, true, &key) == V_OK && key)
        credential_fingerprint(key, strlen(key), s->key_fingerprint);
    long long v;
    s->retry_within_ms = RETRY_WITHIN_DEFAULT_MS;
    if (v_int(fe, body, "retry_within_ms", 0, FAULT_RETRY_WITHIN_MAX_MS, &v) == V_OK) s->retry_within_ms = (int)v;
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(body, "steps");
    if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) < 1 ||
        cJSON_GetArraySize(steps) > SEQUENCE_STEPS_MAX) {
        field_error_add(fe, "steps", "must be an array of 1 to %d steps", SEQUENCE_STEPS_MAX);
    } else {
        const cJSON *st;
        cJSON_ArrayForEach(st, steps) {
            parse_step(fe, st, s->n_steps, &s->steps[s->n_steps]);
            s->n_steps++;
        }
    }
    if (field_errors_any(fe)) {
        fault_free(f);
        return NULL;
    }
    f->count = s->n_steps;
    atomic_init(&f->remaining, f->count);
    atomic_init(&f->fired, 0);
    f->probability = 1;
    f->created_at = now;
    random_object_id(f->id, sizeof f->id, "seq_");
    cJSON *out = sequence_json(f, now * 1000);
    if (add_rule(f)) return out;
    cJSON_Delete(out);
    fault_free(f); /* the list was full */
    return NULL;
}

cJSON *sequence_get_json(const char *id, int64_t now_ms) {
    cJSON *out = NULL;
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults) && !out; i++)
        if (faults[i]->seq && !strcmp(faults[i]->id, id)) out = sequence_json(faults[i], now_ms);
    pthread_rwlock_unlock(&lock);
    return out;
}

cJSON *sequences_list_json(int64_t now_ms) {
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults); i++)
        if (faults[i]->seq) cJSON_AddItemToArray(data, sequence_json(faults[i], now_ms));
    pthread_rwlock_unlock(&lock);
    return o;
}

long faults_not_retried(const char *org_id, int64_t now_ms) {
    long n = 0;
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults); i++) {
        struct fault *f = faults[i];
        if (f->expect) n += expectation_not_retried(f->expect, org_id, now_ms);
        if (!f->seq || strcmp(f->org_id, org_id) != 0) continue;
        pthread_mutex_lock(&f->seq->lock);
        n += not_retried(f->seq, now_ms);
        pthread_mutex_unlock(&f->seq->lock);
    }
    pthread_rwlock_unlock(&lock);
    return n;
}

long faults_retry_expectations(const char *org_id) {
    long n = 0;
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults); i++) {
        struct fault *f = faults[i];
        n += f->seq && !strcmp(f->org_id, org_id);
        if (f->expect) n += expectation_count(f->expect, org_id);
    }
    pthread_rwlock_unlock(&lock);
    return n;
}

cJSON *faults_list_json(int64_t now_ms) {
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults); i++)
        if (!faults[i]->seq) cJSON_AddItemToArray(data, fault_json(faults[i], now_ms));
    pthread_rwlock_unlock(&lock);
    return o;
}

/* Removes the rules for which match() is true; returns how many. */
static int remove_where(bool (*match)(const struct fault *f, const char *arg), const char *arg) {
    int removed = 0;
    pthread_rwlock_wrlock(&lock);
    int n = atomic_load(&n_faults), kept = 0;
    for (int i = 0; i < n; i++) {
        if (match(faults[i], arg)) {
            fault_free(faults[i]);
            removed++;
        } else {
            faults[kept++] = faults[i];
        }
    }
    atomic_store(&n_faults, kept);
    pthread_rwlock_unlock(&lock);
    return removed;
}

static bool id_is(const struct fault *f, const char *id) { return !strcmp(f->id, id); }
static bool org_is(const struct fault *f, const char *org) { return !org || !strcmp(f->org_id, org); }

int faults_remove(const char *id) { return remove_where(id_is, id) ? 0 : -1; }
int faults_clear(const char *org_id) { return remove_where(org_is, org_id); }

/* ---- request side ------------------------------------------------------------------------ */

/* The fingerprint of the key r carries (Authorization's bearer token, else x-api-key); "" for
 * none.  Computed once per request, and only when a rule needs it. */
static const char *request_key(const struct req *r, char fp[FINGERPRINT_LEN], bool *done) {
    if (*done) return fp;
    *done = true;
    const char *v = req_header(r, "Authorization");
    if (v && !strncasecmp(v, "Bearer ", 7)) v += 7;
    else v = req_header(r, "x-api-key");
    if (v) credential_fingerprint(v, strlen(v), fp);
    else fp[0] = '\0';
    return fp;
}

struct request_key {
    char fp[FINGERPRINT_LEN];
    bool done;
};

static bool key_is(const struct sequence *s, const struct req *r, struct request_key *k) {
    if (!s->key_fingerprint[0]) return true;
    const char *fp = request_key(r, k->fp, &k->done);
    return fp[0] && !strcmp(fp, s->key_fingerprint);
}

static bool matches(const struct fault *f, const struct req *r, struct request_key *k) {
    if (f->method[0] != '*' && strcmp(f->method, r->method) != 0) return false;
    if (strncmp(r->path, f->path_prefix, strlen(f->path_prefix)) != 0) return false;
    if (f->org_id[0] && (!r->caller.tenant || strcmp(f->org_id, r->caller.tenant->id) != 0))
        return false;
    return !f->seq || key_is(f->seq, r, k);
}

static bool same_call(const struct pending *p, const struct req *r, const char *org, const char *fp) {
    return p->open && !strcmp(p->org_id, org) && !strcmp(p->method, r->method) &&
           !strncmp(p->path, r->path, sizeof p->path - 1) && !strcmp(p->key_fingerprint, fp);
}

/* r matches a rule that expects retries: it is the retry of any open firing of the same
 * call; when the rule fires on it (retry_after: the wait it asks for, -1: it did not fire),
 * it is a firing of its own that a retry must follow. */
static void expectation_see(struct expectation *e, const struct req *r, struct request_key *k,
                            long retry_after) {
    const char *org = r->caller.tenant ? r->caller.tenant->id : "";
    const char *fp = request_key(r, k->fp, &k->done);
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->n; i++)
        if (same_call(&e->ring[i], r, org, fp)) e->ring[i].open = false;
    if (retry_after >= 0) {
        struct pending *p = &e->ring[e->next];
        if (e->n == PENDING_MAX && p->open) expectation_miss(e, p);
        memset(p, 0, sizeof *p);
        p->deadline_ms = r->sandbox.arrived_ms + retry_after * 1000 + e->retry_within_ms;
        text_copy(p->org_id, sizeof p->org_id, org);
        text_copy(p->method, sizeof p->method, r->method);
        utf8_copy_lossy(p->path, sizeof p->path, r->path, strlen(r->path));
        text_copy(p->key_fingerprint, sizeof p->key_fingerprint, fp);
        p->open = true;
        e->next = (e->next + 1) % PENDING_MAX;
        if (e->n < PENDING_MAX) e->n++;
    }
    pthread_mutex_unlock(&e->lock);
}

/* Takes the sequence's next step for r (its firing was taken by fires()) and records the
 * attempt; returns the step. */
static const struct step *sequence_take(struct fault *f, const struct req *r) {
    struct sequence *s = f->seq;
    pthread_mutex_lock(&s->lock);
    int i = s->n_attempts < s->n_steps ? s->n_attempts++ : s->n_steps - 1;
    struct attempt *a = &s->attempts[i];
    a->at_ms = r->sandbox.arrived_ms;
    a->step = i;
    text_copy(a->request_id, sizeof a->request_id, r->request_id);
    const char *idem = req_header(r, "Idempotency-Key"), *ua = req_header(r, "User-Agent");
    utf8_copy_lossy(a->idempotency_key, sizeof a->idempotency_key, idem ? idem : "", idem ? strlen(idem) : 0);
    utf8_copy_lossy(a->user_agent, sizeof a->user_agent, ua ? ua : "", ua ? strlen(ua) : 0);
    pthread_mutex_unlock(&s->lock);
    return &s->steps[i];
}

/* The probability roll, then one of the rule's remaining firings (taken atomically: two
 * requests racing for the last firing cannot both get it). */
static bool fires(struct fault *f) {
    if (f->probability < 1) {
        uint32_t x = 0;
        RAND_bytes((unsigned char *)&x, sizeof x);
        if (x / 4294967296.0 >= f->probability) return false;
    }
    long left = atomic_load(&f->remaining);
    while (left != -1) {
        if (left == 0) return false;
        if (atomic_compare_exchange_weak(&f->remaining, &left, left - 1)) break;
    }
    atomic_fetch_add(&f->fired, 1);
    return true;
}

/* A code for an injected error status, in the spirit of the api's table; a 401 takes the
 * api's own code for an unknown key, so an SDK maps it as it would a real one. */
static const char *error_code(int status, enum api api, const char *rate_limit_code) {
    switch (status) {
    case 400: return "bad_request";
    case 401: return api == API_ALTER ? "invalid_key" : "invalid_api_key";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 408: return "request_timeout";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 422: return "validation_error";
    case 429: return rate_limit_code;
    case 500: return "internal_error";
    case 502: return "bad_gateway";
    case 503: return "service_unavailable";
    case 504: return "gateway_timeout";
    default: return status < 500 ? "client_error" : "server_error";
    }
}

bool faults_apply(struct req *r, const char *rate_limit_code) {
    if (atomic_load(&n_faults) == 0) return true;
    struct {
        char id[ID_LEN];
        enum action action;
        int status;
        long retry_after;
    } hit; /* copied: the rule may be deleted once the lock is released */
    bool terminal = false;
    int latency = 0;
    struct request_key key = {.done = false};
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults) && !terminal; i++) {
        struct fault *f = faults[i];
        if (!matches(f, r, &key)) continue;
        if (!fires(f)) {
            if (f->expect) expectation_see(f->expect, r, &key, -1);
            continue;
        }
        if (f->seq) { /* its step decides: a pass or latency step lets the request through */
            const struct step *st = sequence_take(f, r);
            if (st->action == FAULT_PASS) break;
            if (st->action == FAULT_LATENCY) {
                latency += st->latency_ms;
                break;
            }
            memcpy(hit.id, f->id, sizeof hit.id);
            hit.action = st->action;
            hit.status = st->status;
            hit.retry_after = st->retry_after;
            terminal = true;
            continue;
        }
        if (f->expect)
            expectation_see(f->expect, r, &key,
                            f->action == FAULT_RATE_LIMIT || (f->action == FAULT_ERROR && f->status == 429)
                                ? f->retry_after : 0);
        if (f->action == FAULT_LATENCY) {
            latency += f->latency_ms;
        } else {
            memcpy(hit.id, f->id, sizeof hit.id);
            hit.action = f->action;
            hit.status = f->status;
            hit.retry_after = f->retry_after;
            terminal = true;
        }
    }
    pthread_rwlock_unlock(&lock);
    r->sandbox.latency_ms = latency > FAULT_LATENCY_MAX_MS ? FAULT_LATENCY_MAX_MS : latency;
    if (latency) r->sandbox.fault = action_names[FAULT_LATENCY];
    if (!terminal) return true;
    r->sandbox.fault = action_names[hit.action];
    switch (hit.action) {
    case FAULT_ERROR:
        if (hit.status == 429) { /* every 429 tells the client when to retry (alsorn.md §8) */
            r->sandbox.retry_after = hit.retry_after;
            reply_header(r, "Retry-After", "%ld", hit.retry_after);
        }
        reply_error(r, hit.status, error_code(hit.status, r->api, rate_limit_code),
                    "Injected fault %s: HTTP %d", hit.id, hit.status);
        break;
    case FAULT_RATE_LIMIT:
        r->sandbox.retry_after = hit.retry_after;
        r->sandbox.rl_remaining = 0;
        r->sandbox.rl_reset = r->now + hit.retry_after;
        reply_header(r, "Retry-After", "%ld", hit.retry_after);
        reply_error(r, 429, rate_limit_code, "Injected fault %s: rate limited; retry in %ld s",
                    hit.id, hit.retry_after);
        break;
    case FAULT_RESET:
        reply_drop_connection(r);
        break;
    case FAULT_LATENCY:
    case FAULT_PASS: break;
    }
    return false;
}
