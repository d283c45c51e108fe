#include "store/snapshot_record.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

cJSON *snapshot_record(const char *type, const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    snapshot_add_string(o, "type", type);
    snapshot_add_string(o, "org_id", t->id);
    return o;
}

void snapshot_add_string(cJSON *o, const char *name, const char *value) {
    cJSON_AddItemToObjectCS(o, name, value ? cJSON_CreateStringReference(value) : cJSON_CreateNull());
}

cJSON *snapshot_record_of(const char *type, const struct tenant *t, cJSON *fields) {
    cJSON *o = snapshot_record(type, t);
    for (cJSON *field; fields && (field = fields->child);) {
        cJSON_DetachItemViaPointer(fields, field);
        cJSON_AddItemToObject(o, field->string, field); /* copies the name before freeing it */
    }
    cJSON_Delete(fields);
    return o;
}

void snapshot_add_int(cJSON *o, const char *name, int64_t value) {
    /* as raw digits: cJSON prints a number with %1.15g and reads it back with sscanf to check
     * it, which was a quarter of the time of saving a million agents */
    char digits[24], *p = digits + sizeof digits;
    uint64_t v = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    *--p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    if (value < 0) *--p = '-';
    cJSON_AddItemToObjectCS(o, name, cJSON_CreateRaw(p));
}

int snapshot_fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}

int snapshot_fail_fields(char *err, size_t err_size, const char *what, struct field_errors *fe) {
    const cJSON *first = cJSON_GetArrayItem(fe->list, 0);
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(first, "field");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(first, "message");
    snapshot_fail(err, err_size, "%s: %s %s", what,
                  cJSON_IsString(field) ? field->valuestring : "?",
                  cJSON_IsString(message) ? message->valuestring : "is invalid");
    field_errors_free(fe);
    return -1;
}
