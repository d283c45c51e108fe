/* GET /_mock/openapi/{file}: the OpenAPI documents of both APIs and the sandbox, served by the
 * mock from its own binary (mock/openapi/; their agreement with the route table is a unit test,
 * mock/tests/test_openapi.c). */
#include "sandbox.h"

static void expect_document(const char *file, const char *title_word, const char *a_path) {
    struct http_resp r;
    http_call("GET", fmt("/_mock/openapi/%s", file), NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    expect_request_id(&r);
    const char *type = resp_header(&r, "Content-Type");
    cr_assert(type && !strncmp(type, "application/json", 16), "%s: Content-Type %s", file,
              type ? type : "(none)");
    cr_assert_not_null(r.json, "%s is not JSON: %s", file, resp_excerpt(&r));
    cr_assert_str_eq(jstr(r.json, "openapi"), "3.1.0");
    cr_assert(strstr(jstr(jobj(r.json, "info"), "title"), title_word), "%s: title %s", file,
              jstr(jobj(r.json, "info"), "title"));
    const cJSON *paths = jobj(r.json, "paths");
    cr_assert(cJSON_GetObjectItemCaseSensitive(paths, a_path), "%s has no path %s", file, a_path);
    cr_assert(cJSON_GetArraySize(paths) >= 10, "%s: only %d paths", file, cJSON_GetArraySize(paths));
    cr_assert(cJSON_GetObjectItemCaseSensitive(jobj(r.json, "components"), "schemas"),
              "%s: no component schemas", file);
    http_resp_free(&r);
}

Test(openapi, the_three_documents_are_served) {
    require_mock();
    expect_document("alsorn.json", "Alsorn", "/agents/{id}/verify");
    expect_document("alter.json", "Alter", "/sdk/agents/{id}/keys/{key_id}/revoke");
    expect_document("sandbox.json", "sandbox", "/_mock/openapi/{file}");
}

Test(openapi, an_unknown_document_is_404) {
    require_mock();
    struct http_resp r;
    http_call("GET", "/_mock/openapi/openapi.yaml", NULL, NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}
