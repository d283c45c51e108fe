#include "core/json_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const cJSON *jr_member(const cJSON *o, const char *name) {
    if (!cJSON_IsObject(o)) return NULL;
    for (const cJSON *it = o->child; it; it = it->next) /* first byte first: most differ there */
        if (it->string && it->string[0] == name[0] && strcmp(it->string, name) == 0) return it;
    return NULL;
}

const char *jr_string(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = jr_member(o, name);
    if (cJSON_IsString(it)) return it->valuestring;
    *ok = false;
    return "";
}

const char *jr_string_or_null(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = jr_member(o, name);
    if (!it || cJSON_IsNull(it)) return NULL;
    if (cJSON_IsString(it)) return it->valuestring;
    *ok = false;
    return NULL;
}

int64_t jr_int(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = jr_member(o, name);
    if (cJSON_IsNumber(it) && isfinite(it->valuedouble) && it->valuedouble == floor(it->valuedouble) &&
        fabs(it->valuedouble) < 9e15)
        return (int64_t)it->valuedouble;
    *ok = false;
    return 0;
}

double jr_number(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = jr_member(o, name);
    if (cJSON_IsNumber(it) && isfinite(it->valuedouble)) return it->valuedouble;
    *ok = false;
    return 0;
}

bool jr_bool(const cJSON *o, const char *name, bool *ok) {
    const cJSON *it = jr_member(o, name);
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

void jr_copy(const cJSON *o, const char *name, char *out, size_t out_size, bool *ok) {
    const char *s = jr_string(o, name, ok);
    size_t n = strlen(s);
    if (n == 0 || n >= out_size) {
        *ok = false;
        n = 0;
    }
    memcpy(out, s, n); /* not snprintf: a large snapshot copies tens of millions of these */
    out[n] = '\0';
}

char *jr_strdup_or_null(const cJSON *o, const char *name, bool *ok) {
    const char *s = jr_string_or_null(o, name, ok);
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy) *ok = false;
    return copy;
}

const char **jr_strings(const cJSON *o, const char *name, size_t *n, bool *ok) {
    const cJSON *arr = jr_member(o, name);
    int size = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    const char **out = size >= 0 ? calloc((size_t)size + 1, sizeof *out) : NULL;
    *n = 0;
    for (const cJSON *it = out ? arr->child : NULL; it; it = it->next) {
        if (!cJSON_IsString(it)) {
            free(out);
            out = NULL;
            break;
        }
        out[(*n)++] = it->valuestring;
    }
    if (!out) {
        *ok = false;
        *n = 0;
    }
    return out;
}
