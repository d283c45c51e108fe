#include "alter/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

const char *const alter_scope_names[] = {"agents:read", "agents:write", "agents:admin",
                                         "audit_logs:read", NULL};
const char *const alter_agent_type_names[] = {"agent", "service", NULL};
const char *const alter_key_status_names[] = {"active", "deprecated", "revoked", NULL};

unsigned alter_scopes_normalize(unsigned scopes) {
    if (scopes & ALTER_SCOPE_AGENTS_ADMIN) scopes |= ALTER_SCOPE_AGENTS_WRITE;
    if (scopes & ALTER_SCOPE_AGENTS_WRITE) scopes |= ALTER_SCOPE_AGENTS_READ;
    return scopes & ALTER_SCOPES_ALL;
}

cJSON *alter_scopes_json(unsigned scopes) {
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; alter_scope_names[i]; i++)
        if (scopes & (1u << i)) cJSON_AddItemToArray(arr, cJSON_CreateString(alter_scope_names[i]));
    return arr;
}

struct alter_app *alter_app_new(void) {
    struct alter_app *app = calloc(1, sizeof *app);
    if (app) random_uuid(app->id);
    return app;
}

void alter_agent_free(struct alter_agent *a) {
    if (!a) return;
    free(a->name);
    free(a->display_name);
    cJSON_Delete(a->scopes);
    cJSON_Delete(a->metadata);
    cJSON_Delete(a->policy);
    free(a->keys);
    free(a);
}

void alter_key_free(struct alter_key *k) {
    if (!k) return;
    free(k->name);
    free(k);
}

void alter_app_free(struct alter_app *app) {
    if (!app) return;
    HASH_CLEAR(hh, app->by_id);
    HASH_CLEAR(hh_name, app->by_name);
    for (size_t i = 0; i < app->n; i++)
        alter_agent_free(app->list[i]);
    free(app->list);
    rank_index_free(&app->live);
    struct alter_key *k, *tmp;
    HASH_ITER(hh, app->keys, k, tmp) {
        HASH_DEL(app->keys, k);
        alter_key_free(k);
    }
    idempotency_free(&app->idempotency);
    alter_audit_log_free(&app->audit);
    alter_grants_free(&app->grants);
    alter_approvals_free(&app->approvals);
    free(app);
}

int alter_app_add_agent(struct alter_app *app, struct alter_agent *a) {
    if (app->n == app->cap) {
        size_t cap = app->cap ? app->cap * 2 : 16;
        struct alter_agent **grown = realloc(app->list, cap * sizeof *grown);
        if (!grown) return -1;
        app->list = grown;
        app->cap = cap;
    }
    if (rank_index_append(&app->live, !a->revoked) != 0) return -1;
    a->position = app->n;
    app->list[app->n++] = a;
    HASH_ADD_STR(app->by_id, id, a);
    if (!a->revoked) HASH_ADD_KEYPTR(hh_name, app->by_name, a->name, strlen(a->name), a);
    return 0;
}

struct alter_agent *alter_app_find_agent(const struct alter_app *app, const char *id) {
    struct alter_agent *a = NULL;
    HASH_FIND_STR(app->by_id, id, a);
    return a;
}

struct alter_agent *alter_app_find_name(const struct alter_app *app, const char *name) {
    struct alter_agent *a = NULL;
    HASH_FIND(hh_name, app->by_name, name, strlen(name), a);
    return a;
}

size_t alter_app_count(const struct alter_app *app, bool include_revoked) {
    return include_revoked ? app->n : rank_index_count(&app->live);
}

struct alter_agent *alter_app_nth(const struct alter_app *app, bool include_revoked, size_t k) {
    return app->list[include_revoked ? k : rank_index_select(&app->live, k)];
}

void alter_key_set_status(struct alter_key *k, enum alter_key_status status, int64_t now) {
    if (k->status == status) return;
    if (k->agent && k->status == ALTER_KEY_ACTIVE) k->agent->n_active--;
    if (k->agent && status == ALTER_KEY_ACTIVE) k->agent->n_active++;
    k->status = status;
    if (status == ALTER_KEY_DEPRECATED) k->deprecated_at = now;
    if (status == ALTER_KEY_ACTIVE) k->deprecated_at = 0;
    if (status == ALTER_KEY_REVOKED) k->revoked_at = now;
}

