/* §3 GET /agents and §7 pagination: order, filters, page/limit rules. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

/* GET path (on live, scoped to this test's tag); asserts 200; caller deletes. */
static cJSON *list(const char *query) {
    struct http_resp r;
    const char *path = T.live && !strstr(query, "search=") ? fmt("/agents?search=%s%s%s", T.tag, *query ? "&" : "", query)
                              : fmt("/agents%s%s", *query ? "?" : "", query);
    http_call("GET", path, tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    cr_assert(cJSON_IsObject(j), "GET %s: body not an object", path);
    jarr(j, "data");
    jobj(j, "pagination");
    return j;
}

static void expect_pagination(const cJSON *j, int page, int limit, int total, int total_pages) {
    const cJSON *p = jobj(j, "pagination");
    char *s = cJSON_PrintUnformatted(p);
    cr_assert(jnum(p, "page") == page && jnum(p, "limit") == limit && jnum(p, "total") == total &&
                  jnum(p, "total_pages") == total_pages,
              "pagination %s, expected page %d limit %d total %d total_pages %d", s, page, limit, total,
              total_pages);
    free(s);
}

static void expect_bad_query(const char *query, const char *field) {
    struct http_resp r;
    http_call("GET", fmt("/agents?%s", query), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_field_error(&r, field);
    http_resp_free(&r);
}

/* Registers n agents named "<base> i <tag>"; ids[i] in registration order. */
static void register_n(int n, const char *base, char ids[][96]) {
    for (int i = 0; i < n; i++) {
        cJSON *a = agent_register_named(&T, fmt("%s %d", base, i));
        snprintf(ids[i], 96, "%s", jstr(a, "id"));
        cJSON_Delete(a);
    }
}

static const char *item_id(const cJSON *j, int i) {
    const cJSON *it = cJSON_GetArrayItem(jarr(j, "data"), i);
    cr_assert(it, "no data[%d]", i);
    return jstr(it, "id");
}

Test(list, empty_org) {
    tenant_new(&T);
    cJSON *j = list("");
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 0);
    const cJSON *p = jobj(j, "pagination");
    cr_assert_eq(jnum(p, "page"), 1);
    cr_assert_eq(jnum(p, "limit"), 20, "default limit is 20");
    cr_assert_eq(jnum(p, "total"), 0);
    cr_assert_eq(jnum(p, "total_pages"), 0, "no rows: ceil(0/20) = 0 pages");
    cJSON_Delete(j);
}

Test(list, newest_first_and_full_agents) {
    tenant_new(&T);
    char ids[3][96];
    register_n(3, "Ordered", ids);
    cJSON *j = list("");
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(item_id(j, i), ids[2 - i], "data[%d] is not the %d-th newest", i, i + 1);
        expect_agent_shape(cJSON_GetArrayItem(jarr(j, "data"), i));
    }
    expect_pagination(j, 1, 20, 3, 1);
    cJSON *g = agent_get(&T, ids[1]);
    cr_assert(cJSON_Compare(g, cJSON_GetArrayItem(jarr(j, "data"), 1), 1), "list item differs from GET");
    cJSON_Delete(g);
    cJSON_Delete(j);
}

Test(list, pagination_across_pages) {
    tenant_new(&T);
    char ids[5][96];
    register_n(5, "Paged", ids);
    const int sizes[] = {2, 2, 1, 0};
    int seen = 0;
    for (int page = 1; page <= 4; page++) {
        cJSON *j = list(fmt("limit=2&page=%d", page));
        expect_pagination(j, page, 2, 5, 3);
        cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), sizes[page - 1], "page %d size", page);
        for (int i = 0; i < sizes[page - 1]; i++, seen++)
            cr_assert_str_eq(item_id(j, i), ids[4 - seen], "page %d item %d out of order", page, i);
        cJSON_Delete(j);
    }
    cr_assert_eq(seen, 5);
}

