#include "sandbox/clock.h"

#include <math.h>

#include "alsorn/agent_json.h"
#include "core/clock.h"

#define MAX_ADVANCE (100LL * 366 * 86400) /* a century either way */

static void reply_clock(struct req *r) {
    cJSON *o = cJSON_CreateObject();
    json_add_time(o, "now", clock_now());
    cJSON_AddNumberToObject(o, "offset_seconds", (double)clock_offset());
    reply_json(r, 200, o);
}

void mock_clock_get(struct req *r) { reply_clock(r); }

void mock_clock_change(struct req *r) {
    struct field_errors fe = {0};
    const cJSON *advance = cJSON_GetObjectItemCaseSensitive(r->json, "advance_seconds");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(r->json, "set");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(r->json, "reset");
    int64_t target = 0;
    if ((advance != NULL) + (set != NULL) + (reset != NULL) > 1) {
        field_error_add(&fe, set ? "set" : "reset", "give one of advance_seconds, set, reset");
    } else if (advance) {
        double v = cJSON_IsNumber(advance) ? advance->valuedouble : NAN;
        if (!(fabs(v) <= (double)MAX_ADVANCE && v == floor(v)))
            field_error_add(&fe, "advance_seconds", "must be an integer number of seconds within "
                                                    "a century either way");
    } else if (set) {
        if (!cJSON_IsString(set) || clock_parse(set->valuestring, &target) != 0)
            field_error_add(&fe, "set", "must be an RFC 3339 timestamp, e.g. 2026-01-02T03:04:05Z");
    } else if (reset) {
        if (!cJSON_IsTrue(reset)) field_error_add(&fe, "reset", "must be true");
    } else {
        field_error_add(&fe, "advance_seconds", "give advance_seconds, set or reset");
    }
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (advance) clock_advance((int64_t)advance->valuedouble);
    else if (set) clock_set(target);
    else clock_reset();
    reply_clock(r);
}