void alter_app_revoke_agent(struct alter_app *app, struct alter_agent *a, int64_t now) {
    if (a->revoked) return;
    a->revoked = true;
    a->revoked_at = a->updated_at = now;
    rank_index_add(&app->live, a->position, -1);
    HASH_DELETE(hh_name, app->by_name, a);
    for (size_t i = 0; i < a->n_keys; i++)
        alter_key_set_status(a->keys[i], ALTER_KEY_REVOKED, now);
}

struct alter_key *alter_app_find_key(const struct alter_app *app, const char *key_id) {
    struct alter_key *k = NULL;
    HASH_FIND_STR(app->keys, key_id, k);
    return k;
}

/* Room for one more key in k's agent's list (none needed for an app key).  0 or -1. */
static int reserve_agent_key(const struct alter_key *k) {
    struct alter_agent *agent = k->agent;
    if (!agent || agent->n_keys < agent->keys_cap) return 0;
    size_t cap = agent->keys_cap ? agent->keys_cap * 2 : 4;
    struct alter_key **grown = realloc(agent->keys, cap * sizeof *grown);
    if (!grown) return -1;
    agent->keys = grown;
    agent->keys_cap = cap;
    return 0;
}

/* Adds k to the app's keys and its agent's list (room reserved). */
static void attach_key(struct alter_app *app, struct alter_key *k) {
    HASH_ADD_STR(app->keys, id, k);
    if (!k->agent) return;
    k->agent->keys[k->agent->n_keys++] = k;
    if (k->status == ALTER_KEY_ACTIVE) k->agent->n_active++;
}

int alter_app_restore_key(struct alter_app *app, struct alter_key *k) {
    if (reserve_agent_key(k) != 0) return -1;
    attach_key(app, k);
    return 0;
}

/* True when another key of agent shows this key_prefix (§4: an agent's prefixes tell its
 * keys apart, so they must differ). */
static bool prefix_taken(const struct alter_agent *agent, const char *prefix) {
    for (size_t i = 0; agent && i < agent->n_keys; i++)
        if (strcmp(agent->keys[i]->prefix, prefix) == 0) return true;
    return false;
}

#define PREFIX_DRAWS 16 /* 62^8 prefixes: a second collision in a row is already unheard of */

struct alter_key *alter_key_issue(struct tenant *t, struct alter_agent *agent,
                                  const char *plaintext, const char *name, unsigned scopes,
                                  int64_t now, char out[ALTER_KEY_MAX]) {
    char prefix[ALTER_KEY_PREFIX_LEN + 1];
    if (plaintext) {
        if (strlen(plaintext) >= ALTER_KEY_MAX || !alter_key_format_valid(plaintext)) return NULL;
        if (out != plaintext) memcpy(out, plaintext, strlen(plaintext) + 1);
        alter_key_prefix(out, prefix);
        if (prefix_taken(agent, prefix)) return NULL; /* a given key cannot be re-drawn */
    } else {
        int draws = 0;
        do {
            if (++draws > PREFIX_DRAWS) return NULL;
            alter_key_generate(agent ? ALTER_KEY_AGENT : ALTER_KEY_APP, out);
            alter_key_prefix(out, prefix);
        } while (prefix_taken(agent, prefix));
    }
    struct alter_key *k = calloc(1, sizeof *k);
    if (!k || (name && !(k->name = strdup(name)))) goto fail;
    k->agent = agent;
    if (reserve_agent_key(k) != 0) goto fail;
    random_hex(k->id, sizeof k->id, "key_", 12);
    memcpy(k->prefix, prefix, sizeof k->prefix);
    k->status = ALTER_KEY_ACTIVE;
    k->scopes = agent ? 0 : alter_scopes_normalize(scopes);
    k->created_at = now;
    alter_key_verifier_make(out, &k->verifier);
    alter_key_lookup_index(out, k->lookup);
    if (store_alter_key_add(k->lookup, t, k) != 0) goto fail; /* taken, or no memory */
    attach_key(t->alter, k);
    return k;
fail:
    alter_key_free(k);
    out[0] = '\0';
    return NULL;
}

int alter_key_revoke_plaintext(const char *plaintext, int64_t now) {
    struct alter_key *k = NULL;
    struct tenant *t = store_alter_key_find(plaintext, alter_key_lookup_index, &k);
    if (!t) return -1;
    tenant_lock(t);
    bool matches = alter_key_verifier_matches(&k->verifier, plaintext);
    if (matches) alter_key_set_status(k, ALTER_KEY_REVOKED, now);
    tenant_unlock(t);
    tenant_release(t);
    return matches ? 0 : -1;
}
