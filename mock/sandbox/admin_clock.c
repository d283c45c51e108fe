/* GET/POST /_mock/clock: the virtual clock every timestamp and window reads (core/clock.h). */
#include "sandbox/admin.h"

#include "core/clock.h"

#define ADVANCE_MAX (100LL * 366 * 86400) /* a century */

static void reply_clock(struct req *r) {
    char now[RFC3339_LEN];
    clock_format(clock_now(), now);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "now", now);
    cJSON_AddNumberToObject(o, "offset_seconds", (double)clock_offset());
    reply_json(r, 200, o);
}

/* GET /_mock/clock → {"now": RFC 3339, "offset_seconds": virtual minus real time} */
void mock_clock_get(struct req *r) { reply_clock(r); }

/* POST /_mock/clock with exactly one of {"advance_seconds": N >= 0}, {"set": RFC 3339},
 * {"reset": true} → 200 as GET. */
void mock_clock_set(struct req *r) {
    struct field_errors fe = {0};
    long long advance = 0;
    const char *set = NULL;
    bool reset = false;
    enum vres a = v_int(&fe, r->json, "advance_seconds", 0, ADVANCE_MAX, &advance);
    enum vres s = v_string(&fe, r->json, "set", 1, 64, false, &set);
    enum vres z = v_bool(&fe, r->json, "reset", &reset);
    int64_t target = 0;
    if (s == V_OK && clock_parse(set, &target) != 0)
        field_error_add(&fe, "set", "must be an RFC 3339 time such as 2030-01-01T00:00:00Z");
    if (z == V_OK && !reset) field_error_add(&fe, "reset", "must be true");
    if ((a != V_ABSENT) + (s != V_ABSENT) + (z != V_ABSENT) != 1)
        field_error_add(&fe, "advance_seconds", "send exactly one of advance_seconds, set, reset");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (a == V_OK) clock_advance(advance);
    if (s == V_OK) clock_set(target);
    if (z == V_OK) clock_reset();
    reply_clock(r);
}
