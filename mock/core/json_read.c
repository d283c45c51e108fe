#include "core/json_read.h"

#include <math.h>
#include <string.h>

const char *jr_string(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsString(it)) return it->valuestring;
    *ok = false;
    return "";
}

const char *jr_string_or_null(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!it || cJSON_IsNull(it)) return NULL;
    if (cJSON_IsString(it)) return it->valuestring;
    *ok = false;
    return NULL;
}

int64_t jr_int(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsNumber(it) && isfinite(it->valuedouble) && it->valuedouble == floor(it->valuedouble) &&
        fabs(it->valuedouble) < 9e15)
        return (int64_t)it->valuedouble;
    *ok = false;
    return 0;
}

double jr_number(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsNumber(it) && isfinite(it->valuedouble)) return it->valuedouble;
    *ok = false;
    return 0;
}

bool jr_bool(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsBool(it)) return cJSON_IsTrue(it);
    *ok = false;
    return false;
}

int jr_enum(const cJSON *o, const char *name, const char *const *choices, bool *ok) {
    const char *s = jr_string(o, name, ok);
    for (int i = 0; choices[i]; i++)
        if (strcmp(s, choices[i]) == 0) return i;
    *ok = false;
    return 0;
}
