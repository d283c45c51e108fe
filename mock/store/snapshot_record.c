#include "store/snapshot_record.h"

#include <stdarg.h>
#include <stdio.h>

cJSON *snapshot_record(const char *type, const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "org_id", t->id);
    return o;
}

void snapshot_add_int(cJSON *o, const char *name, int64_t value) {
    cJSON_AddNumberToObject(o, name, (double)value);
}

int snapshot_fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}
