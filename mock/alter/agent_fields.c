#include "alter/agent_fields.h"
#include "alter/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alter/app.h"
#include "alter/policy.h"


bool alter_agent_name_valid(const char *name) {
    size_t n = strlen(name);
    if (n < 2 || n > ALTER_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '-'))) return false;
    }
    return true;
}

/* cJSON keeps both members of {"a": 1, "a": 2}; stored and re-rendered, that would be a
 * different object than the caller meant, so such bodies are refused. */
static bool has_duplicate_keys(const cJSON *item) {
    for (const cJSON *a = item->child; a; a = a->next) {
        if (cJSON_IsObject(item))
            for (const cJSON *b = a->next; b; b = b->next)
                if (strcmp(a->string, b->string) == 0) return true;
        if (has_duplicate_keys(a)) return true;
    }
    return false;
}

/* An object member that is present: V_BAD (with an error) unless it is an object without
 * repeated keys. */
static enum vres object_member(struct field_errors *fe, const cJSON *body, const char *name,
                               const cJSON **out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!it) return V_ABSENT;
    if (!cJSON_IsObject(it)) {
        field_error_add(fe, name, "must be an object");
        return V_BAD;
    }
    if (has_duplicate_keys(it)) {
        field_error_add(fe, name, "must not repeat a key");
        return V_BAD;
    }
    *out = it;
    return V_OK;
}

static bool string_in(const cJSON *arr, const char *s, const cJSON *stop) {
    for (const cJSON *it = arr->child; it && it != stop; it = it->next)
        if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0) return true;
    return false;
}

static enum vres check_scopes(struct field_errors *fe, const cJSON *scopes) {
    enum vres result = V_OK;
    if (cJSON_GetArraySize(scopes) > ALTER_PROVIDERS_MAX) {
        field_error_add(fe, "scopes", "must name at most %d providers", ALTER_PROVIDERS_MAX);
        return V_BAD;
    }
    for (const cJSON *p = scopes->child; p; p = p->next) {
        char path[ALTER_PROVIDER_NAME_MAX + 32];
        snprintf(path, sizeof path, "scopes.%.*s", ALTER_PROVIDER_NAME_MAX + 1, p->string);
        size_t name_chars = utf8_chars(p->string);
        if (name_chars < 1 || name_chars > ALTER_PROVIDER_NAME_MAX) {
            field_error_add(fe, path, "provider names are 1 to %d characters", ALTER_PROVIDER_NAME_MAX);
            result = V_BAD;
            continue;
        }
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) > ALTER_SCOPES_PER_PROVIDER) {
            field_error_add(fe, path, "must be an array of at most %d scope strings",
                            ALTER_SCOPES_PER_PROVIDER);
            result = V_BAD;
            continue;
        }
        int i = 0;
        for (const cJSON *s = p->child; s; s = s->next, i++) {
            char item[ALTER_PROVIDER_NAME_MAX + 48];
            snprintf(item, sizeof item, "%s[%d]", path, i);
            size_t chars = cJSON_IsString(s) ? utf8_chars(s->valuestring) : 0;
            if (chars < 1 || chars > ALTER_SCOPE_NAME_MAX) {
                field_error_add(fe, item, "must be a string of 1 to %d characters", ALTER_SCOPE_NAME_MAX);
                result = V_BAD;
            } else if (string_in(p, s->valuestring, s)) {
                field_error_add(fe, item, "duplicates an earlier scope");
                result = V_BAD;
            }
        }
    }
    return result;
}

void alter_agent_fields_parse(const cJSON *body, bool with_name, struct field_errors *fe,
                              struct alter_agent_fields *f) {
    memset(f, 0, sizeof *f);
    if (with_name) {
        f->name = v_string(fe, body, "name", 0, 10000, false, &f->name_v);
        if (f->name == V_OK && !alter_agent_name_valid(f->name_v)) {
            field_error_add(fe, "name", "must match ^[a-z0-9][a-z0-9_-]{1,62}$");
            f->name = V_BAD;
        }
    }
    const cJSON *dn = cJSON_GetObjectItemCaseSensitive(body, "display_name");
    f->display_name = cJSON_IsNull(dn)
                          ? V_OK
                          : v_string(fe, body, "display_name", 0, ALTER_DISPLAY_NAME_MAX, false,
                                     &f->display_name_v);
    f->type = v_enum(fe, body, "type", alter_agent_type_names, &f->type_v);
    f->scopes = object_member(fe, body, "scopes", &f->scopes_v);
    if (f->scopes == V_OK) f->scopes = check_scopes(fe, f->scopes_v);
    f->metadata = object_member(fe, body, "metadata", &f->metadata_v);
    if (f->metadata == V_OK) {
        char *text = cJSON_PrintUnformatted(f->metadata_v);
        if (!text || strlen(text) > ALTER_METADATA_MAX) {
            field_error_add(fe, "metadata", "must be at most %d bytes as JSON", ALTER_METADATA_MAX);
            f->metadata = V_BAD;
        }
        cJSON_free(text);
    }
    f->policy = object_member(fe, body, "policy", &f->policy_v);
    if (f->policy == V_OK) {
        int before = cJSON_GetArraySize(fe->list);
        alter_policy_validate(f->policy_v, fe);
        if (cJSON_GetArraySize(fe->list) > before) f->policy = V_BAD;
    }
}

bool alter_scopes_narrowed(const cJSON *current, const cJSON *wanted, char *out, size_t size) {
    for (const cJSON *p = current ? current->child : NULL; p; p = p->next) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(wanted, p->string);
        if (!w) {
            snprintf(out, size, "%s", p->string);
            return true;
        }
        for (const cJSON *s = p->child; s; s = s->next) {
            if (string_in(w, s->valuestring, NULL)) continue;
            snprintf(out, size, "%s: %s", p->string, s->valuestring);
            return true;
        }
    }
    return false;
}
