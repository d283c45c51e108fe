#include "sandbox/fields_probe.h"

#include <stdio.h>
#include <string.h>

cJSON *fields_probe_body(const char *session_id) {
    cJSON *o = cJSON_CreateObject();
    char name[64];
    snprintf(name, sizeof name, "fields probe %s", session_id);
    cJSON_AddStringToObject(o, "name", name);
    /* non-ASCII, and every value unlike its default, so a dropped field shows */
    cJSON_AddStringToObject(o, "description", "Every field set: caf\xc3\xa9, \xe2\x9c\x93, \"quoted\"");
    static const char *const actions[] = {"read_data", "execute_trades", "probe.fields:all"};
    cJSON_AddItemToObject(o, "authorized_actions", cJSON_CreateStringArray(actions, 3));
    cJSON_AddNumberToObject(o, "spending_limit", 1234.5);
    cJSON_AddStringToObject(o, "currency", "EUR");
    cJSON_AddStringToObject(o, "environment", "staging");
    return o;
}

bool fields_probe_is(const cJSON *expected, const cJSON *got) {
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(expected, "name");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(got, "name");
    return cJSON_IsString(want) && cJSON_IsString(name) && !strcmp(want->valuestring, name->valuestring);
}

static bool same(const cJSON *want, const cJSON *sent) {
    if (!cJSON_IsArray(want) || !cJSON_IsArray(sent)) return cJSON_Compare(want, sent, true);
    if (cJSON_GetArraySize(want) != cJSON_GetArraySize(sent)) return false;
    const cJSON *w, *x;
    cJSON_ArrayForEach(w, want) {
        bool found = false;
        cJSON_ArrayForEach(x, sent) found = found || cJSON_Compare(w, x, true);
        if (!found) return false;
    }
    return true;
}

int fields_probe_compare(const cJSON *expected, const cJSON *got, char *detail, size_t size) {
    int n = 0;
    size_t at = 0;
    detail[0] = '\0';
    const cJSON *want;
    cJSON_ArrayForEach(want, expected) {
        const cJSON *sent = cJSON_GetObjectItemCaseSensitive(got, want->string);
        if (sent && same(want, sent)) continue;
        n++;
        if (at < size) {
            int w = snprintf(detail + at, size - at, "%s%s %s", at ? ", " : "", want->string,
                             sent ? "differs" : "missing");
            if (w > 0) at += (size_t)w;
        }
    }
    return n;
}
