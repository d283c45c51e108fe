/* The report names Alsorn SDK bugs: the small SDK of sdk_variant.h runs one workload against
 * its own org, once correct and once with each deliberate bug.  Each bug must be named by its check, and only by it; the correct
 * SDK, four threads on one key under real 429s, must draw no violation at all. */
#include "sandbox.h"
#include "sdk_variant.h"

#include <stdio.h>

/* The workload: register agents (the org's faults put a 429, a 503 and a drop in the way),
 * look one up that does not exist, walk the list, read and update one (a 503 first). */
static void workload(struct sdk *s, const char *tag) {
    char first[64] = "";
    for (int i = 0; i < 3; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\": \"Variant %s %d\", \"authorized_actions\": [\"execute_trades\"], "
                 "\"spending_limit\": 100%s}", tag, i, s->bug == BUG_UNKNOWN_FIELD ? ", \"colour\": \"red\"" : "");
        struct answer a = sdk_call(s, "POST", "/agents", body);
        EXPECT(s, a.status == 201, "register: HTTP %ld", a.status);
        if (!first[0]) snprintf(first, sizeof first, "%s", sdk_str(a.json, "id"));
        cJSON_Delete(a.json);
    }
    struct answer a = sdk_call(s, "GET", "/agents/agent_doesnotexist00", NULL);
    EXPECT(s, a.status == 404, "missing agent: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    /* the list, 2 a page: the last page is where total_pages says (fmt() is not for threads) */
    char path[160];
    long page = 1, pages = 1;
    bool looped = false;
    do {
        snprintf(path, sizeof path, "/agents?limit=2&page=%ld", page);
        a = sdk_call(s, "GET", path, NULL);
        EXPECT(s, a.status == 200, "list: HTTP %ld", a.status);
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a.json, "pagination"), "total_pages");
        EXPECT(s, cJSON_IsNumber(tp), "list: no pagination.total_pages");
        pages = (long)tp->valuedouble;
        bool empty = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a.json, "data")) == 0;
        cJSON_Delete(a.json);
        if (s->bug == BUG_PAGINATION_LOOP && !looped) {
            looped = true; /* forgets to advance, once */
            continue;
        }
        if (s->bug == BUG_PAGE_PAST_END) {
            if (empty) break;
        } else if (page >= pages) {
            break;
        }
        page++;
    } while (page < 50);
    snprintf(path, sizeof path, "/agents/%s", first);
    a = sdk_call(s, "GET", path, NULL);
    EXPECT(s, a.status == 200, "get: HTTP %ld", a.status);
    cJSON_Delete(a.json);
    a = sdk_call(s, "PATCH", path,
                 s->bug == BUG_WRONG_TYPE ? "{\"spending_limit\": \"250\"}" : "{\"spending_limit\": 250}");
    EXPECT(s, a.status == (s->bug == BUG_WRONG_TYPE ? 422 : 200) || sdk_gave_up(s, &a),
           "patch: HTTP %ld", a.status);
    cJSON_Delete(a.json);
}

static struct sdk sdk_for(struct tenant *t, enum bug bug) {
    return (struct sdk){.base = target_base_url(), .auth = "Authorization: Bearer ",
                        .key = t->key[KEY_WRITE], .probe_path = "/agents?limit=1", .bug = bug};
}

static const struct sdk_api API = {.sdk_for = sdk_for, .workload = workload, .post_prefix = "/agents",
                                   .patch_prefix = "/agents/", .slow_get_prefix = "/agents/agent_", .post_route = "/agents"};

Test(sdk_variants, each_bug_is_named_by_its_check_and_only_by_it, .timeout = 240) {
    require_mock();
    sdk_check_each_bug(&API);
}

Test(sdk_variants, the_correct_sdk_draws_no_violation, .timeout = 60) {
    require_mock();
    struct tenant t;
    cJSON_Delete(sdk_check_correct(&API, &t));
}

/* Four threads, one key, a limit they all run into: each thread meets 429s the others caused
 * (and requests of other threads land inside its windows); none of it is a violation. */
Test(sdk_variants, the_correct_sdk_on_four_threads_under_real_429s_is_clean, .timeout = 120) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    cJSON_Delete(org_patch(&t, "{\"rate_limit\": 8, \"rate_window_seconds\": 2}"));
    sdk_hard_cases(&API, &t, BUG_NONE);
    sdk_run_threads(4, &API, &t);
    cJSON *rep = report_of(&t);
    cr_assert(sdk_answered(rep, "429") >= 3, "the threads ran into the limit");
    sdk_expect_clean(rep);
    cJSON_Delete(rep);
}
