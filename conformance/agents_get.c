/* §3 GET /agents/{id}: the stored Agent; unknown or malformed ids are 404. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

Test(get, returns_the_registered_agent) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Gettable");
    struct http_resp r;
    http_call("GET", fmt("/agents/%s", jstr(a, "id")), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_status(&r, 200);
    expect_request_id(&r);
    expect_agent_shape(r.json);
    cr_assert(cJSON_Compare(r.json, a, 1), "GET body differs from the 201 body: %s", resp_excerpt(&r));
    http_resp_free(&r);
    cJSON_Delete(a);
}

static void expect_404(const char *id) {
    struct http_resp r;
    http_call("GET", fmt("/agents/%s", id), tkey_min(&T, KEY_READ), NULL, NULL, &r);
    expect_error(&r, 404, "not_found");
    http_resp_free(&r);
}

Test(get, unknown_id_is_404) {
    tenant_new(&T);
    expect_404("agent_0000000000000000");
}

Test(get, malformed_ids_are_404) {
    tenant_new(&T);
    expect_404("xyz");
    expect_404("agent_UPPER");
    expect_404("agent_");
    expect_404("tx_abc123");
    expect_404("agent_abc%20def");
    expect_404("agent_%00");
}

Test(get, very_long_id_is_404) {
    tenant_new(&T);
    char *id = malloc(2001);
    memcpy(id, "agent_", 6);
    memset(id + 6, 'a', 1994);
    id[2000] = '\0';
    expect_404(id);
    free(id);
}

Test(get, id_case_is_significant) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Cased");
    char up[128];
    snprintf(up, sizeof up, "%s", jstr(a, "id"));
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    expect_404(up);
    cJSON_Delete(a);
}

Test(get, suspended_agent_is_readable) {
    tenant_new(&T);
    cJSON *a = agent_register_named(&T, "Napping");
    cJSON *s = agent_action(&T, jstr(a, "id"), "suspend");
    cJSON *g = agent_get(&T, jstr(a, "id"));
    cr_assert(cJSON_Compare(g, s, 1), "GET differs from the suspend response");
    cJSON_Delete(g);
    cJSON_Delete(s);
    cJSON_Delete(a);
}

Test(get, very_long_id_is_404_on_every_route) {
    tenant_new(&T);
    char *id = malloc(301);
    memcpy(id, "agent_", 6);
    memset(id + 6, 'b', 294);
    id[300] = '\0';
    const struct { const char *m, *p, *b; bool ext; } calls[] = {
        {"PATCH", fmt("/agents/%s", id), "{\"description\":\"x\"}", false},
        {"POST", fmt("/agents/%s/suspend", id), NULL, false},
        {"POST", fmt("/agents/%s/reactivate", id), NULL, true},
        {"DELETE", fmt("/agents/%s", id), NULL, true},
        {"GET", fmt("/agents/%s/audit", id), NULL, false},
        {"GET", fmt("/agents/%s/verify", id), NULL, false},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        if (calls[i].ext && ext_skipped()) continue;
        struct http_resp r;
        http_call(calls[i].m, calls[i].p, tkey(&T, KEY_ADMIN), calls[i].b, NULL, &r);
        expect_error(&r, 404, "not_found");
        http_resp_free(&r);
    }
    free(id);
}
