#include "alter/grant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alter/app.h"
#include "store/store.h"
#include "core/text_copy.h"

#define PROVIDER_MAX  64
#define SCOPE_MAX     200
#define SCOPES_MAX    100
#define ACCOUNT_MAX   320
#define DELEGATES_MAX 1000

const char *const alter_principal_names[] = {"user", "agent", NULL};

/* Printable ASCII without spaces at the ends: it becomes part of a header line. */
static bool token_text_valid(const char *s) {
    size_t n = strlen(s);
    if (!n || n > GRANT_TOKEN_MAX || s[0] == ' ' || s[n - 1] == ' ') return false;
    for (const char *p = s; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return false;
    return true;
}

/* lowercase UUID shape, any version (fixtures may carry ids made elsewhere) */
static bool uuid_shaped(const char *s) {
    if (strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i])) return false;
    }
    return true;
}

/* An optional array of 1..max_chars strings (at most max_items); checks each with `ok` when
 * given.  Absent → an empty array in *out (not owned: a borrowed member or NULL). */
static const cJSON *string_array(struct field_errors *fe, const cJSON *body, const char *name,
                                 int max_items, size_t max_chars) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!arr || cJSON_IsNull(arr)) return NULL;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > max_items) {
        field_error_add(fe, name, "must be an array of at most %d strings", max_items);
        return NULL;
    }
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        if (cJSON_IsString(it) && it->valuestring[0] && utf8_chars(it->valuestring) <= max_chars)
            continue;
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", name, i);
        field_error_add(fe, path, "must be a string of 1 to %zu characters", max_chars);
    }
    return arr;
}

/* Each id must name a live agent of the app, once. */
static void check_delegates(struct field_errors *fe, const struct alter_app *app,
                            const cJSON *ids) {
    int i = 0;
    for (const cJSON *it = ids ? ids->child : NULL; it; it = it->next, i++) {
        if (!cJSON_IsString(it)) continue; /* reported by string_array */
        const struct alter_agent *a = alter_app_find_agent(app, it->valuestring);
        bool repeated = false;
        for (const cJSON *before = ids->child; before != it; before = before->next)
            repeated |= cJSON_IsString(before) && !strcmp(before->valuestring, it->valuestring);
        char path[64];
        snprintf(path, sizeof path, "delegated_agent_ids[%d]", i);
        if (!a || a->revoked)
            field_error_add(fe, path, "must name an active agent of this app");
        else if (repeated)
            field_error_add(fe, path, "is listed twice");
    }
}

struct grant_fields {
    const char *id, *provider_id, *account_identifier, *owner_agent_id, *upstream_token;
    const cJSON *scopes, *delegated;
    int principal;
};

static void parse_fields(struct field_errors *fe, const struct alter_app *app,
                         const struct alter_grants *grants, const cJSON *body,
                         struct grant_fields *f) {
    memset(f, 0, sizeof *f);
    f->principal = -1;
    if (v_string(fe, body, "grant_id", 36, 36, true, &f->id) == V_OK &&
        (!uuid_shaped(f->id) || alter_grant_find(grants, f->id)))
        field_error_add(fe, "grant_id", "must be a new lowercase UUID");
    v_require(fe, v_string(fe, body, "provider_id", 1, PROVIDER_MAX, false, &f->provider_id),
              "provider_id");
    v_require(
        fe, v_string(fe, body, "account_identifier", 1, ACCOUNT_MAX, false, &f->account_identifier),
        "account_identifier");
    v_require(fe, v_enum(fe, body, "principal_type", alter_principal_names, &f->principal),
              "principal_type");
    f->scopes = string_array(fe, body, "scopes", SCOPES_MAX, SCOPE_MAX);
    f->delegated = string_array(fe, body, "delegated_agent_ids", DELEGATES_MAX, UUID_LEN - 1);
    check_delegates(fe, app, f->delegated);
    enum vres owner =
        v_string(fe, body, "owner_agent_id", 1, UUID_LEN - 1, true, &f->owner_agent_id);
    if (f->principal == ALTER_PRINCIPAL_AGENT) {
        v_require(fe, owner, "owner_agent_id");
        const struct alter_agent *a =
            owner == V_OK ? alter_app_find_agent(app, f->owner_agent_id) : NULL;
        if (owner == V_OK && (!a || a->revoked))
            field_error_add(fe, "owner_agent_id", "must name an active agent of this app");
    } else if (owner == V_OK) {
        field_error_add(fe, "owner_agent_id", "is only for principal_type \"agent\"");
    }
    if (v_string(fe, body, "upstream_token", 1, GRANT_TOKEN_MAX, false, &f->upstream_token) ==
            V_OK &&
        !token_text_valid(f->upstream_token))
        field_error_add(fe, "upstream_token",
                        "must be printable ASCII (it is sent as a header), without spaces at "
                        "the ends");
    v_require(fe, f->upstream_token ? V_OK : V_ABSENT, "upstream_token");
    static const char *const token_types[] = {"Bearer", NULL};
    int type = 0;
    v_enum(fe, body, "token_type", token_types, &type);
}