Test(list, limit_bounds_accepted) {
    tenant_new(&T);
    char ids[2][96];
    register_n(2, "Bounded", ids);
    cJSON *j = list("limit=1");
    expect_pagination(j, 1, 1, 2, 2);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 1);
    cJSON_Delete(j);
    j = list("limit=100");
    expect_pagination(j, 1, 100, 2, 1);
    cJSON_Delete(j);
}

Test(list, limit_zero_is_422) { tenant_new(&T); expect_bad_query("limit=0", "limit"); }
Test(list, limit_101_is_422) { tenant_new(&T); expect_bad_query("limit=101", "limit"); }
Test(list, limit_negative_is_422) { tenant_new(&T); expect_bad_query("limit=-1", "limit"); }
Test(list, limit_not_integer_is_422) {
    tenant_new(&T);
    expect_bad_query("limit=abc", "limit");
    expect_bad_query("limit=2.5", "limit");
    expect_bad_query("limit=10abc", "limit");
}
Test(list, limit_huge_is_422) { tenant_new(&T); expect_bad_query("limit=99999999999999999999", "limit"); }
Test(list, page_zero_is_422) { tenant_new(&T); expect_bad_query("page=0", "page"); }
Test(list, page_negative_is_422) { tenant_new(&T); expect_bad_query("page=-3", "page"); }
Test(list, page_not_integer_is_422) {
    tenant_new(&T);
    expect_bad_query("page=abc", "page");
    expect_bad_query("page=1.5", "page");
}
Test(list, page_and_limit_both_bad_both_listed) {
    tenant_new(&T);
    struct http_resp r;
    http_call("GET", "/agents?page=0&limit=0", tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_field_error(&r, "page");
    expect_field_error(&r, "limit");
    http_resp_free(&r);
}

Test(list, filter_status) {
    tenant_new(&T);
    char ids[3][96];
    register_n(3, "Stat", ids);
    cJSON_Delete(agent_action(&T, ids[1], "suspend"));
    cJSON *j = list("status=suspended");
    expect_pagination(j, 1, 20, 1, 1);
    cr_assert_str_eq(item_id(j, 0), ids[1]);
    cJSON_Delete(j);
    j = list("status=active");
    expect_pagination(j, 1, 20, 2, 1);
    cr_assert_str_eq(item_id(j, 0), ids[2]);
    cr_assert_str_eq(item_id(j, 1), ids[0]);
    cJSON_Delete(j);
    j = list(""); /* no filter: active and suspended */
    expect_pagination(j, 1, 20, 3, 1);
    cJSON_Delete(j);
}

Test(list, filter_status_invalid_is_422) {
    tenant_new(&T);
    expect_bad_query("status=paused", "status");
    expect_bad_query("status=ACTIVE", "status");
}

Test(list, deleted_only_with_status_deleted) {
    require_ext();
    tenant_new(&T);
    char ids[2][96];
    register_n(2, "Gone", ids);
    cJSON_Delete(agent_delete(&T, ids[0]));
    cJSON *j = list("");
    expect_pagination(j, 1, 20, 1, 1);
    cr_assert_str_eq(item_id(j, 0), ids[1], "a list without status lists non-deleted agents only");
    cJSON_Delete(j);
    j = list("status=deleted");
    expect_pagination(j, 1, 20, 1, 1);
    cr_assert_str_eq(item_id(j, 0), ids[0]);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(jarr(j, "data"), 0), "status"), "deleted");
    cJSON_Delete(j);
    j = list("status=active");
    expect_pagination(j, 1, 20, 1, 1);
    cJSON_Delete(j);
}

