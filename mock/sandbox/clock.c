#include "sandbox/clock.h"

#include <math.h>

#include "core/clock.h"

#define ADVANCE_MAX (100LL * 365 * 86400) /* a century either way */

void mock_clock_get(struct req *r) {
    char now[RFC3339_LEN];
    clock_format(clock_now(), now);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "now", now);
    cJSON_AddNumberToObject(o, "offset_seconds", (double)clock_offset());
    reply_json(r, 200, o);
}

void mock_clock_set(struct req *r) {
    struct field_errors fe = {0};
    const cJSON *advance = cJSON_GetObjectItemCaseSensitive(r->json, "advance_seconds");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(r->json, "set");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(r->json, "reset");
    int given = (advance != NULL) + (set != NULL) + (reset != NULL);
    int64_t at = 0;
    if (given != 1)
        field_error_add(&fe, "advance_seconds", "send exactly one of advance_seconds, set, reset");
    else if (advance && (!cJSON_IsNumber(advance) || advance->valuedouble != floor(advance->valuedouble) ||
                         fabs(advance->valuedouble) > (double)ADVANCE_MAX))
        field_error_add(&fe, "advance_seconds", "must be an integer of seconds (at most a century)");
    else if (set && (!cJSON_IsString(set) || clock_parse(set->valuestring, &at) != 0))
        field_error_add(&fe, "set", "must be an RFC 3339 time such as 2030-01-02T03:04:05Z");
    else if (reset && !cJSON_IsTrue(reset))
        field_error_add(&fe, "reset", "must be true");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (advance) clock_advance((int64_t)advance->valuedouble);
    if (set) clock_set(at);
    if (reset) clock_reset();
    mock_clock_get(r);
}