/* The agent ids a grant is listed under: its owner, then each delegate that is not it. */
static size_t grant_agents(const struct alter_grant *g, const char **out, size_t max) {
    size_t n = 0;
    if (g->owner_agent_id[0]) out[n++] = g->owner_agent_id;
    for (const cJSON *it = g->delegated->child; it && n < max; it = it->next)
        if (strcmp(it->valuestring, g->owner_agent_id) != 0) out[n++] = it->valuestring;
    return n;
}

static int index_grant(struct alter_grants *grants, struct alter_grant *g) {
    if (grants->n == grants->cap) {
        size_t cap = grants->cap ? grants->cap * 2 : 16;
        struct alter_grant **grown = realloc(grants->list, cap * sizeof *grown);
        if (!grown) return -1;
        grants->list = grown;
        grants->cap = cap;
    }
    size_t pos = grants->n;
    const char *agents[DELEGATES_MAX + 1];
    size_t n_agents = grant_agents(g, agents, DELEGATES_MAX + 1), added = 0;
    bool provider_added = posting_add(&grants->by_provider, g->provider_id, pos) == 0;
    bool ok = provider_added;
    while (ok && added < n_agents && posting_add(&grants->by_agent, agents[added], pos) == 0)
        added++;
    ok = ok && added == n_agents && rank_index_append(&grants->active, 1) == 0;
    if (!ok) { /* undo the postings this grant got: each is the last of its list */
        while (added-- > 0)
            posting_undo(grants->by_agent, agents[added]);
        if (provider_added) posting_undo(grants->by_provider, g->provider_id);
        return -1;
    }
    g->position = pos;
    grants->list[grants->n++] = g;
    HASH_ADD_STR(grants->by_id, id, g);
    return 0;
}

void alter_grant_free(struct alter_grant *g) {
    if (!g) return;
    free(g->provider_id);
    cJSON_Delete(g->scopes);
    free(g->account_identifier);
    cJSON_Delete(g->delegated);
    free(g->upstream_token);
    free(g->revoke_reason);
    free(g);
}

enum alter_grant_result alter_grant_add(struct tenant *t, const cJSON *body, int64_t now,
                                        struct field_errors *fe, struct alter_grant **out) {
    struct alter_grants *grants = &t->alter->grants;
    struct grant_fields f;
    parse_fields(fe, t->alter, grants, body, &f);
    if (field_errors_any(fe)) return ALTER_GRANT_INVALID;
    struct alter_grant *g = calloc(1, sizeof *g);
    if (!g || !(g->provider_id = strdup(f.provider_id)) ||
        !(g->account_identifier = strdup(f.account_identifier)) ||
        !(g->upstream_token = strdup(f.upstream_token)) ||
        !(g->scopes = f.scopes ? cJSON_Duplicate(f.scopes, true) : cJSON_CreateArray()) ||
        !(g->delegated = f.delegated ? cJSON_Duplicate(f.delegated, true) : cJSON_CreateArray()))
        goto nomem;
    if (f.id)
        text_copy(g->id, sizeof g->id, f.id);
    else
        random_uuid(g->id);
    g->principal = (enum alter_principal)f.principal;
    if (f.owner_agent_id)
        text_copy(g->owner_agent_id, sizeof g->owner_agent_id, f.owner_agent_id);
    snprintf(g->token_type, sizeof g->token_type, "Bearer");
    g->created_at = now;
    if (store_alter_object_register(g->id, t) != 0) { /* a UUID another app holds */
        alter_grant_free(g);
        field_error_add(fe, "grant_id", "is already in use");
        return ALTER_GRANT_INVALID;
    }
    if (index_grant(grants, g) != 0) goto nomem; /* the directory entry stays: ids are unique */
    *out = g;
    return ALTER_GRANT_OK;
nomem:
    alter_grant_free(g);
    return ALTER_GRANT_NOMEM;
}

