#include "field_errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void copy_string_member(const cJSON *obj, const char *key, char *dst, size_t size) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(item)) snprintf(dst, size, "%s", item->valuestring);
}

void message_from_foreign_body(char *message, size_t size, long http_status, const char *body,
                               size_t body_len) {
    snprintf(message, size, "HTTP %ld%s%.*s", http_status, body_len ? ": " : "",
             (int)(body_len > 200 ? 200 : body_len), body ? body : "");
}

static char **member_at(void *items, size_t i, size_t elem_size, size_t off) {
    return (char **)((char *)items + i * elem_size + off);
}

void field_errors_release(void *items, size_t count, size_t elem_size, size_t field_off,
                          size_t message_off) {
    for (size_t i = 0; items && i < count; i++) {
        free(*member_at(items, i, elem_size, field_off));
        free(*member_at(items, i, elem_size, message_off));
    }
    free(items);
}

bool field_errors_copy(const cJSON *list, size_t elem_size, size_t field_off, size_t message_off,
                       void **items, size_t *count) {
    *items = NULL;
    *count = 0;
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n <= 0) return true;
    void *out = calloc((size_t)n, elem_size);
    if (!out) return false;
    size_t got = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(item, "field");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(item, "message");
        if (!cJSON_IsString(field)) continue;
        char **f = member_at(out, got, elem_size, field_off);
        char **m = member_at(out, got, elem_size, message_off);
        *f = strdup(field->valuestring);
        *m = strdup(cJSON_IsString(message) ? message->valuestring : "");
        got++;
        if (!*f || !*m) {
            field_errors_release(out, got, elem_size, field_off, message_off);
            return false;
        }
    }
    *items = out;
    *count = got;
    return true;
}
