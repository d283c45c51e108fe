/* The virtual clock: GET/POST /_mock/clock (advance, set, reset).  Each test runs its own mock:
 * moving the clock of the shared one would move it under every other test. */
#include "sandbox.h"

#include <time.h>

Test(clock, read_advance_set_reset, .timeout = 60) {
    own_mock_start(NULL);
    cJSON *c = mock_call("GET", "/_mock/clock", NULL, 200);
    cr_assert(is_rfc3339_utc_seconds(jstr(c, "now")));
    cr_assert_eq(jnum(c, "offset_seconds"), 0);
    cJSON_Delete(c);
    long long real = (long long)time(NULL);
    cr_assert(llabs(mock_now() - real) <= 2, "an unmoved clock is real time");

    c = mock_call("POST", "/_mock/clock", "{\"advance_seconds\": 86400}", 200);
    cr_assert_eq(jnum(c, "offset_seconds"), 86400);
    cJSON_Delete(c);
    cr_assert(llabs(mock_now() - (real + 86400)) <= 2);
    struct tenant t;
    tenant_new(&t);
    cJSON *a = agent_register_named(&t, "Tomorrow");
    struct tm tm = {0};
    strptime(jstr(a, "created_at"), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cr_assert(llabs((long long)timegm(&tm) - (real + 86400)) <= 2,
              "objects are stamped with virtual time: created_at %s", jstr(a, "created_at"));
    cJSON_Delete(a);

    c = mock_call("POST", "/_mock/clock", "{\"set\": \"2030-01-02T03:04:05Z\"}", 200);
    cr_assert(!strncmp(jstr(c, "now"), "2030-01-02T03:04:0", 18), "now %s", jstr(c, "now"));
    cJSON_Delete(c);
    cr_assert(llabs(mock_now() - 1893553445LL) <= 2);

    c = mock_call("POST", "/_mock/clock", "{\"reset\": true}", 200);
    cr_assert_eq(jnum(c, "offset_seconds"), 0);
    cJSON_Delete(c);
    cr_assert(llabs(mock_now() - (long long)time(NULL)) <= 2);
    own_mock_stop();
}

Test(clock, bad_requests_are_422_and_move_nothing, .timeout = 60) {
    own_mock_start(NULL);
    struct { const char *body, *field; } cases[] = {
        {"{}", "advance_seconds"},
        {"{\"advance_seconds\": 10, \"reset\": true}", "reset"},
        {"{\"advance_seconds\": 10, \"set\": \"2030-01-01T00:00:00Z\"}", "set"},
        {"{\"advance_seconds\": 1.5}", "advance_seconds"},
        {"{\"advance_seconds\": \"60\"}", "advance_seconds"},
        {"{\"set\": \"yesterday\"}", "set"},
        {"{\"set\": \"2030-02-30T00:00:00Z\"}", "set"},
        {"{\"reset\": false}", "reset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_resp r;
        http_call("POST", "/_mock/clock", NULL, cases[i].body, NULL, &r);
        expect_field_error(&r, cases[i].field);
        http_resp_free(&r);
    }
    cJSON *c = mock_call("GET", "/_mock/clock", NULL, 200);
    cr_assert_eq(jnum(c, "offset_seconds"), 0);
    cJSON_Delete(c);
    own_mock_stop();
}