int alter_grant_restore(struct alter_grants *grants, struct alter_grant *g) {
    if (index_grant(grants, g) != 0) return -1;
    if (g->revoked) rank_index_add(&grants->active, g->position, -1);
    return 0;
}

struct alter_grant *alter_grant_find(const struct alter_grants *grants, const char *id) {
    struct alter_grant *g = NULL;
    HASH_FIND_STR(grants->by_id, id, g);
    return g;
}

bool alter_grant_usable_by(const struct alter_grant *g, const char *agent_id) {
    if (strcmp(g->owner_agent_id, agent_id) == 0) return true;
    for (const cJSON *it = g->delegated->child; it; it = it->next)
        if (strcmp(it->valuestring, agent_id) == 0) return true;
    return false;
}

void alter_grant_mark_revoked(struct alter_grants *grants, struct alter_grant *g,
                              const char *reason, int64_t now) {
    if (g->revoked) return; /* the first revocation's time and reason stand */
    g->revoked = true;
    g->revoked_at = now;
    g->revoke_reason = reason ? strdup(reason) : NULL;
    rank_index_add(&grants->active, g->position, -1);
}

static bool matches(const struct alter_grant *g, const struct alter_grant_filter *f) {
    return (f->include_revoked || !g->revoked) &&
           (!f->provider_id || strcmp(g->provider_id, f->provider_id) == 0) &&
           (!f->agent_id || alter_grant_usable_by(g, f->agent_id));
}

size_t alter_grants_page(const struct alter_grants *grants, const struct alter_grant_filter *f,
                         size_t offset, size_t limit, struct alter_grant **out, size_t *total) {
    size_t written = 0;
    if (!f->agent_id && !f->provider_id) { /* the whole list or its rank index */
        *total = f->include_revoked ? grants->n : rank_index_count(&grants->active);
        for (size_t k = offset; k < *total && written < limit; k++)
            out[written++] =
                grants->list[f->include_revoked ? k : rank_index_select(&grants->active, k)];
        return written;
    }
    /* the smaller posting of the filter's agent and provider */
    const struct posting *by_agent =
        f->agent_id ? posting_find(grants->by_agent, f->agent_id) : NULL;
    const struct posting *by_provider =
        f->provider_id ? posting_find(grants->by_provider, f->provider_id) : NULL;
    const struct posting *p = f->agent_id ? by_agent : by_provider;
    if (f->agent_id && f->provider_id && by_provider && by_agent && by_provider->n < by_agent->n)
        p = by_provider;
    *total = 0;
    if (!p || (f->agent_id && !by_agent) || (f->provider_id && !by_provider)) return 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct alter_grant *g = grants->list[p->pos[i]];
        if (!matches(g, f)) continue;
        if (*total >= offset && written < limit) out[written++] = grants->list[p->pos[i]];
        (*total)++;
    }
    return written;
}

cJSON *alter_grant_json(const struct alter_grant *g) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "grant_id", g->id);
    cJSON_AddStringToObject(o, "provider_id", g->provider_id);
    cJSON_AddItemToObject(o, "scopes", cJSON_Duplicate(g->scopes, true));
    cJSON_AddStringToObject(o, "account_identifier", g->account_identifier);
    cJSON_AddStringToObject(o, "principal_type", alter_principal_names[g->principal]);
    json_add_string_or_null(o, "owner_agent_id", g->owner_agent_id[0] ? g->owner_agent_id : NULL);
    cJSON_AddItemToObject(o, "delegated_agent_ids", cJSON_Duplicate(g->delegated, true));
    cJSON_AddStringToObject(o, "token_type", g->token_type);
    cJSON_AddStringToObject(o, "status", g->revoked ? "revoked" : "active");
    json_add_time(o, "created_at", g->created_at);
    json_add_time(o, "revoked_at", g->revoked_at);
    json_add_string_or_null(o, "revoke_reason", g->revoke_reason);
    return o;
}

void alter_grants_free(struct alter_grants *grants) {
    HASH_CLEAR(hh, grants->by_id);
    for (size_t i = 0; i < grants->n; i++)
        alter_grant_free(grants->list[i]);
    free(grants->list);
    rank_index_free(&grants->active);
    posting_free_all(&grants->by_provider);
    posting_free_all(&grants->by_agent);
    *grants = (struct alter_grants){0};
}
