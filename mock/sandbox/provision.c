#include "sandbox/provision.h"

#include <stdio.h>
#include <string.h>

#include "alsorn/auth.h"
#include "alter/app.h"
#include "core/clock.h"
#include "core/text_copy.h"

struct tenant *provision_org(struct org_spec *spec) {
    struct tenant *t = tenant_new(spec->name, spec->plan, spec->operator_verified);
    if (!t) return NULL;
    if (spec->id) text_copy(t->id, sizeof t->id, spec->id);
    if (spec->user_id) text_copy(t->user_id, sizeof t->user_id, spec->user_id);
    if (spec->max_agents >= 0) t->max_agents = spec->max_agents;
    for (int level = KEY_READ; level <= KEY_ADMIN; level++) {
        char *key = spec->keys[level];
        if (!key[0]) random_hex(key, ALSORN_KEY_SIZE, "als_", 32);
        if (!alsorn_key_format_valid(key)) goto fail;
    }
    if (spec->alter_app_id) text_copy(t->alter->id, sizeof t->alter->id, spec->alter_app_id);
    store_tenant_add(t);
    for (int level = KEY_READ; level <= KEY_ADMIN; level++)
        if (store_key_add(t, spec->keys[level], (enum key_level)level) != 0) goto remove;
    tenant_lock(t);
    const char *app_key = spec->alter_app_key[0] ? spec->alter_app_key : NULL;
    bool issued = alter_key_issue(t, NULL, app_key, NULL, ALTER_SCOPES_ALL, clock_now(),
                                  spec->alter_app_key) != NULL;
    tenant_unlock(t);
    if (!issued) goto remove;
    return t;
remove:
    store_tenant_remove(t->id);
fail:
    tenant_release(t);
    return NULL;
}

cJSON *org_json(const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    char created[RFC3339_LEN];
    clock_format(t->created_at, created);
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "plan", plan_names[t->plan]);
    cJSON_AddBoolToObject(o, "operator_verified", t->operator_verified);
    cJSON_AddNumberToObject(o, "max_agents", (double)t->max_agents);
    cJSON_AddStringToObject(o, "user_id", t->user_id);
    cJSON_AddNumberToObject(o, "rate_limit", (double)atomic_load(&t->rate_limit));
    cJSON_AddNumberToObject(o, "rate_window_seconds", atomic_load(&t->rate_window_seconds));
    cJSON_AddNumberToObject(o, "alter_rate_limit_rpm", (double)atomic_load(&t->alter_rate_limit_rpm));
    cJSON_AddStringToObject(o, "created_at", created);
    return o;
}

cJSON *provision_org_json(const struct tenant *t, const struct org_spec *spec) {
    cJSON *o = org_json(t);
    cJSON *keys = cJSON_AddObjectToObject(o, "keys");
    for (int level = KEY_READ; level <= KEY_ADMIN; level++)
        cJSON_AddStringToObject(keys, key_level_names[level], spec->keys[level]);
    cJSON *alter = cJSON_AddObjectToObject(o, "alter");
    cJSON_AddStringToObject(alter, "app_id", t->alter->id);
    cJSON_AddStringToObject(alter, "app_key", spec->alter_app_key);
    return o;
}
