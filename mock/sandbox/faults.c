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

enum action { FAULT_ERROR, FAULT_LATENCY, FAULT_RESET, FAULT_RATE_LIMIT };
static const char *const action_names[] = {"error", "latency", "reset", "rate_limit", NULL};
static const char *const methods[] = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL};


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
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct fault *faults[FAULTS_MAX]; /* creation order */
static _Atomic int n_faults;             /* written under the write lock */

/* ---- admin side -------------------------------------------------------------------------- */

static cJSON *fault_json(const struct fault *f) {
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
        out = fault_json(f);
        f = NULL;
    }
    pthread_rwlock_unlock(&lock);
    free(f); /* the list was full */
    return out;
}

cJSON *faults_list_json(void) {
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults); i++) cJSON_AddItemToArray(data, fault_json(faults[i]));
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
            free(faults[i]);
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

static bool matches(const struct fault *f, const struct req *r) {
    if (f->method[0] != '*' && strcmp(f->method, r->method) != 0) return false;
    if (strncmp(r->path, f->path_prefix, strlen(f->path_prefix)) != 0) return false;
    if (f->org_id[0] && (!r->caller.tenant || strcmp(f->org_id, r->caller.tenant->id) != 0))
        return false;
    return true;
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

/* A code for an injected error status, in the spirit of the api's table. */
static const char *error_code(int status, const char *rate_limit_code) {
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
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
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < atomic_load(&n_faults) && !terminal; i++) {
        struct fault *f = faults[i];
        if (!matches(f, r) || !fires(f)) continue;
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
        reply_error(r, hit.status, error_code(hit.status, rate_limit_code),
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
    case FAULT_LATENCY: break;
    }
    return false;
}
