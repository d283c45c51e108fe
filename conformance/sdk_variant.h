/* A small SDK with deliberate bugs, for the report's checks (sdk_variants.c for Alsorn,
 * sdk_variants_alter.c for Alter).  Like a real SDK's session it keeps one libcurl handle, so
 * one keep-alive connection; its retry policy honours Retry-After, keeps one Idempotency-Key
 * across a POST's attempts and never retries a 4xx, unless the bug it runs with says otherwise.
 * A test runs one workload against its own org once correct and once per bug: each bug must be
 * named by its check and by no other, and the correct SDK must draw no violation at all. */
#ifndef CONFORMANCE_SDK_VARIANT_H
#define CONFORMANCE_SDK_VARIANT_H

#include "harness.h"

#include <curl/curl.h>

enum bug {
    BUG_NONE = 0,
    BUG_IGNORE_RETRY_AFTER,   /* retries a 429 at once */
    BUG_SENDS_WHILE_LIMITED,  /* after a 429, sends its next call at once */
    BUG_NEW_IDEMPOTENCY_KEY,  /* a new Idempotency-Key on each attempt */
    BUG_NO_IDEMPOTENCY_KEY,   /* POSTs without one */
    BUG_RETRIES_4XX,          /* retries a 404 */
    BUG_RETRIES_SUCCESS,      /* sends a POST that succeeded again */
    BUG_SHORT_TIMEOUT,        /* gives up after 200 ms */
    BUG_KEY_IN_QUERY,         /* the key in the query string too */
    BUG_PAGE_PAST_END,        /* walks pages until one comes back empty */
    BUG_PAGINATION_LOOP,      /* asks the first page twice */
    BUG_UNKNOWN_FIELD,        /* a field the API does not have */
    BUG_WRONG_TYPE,           /* a value of the wrong JSON type */
    BUG_NO_USER_AGENT,        /* no User-Agent */
    BUG_NO_RETRY,             /* hands a 429, a 5xx or a drop to its caller */
    BUGS
};

/* The report's check that names the bug (violations.by_kind). */
extern const char *const sdk_expected_check[BUGS];

struct sdk {
    CURL *curl;
    const char *base;       /* the API's base URL (target_base_url() or alter_base_url()) */
    const char *auth;       /* the credential header up to the key: "x-api-key: " */
    const char *key;
    const char *probe_path; /* what BUG_SENDS_WHILE_LIMITED asks at once after a 429 */
    enum bug bug;
    int n;                  /* requests made, for unique idempotency keys */
    char error[160];        /* the workload's first unexpected answer; "" = none */
};

struct answer {
    long status; /* 0: no answer (dropped, timed out) */
    long retry_after;
    cJSON *json;
};

/* The workload also runs on threads, where Criterion's assertions must not be used (their
 * events share one pipe): it records the first surprise and stops; the test asserts on it.
 * Frees the answer `a` in scope. */
#define EXPECT(s, cond, ...)                                                                   \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            snprintf((s)->error, sizeof (s)->error, __VA_ARGS__);                              \
            cJSON_Delete(a.json);                                                              \
            return;                                                                            \
        }                                                                                      \
    } while (0)

/* A string member, "" when absent. */
const char *sdk_str(const cJSON *o, const char *name);

/* A call with the SDK's retry policy (at most 8 attempts); the caller deletes a.json. */
struct answer sdk_call(struct sdk *s, const char *method, const char *path, const char *body);

typedef void (*sdk_workload)(struct sdk *s, const char *tag);

/* BUG_NO_RETRY gave up on this answer: the workload goes on without it. */
bool sdk_gave_up(const struct sdk *s, const struct answer *a);

/* One API's side of the tests: its SDK's settings, its workload and its hard cases' paths. */
struct sdk_api {
    struct sdk (*sdk_for)(struct tenant *t, enum bug bug);
    sdk_workload workload;
    const char *post_prefix, *slow_get_prefix, *patch_prefix; /* the hard cases' paths */
    const char *post_route; /* the report's route row of post_prefix ("/sdk/agents") */
};

/* The org's hard cases: a 429 (Retry-After 2), then a 503, then a dropped connection on the
 * first POST under post_prefix; 600 ms of latency on the first GET under slow_get_prefix; a
 * sequence that answers the first PATCH under patch_prefix with a 503 and expects its retry
 * within 300 ms.  For BUG_NO_RETRY the sequence alone: the SDK would hand the first POST's
 * 429 to its caller, and the workload could not go on. */
void sdk_hard_cases(const struct sdk_api *api, struct tenant *t, enum bug bug);

/* Every bug in turn, each on a fresh org with the hard cases: named by its check, by no other. */
void sdk_check_each_bug(const struct sdk_api *api);
/* The correct SDK on a fresh org with the hard cases: no violation, and the workload met the
 * 429, the 503 and the drop.  Returns the org's report for more checks (caller deletes). */
cJSON *sdk_check_correct(const struct sdk_api *api, struct tenant *t);
/* Runs the correct SDK on n threads (n <= 8) sharing one key, each on its own handle with the
 * tag "<t->tag>-<i>"; fails the test on any thread's surprise. */
void sdk_run_threads(int n, const struct sdk_api *api, struct tenant *t);
/* How many requests of the report's org were answered with status ("429"), on any route. */
long sdk_answered(const cJSON *report, const char *status);

/* The report has no violation at all. */
void sdk_expect_clean(const cJSON *report);
/* The report has n violations, all of that kind (NULL when n is 0). */
void sdk_expect_only(const cJSON *report, const char *kind, long n);

#endif