Test(list, filter_environment) {
    tenant_new(&T);
    const char *envs[] = {"production", "staging", "sandbox", "staging"};
    char ids[4][96];
    for (int i = 0; i < 4; i++) {
        cJSON *a = agent_register(&T, fmt("{\"name\":\"%s\",\"authorized_actions\":[\"a\"],\"spending_limit\":5,"
                                          "\"environment\":\"%s\"}", tname(&T, fmt("Env %d", i)), envs[i]));
        snprintf(ids[i], 96, "%s", jstr(a, "id"));
        cJSON_Delete(a);
    }
    cJSON *j = list("environment=staging");
    expect_pagination(j, 1, 20, 2, 1);
    cr_assert_str_eq(item_id(j, 0), ids[3]);
    cr_assert_str_eq(item_id(j, 1), ids[1]);
    cJSON_Delete(j);
    j = list("environment=sandbox");
    expect_pagination(j, 1, 20, 1, 1);
    cr_assert_str_eq(item_id(j, 0), ids[2]);
    cJSON_Delete(j);
    j = list("environment=production&status=active");
    expect_pagination(j, 1, 20, 1, 1);
    cr_assert_str_eq(item_id(j, 0), ids[0]);
    cJSON_Delete(j);
}

Test(list, filter_environment_invalid_is_422) {
    tenant_new(&T);
    expect_bad_query("environment=prod", "environment");
}

Test(list, search_is_case_insensitive_substring_of_name) {
    tenant_new(&T);
    const char *names[] = {"Alpha Trader", "beta bot", "The ALPHA two", "Gamma"};
    char ids[4][96];
    for (int i = 0; i < 4; i++) {
        cJSON *a = agent_register_named(&T, names[i]);
        snprintf(ids[i], 96, "%s", jstr(a, "id"));
        cJSON_Delete(a);
    }
    struct http_resp r;
    http_call("GET", fmt("/agents?search=%s", urlenc("aLpHa")), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    /* on a live target other tests' agents may match too; only this test's tag counts */
    int mine = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, jarr(r.json, "data")) {
        const char *n = jstr(it, "name");
        if (strstr(n, T.tag)) {
            mine++;
            cr_assert(!strcmp(jstr(it, "id"), ids[0]) || !strcmp(jstr(it, "id"), ids[2]), "search matched %s", n);
        }
    }
    cr_assert_eq(mine, 2, "search=aLpHa should match 2 of this test's agents: %s", resp_excerpt(&r));
    if (!T.live) {
        expect_pagination(r.json, 1, 20, 2, 1);
        cr_assert_str_eq(item_id(r.json, 0), ids[2]);
        cr_assert_str_eq(item_id(r.json, 1), ids[0]);
    }
    http_resp_free(&r);

    http_call("GET", fmt("/agents?search=%s", urlenc("a tr")), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    mine = 0;
    cJSON_ArrayForEach(it, jarr(r.json, "data")) if (strstr(jstr(it, "name"), T.tag)) mine++;
    cr_assert_eq(mine, 1, "search with a space \"a tr\": %s", resp_excerpt(&r));
    http_resp_free(&r);

    cJSON *j = list(fmt("search=%s", urlenc("zzz-no-such-name")));
    expect_pagination(j, 1, 20, 0, 0);
    cJSON_Delete(j);
}

Test(list, search_combines_with_pagination) {
    tenant_new(&T);
    char ids[3][96];
    char base[64];
    snprintf(base, sizeof base, "Findme%s", T.tag); /* unique even in a shared live org */
    register_n(3, base, ids);
    cJSON_Delete(agent_register_named(&T, "Other"));
    cJSON *j = list(fmt("search=FINDME%s&limit=2&page=2", T.tag));
    expect_pagination(j, 2, 2, 3, 2);
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 1);
    cr_assert_str_eq(item_id(j, 0), ids[0]);
    cJSON_Delete(j);
}

Test(list, very_large_page_is_empty_200) {
    tenant_new(&T);
    cJSON_Delete(agent_register_named(&T, "Lonely"));
    cJSON *j = list("page=2147483647&limit=100");
    cr_assert_eq(cJSON_GetArraySize(jarr(j, "data")), 0);
    expect_pagination(j, 2147483647, 100, 1, 1);
    cJSON_Delete(j);
}
