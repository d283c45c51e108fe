#include "alter/app_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alter/agent_fields.h"
#include "alter/app.h"
#include "core/hex.h"
#include "core/json_read.h"

static cJSON *app_record(const struct tenant *t) {
    cJSON *o = snapshot_record("alter_app", t);
    cJSON_AddStringToObject(o, "id", t->alter->id);
    /* where the audit chain starts when its oldest rows were dropped (absent: null, 0) */
    const struct alter_audit_log *log = &t->alter->audit;
    json_add_string_or_null(o, "audit_anchor_hash", log->anchor[0] ? log->anchor : NULL);
    snapshot_add_int(o, "audit_dropped", (int64_t)log->dropped);
    return o;
}

static cJSON *agent_record(const struct alter_agent *a, const struct tenant *t) {
    cJSON *o = snapshot_record("alter_agent", t);
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "name", a->name);
    json_add_string_or_null(o, "display_name", a->display_name);
    cJSON_AddStringToObject(o, "agent_type", alter_agent_type_names[a->type]);
    cJSON_AddBoolToObject(o, "revoked", a->revoked);
    cJSON_AddItemToObject(o, "scopes", cJSON_Duplicate(a->scopes, true));
    cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(a->metadata, true));
    cJSON_AddItemToObject(o, "policy", cJSON_Duplicate(a->policy, true));
    snapshot_add_int(o, "created_at", a->created_at);
    snapshot_add_int(o, "updated_at", a->updated_at);
    snapshot_add_int(o, "revoked_at", a->revoked_at);
    return o;
}

static cJSON *key_record(const struct alter_key *k, const struct tenant *t) {
    cJSON *o = snapshot_record("alter_key", t);
    char salt[2 * sizeof k->verifier.salt + 1], hash[2 * sizeof k->verifier.hash + 1];
    hex_encode(k->verifier.salt, sizeof k->verifier.salt, salt);
    hex_encode(k->verifier.hash, sizeof k->verifier.hash, hash);
    cJSON_AddStringToObject(o, "id", k->id);
    json_add_string_or_null(o, "agent_id", k->agent ? k->agent->id : NULL);
    cJSON_AddStringToObject(o, "prefix", k->prefix);
    json_add_string_or_null(o, "name", k->name);
    cJSON_AddStringToObject(o, "status", alter_key_status_names[k->status]);
    cJSON_AddItemToObject(o, "scopes", alter_scopes_json(k->scopes));
    cJSON_AddStringToObject(o, "lookup", k->lookup);
    cJSON_AddStringToObject(o, "salt", salt);
    cJSON_AddStringToObject(o, "salted_hash", hash);
    snapshot_add_int(o, "created_at", k->created_at);
    snapshot_add_int(o, "deprecated_at", k->deprecated_at);
    snapshot_add_int(o, "revoked_at", k->revoked_at);
    snapshot_add_int(o, "last_used_at", k->last_used_at);
    return o;
}

static cJSON *idempotency_record(const struct idempotency_record *r, const struct tenant *t) {
    cJSON *o = snapshot_record("alter_idempotency", t);
    cJSON_AddStringToObject(o, "key", r->key);
    cJSON_AddStringToObject(o, "body_hash", r->body_hash);
    cJSON_AddStringToObject(o, "agent_id", r->agent_id);
    snapshot_add_int(o, "created_at", r->created_at);
    return o;
}

/* The row as the API renders it, under the record's type and org. */
static cJSON *audit_record(const struct alter_audit_log *log, size_t i, const struct tenant *t) {
    return snapshot_record_of(
        "alter_audit", t,
        alter_audit_row_json(log->rows[i], alter_audit_log_previous_hash(log, i)));
}

int alter_app_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    const struct alter_app *app = t->alter;
    if (out->put(out->ctx, app_record(t)) != 0) return -1;
    for (size_t i = 0; i < app->n; i++)
        if (out->put(out->ctx, agent_record(app->list[i], t)) != 0) return -1;
    for (const struct alter_key *k = app->keys; k; k = k->hh.next) /* issue order */
        if (out->put(out->ctx, key_record(k, t)) != 0) return -1;
    for (const struct idempotency_record *r = app->idempotency.oldest; r; r = r->next)
        if (out->put(out->ctx, idempotency_record(r, t)) != 0) return -1;
    if (alter_audit_log_seal(&t->alter->audit) != 0) return -1; /* saved with its hashes */
    for (size_t i = 0; i < app->audit.n; i++)
        if (out->put(out->ctx, audit_record(&app->audit, i, t)) != 0) return -1;
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

int alter_app_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                            size_t err_size) {
    (void)st;
    bool ok = true;
    char id[UUID_LEN];
    jr_copy(rec, "id", id, sizeof id, &ok);
    if (!ok) return snapshot_fail(err, err_size, "alter_app: missing or mistyped id");
    memcpy(t->alter->id, id, sizeof id);
    /* files saved before the audit log had a cap have neither: the chain starts at null */
    const cJSON *anchor = jr_member(rec, "audit_anchor_hash"),
                *dropped = jr_member(rec, "audit_dropped");
    bool anchor_ok = !anchor || cJSON_IsNull(anchor) || cJSON_IsString(anchor);
    int64_t n_dropped = dropped ? jr_int(rec, "audit_dropped", &anchor_ok) : 0;
    if (!anchor_ok || n_dropped < 0 || (n_dropped == 0) != !cJSON_IsString(anchor) ||
        alter_audit_log_set_anchor(&t->alter->audit,
                                   cJSON_IsString(anchor) ? anchor->valuestring : NULL,
                                   (uint64_t)n_dropped) != 0)
        return snapshot_fail(err, err_size,
                             "alter_app: audit_anchor_hash must be a sha256: hash when and only "
                             "when audit_dropped > 0");
    return 0;
}

/* A copy of an object member into *slot; false when it is not an object. */
static bool copy_object(const cJSON *rec, const char *name, cJSON **slot) {
    const cJSON *it = jr_member(rec, name);
    return cJSON_IsObject(it) && (*slot = cJSON_Duplicate(it, true)) != NULL;
}

/* The record's client-written members as the body of a create, checked as the API checks it. */
static void check_agent_fields(const cJSON *rec, struct field_errors *fe) {
    static const char *const written[] = {"name", "display_name", "scopes", "metadata", "policy"};
    cJSON *body = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++) {
        const cJSON *member = jr_member(rec, written[i]);
        if (member) cJSON_AddItemReferenceToObject(body, written[i], (cJSON *)member);
    }
    const cJSON *type = jr_member(rec, "agent_type");
    if (type) cJSON_AddItemReferenceToObject(body, "type", (cJSON *)type);
    struct alter_agent_fields fields;
    alter_agent_fields_parse(body, true, fe, &fields);
    cJSON_Delete(body); /* references: the record keeps its members */
}

int alter_agent_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size) {
    (void)st;
    struct alter_app *app = t->alter;
    struct alter_agent *a = calloc(1, sizeof *a);
    if (!a) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    jr_copy(rec, "id", a->id, sizeof a->id, &ok);
    a->name = strdup(jr_string(rec, "name", &ok));
    a->display_name = jr_strdup_or_null(rec, "display_name", &ok);
    a->type = (enum alter_agent_type)jr_enum(rec, "agent_type", alter_agent_type_names, &ok);
    a->revoked = jr_bool(rec, "revoked", &ok);
    ok = copy_object(rec, "scopes", &a->scopes) && copy_object(rec, "metadata", &a->metadata) &&
         copy_object(rec, "policy", &a->policy) && ok;
    a->created_at = jr_int(rec, "created_at", &ok);
    a->updated_at = jr_int(rec, "updated_at", &ok);
    a->revoked_at = jr_int(rec, "revoked_at", &ok);
    /* the API's rules for the fields a client writes (the record's "type" is its own) */
    struct field_errors fe = {0};
    if (ok) check_agent_fields(rec, &fe);
    if (field_errors_any(&fe)) {
        char what[sizeof a->id + 16];
        snprintf(what, sizeof what, "alter agent %s", a->id);
        alter_agent_free(a);
        return snapshot_fail_fields(err, err_size, what, &fe);
    }
    const char *why = !ok || !a->name || !a->name[0]     ? "missing or mistyped fields"
                      : alter_app_find_agent(app, a->id) ? "duplicate id"
                      : !a->revoked && alter_app_find_name(app, a->name)
                          ? "a live agent already has this name"
                      : alter_app_add_agent(app, a) != 0 ? "out of memory"
                                                         : NULL;
    if (!why) return 0;
    snapshot_fail(err, err_size, "alter agent %s: %s", a->id[0] ? a->id : "?", why);
    alter_agent_free(a);
    return -1;
}

/* Scope names back to bits; false for an unknown name. */
static bool scopes_from(const cJSON *rec, unsigned *out) {
    bool ok = true;
    size_t n = 0;
    const char **names = jr_strings(rec, "scopes", &n, &ok);
    *out = 0;
    for (size_t i = 0; ok && i < n; i++) {
        int bit = -1;
        for (int b = 0; alter_scope_names[b]; b++)
            if (strcmp(alter_scope_names[b], names[i]) == 0) bit = b;
        if (bit < 0)
            ok = false;
        else
            *out |= 1u << bit;
    }
    free(names);
    return ok;
}

static bool load_key_fields(struct alter_key *k, const cJSON *rec) {
    bool ok = true;
    jr_copy(rec, "id", k->id, sizeof k->id, &ok);
    const char *prefix = jr_string(rec, "prefix", &ok);
    ok = ok && strlen(prefix) < sizeof k->prefix;
    if (ok) memcpy(k->prefix, prefix, strlen(prefix) + 1);
    k->name = jr_strdup_or_null(rec, "name", &ok);
    k->status = (enum alter_key_status)jr_enum(rec, "status", alter_key_status_names, &ok);
    ok = scopes_from(rec, &k->scopes) && ok;
    jr_copy(rec, "lookup", k->lookup, sizeof k->lookup, &ok);
    ok = hex_decode(jr_string(rec, "salt", &ok), k->verifier.salt, sizeof k->verifier.salt) == 0 &&
         hex_decode(jr_string(rec, "salted_hash", &ok), k->verifier.hash,
                    sizeof k->verifier.hash) == 0 &&
         ok;
    k->created_at = jr_int(rec, "created_at", &ok);
    k->deprecated_at = jr_int(rec, "deprecated_at", &ok);
    k->revoked_at = jr_int(rec, "revoked_at", &ok);
    k->last_used_at = jr_int(rec, "last_used_at", &ok);
    return ok;
}

int alter_key_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec, char *err,
                            size_t err_size) {
    struct alter_app *app = t->alter;
    struct alter_key *k = calloc(1, sizeof *k);
    if (!k) return snapshot_fail(err, err_size, "out of memory");
    bool ok = load_key_fields(k, rec);
    const char *agent_id = jr_string_or_null(rec, "agent_id", &ok);
    k->agent = agent_id ? alter_app_find_agent(app, agent_id) : NULL;
    const char *why = !ok                              ? "missing or mistyped fields"
                      : agent_id && !k->agent          ? "agent_id names no agent before it"
                      : alter_app_find_key(app, k->id) ? "duplicate id"
                      : store_staging_add_alter_key(st, k->lookup, t, k) != 0
                          ? "its lookup is another key's"
                      : alter_app_restore_key(app, k) != 0 ? "out of memory"
                                                           : NULL;
    if (!why) return 0;
    /* a staged directory entry left behind by the last step dies with the failed load */
    snapshot_fail(err, err_size, "alter key %s: %s", k->id[0] ? k->id : "?", why);
    alter_key_free(k);
    return -1;
}

int alter_idempotency_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                    char *err, size_t err_size) {
    (void)st;
    struct alter_app *app = t->alter;
    bool ok = true;
    const char *key = jr_string(rec, "key", &ok), *body_hash = jr_string(rec, "body_hash", &ok);
    const char *agent_id = jr_string(rec, "agent_id", &ok);
    int64_t created = jr_int(rec, "created_at", &ok);
    struct idempotency_record *old = NULL;
    if (ok) HASH_FIND_STR(app->idempotency.by_key, key, old);
    const char *why =
        !ok || !*key || strlen(key) > IDEMPOTENCY_KEY_MAX || strlen(body_hash) >= SHA256_TAGGED_LEN
            ? "missing or mistyped fields"
        : old                                  ? "duplicate key"
        : !alter_app_find_agent(app, agent_id) ? "agent_id names no agent of the app"
        : idempotency_put(&app->idempotency, key, body_hash, agent_id, created) != 0
            ? "out of memory"
            : NULL;
    return why ? snapshot_fail(err, err_size, "alter idempotency record: %s", why) : 0;
}

int alter_audit_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size) {
    (void)st;
    struct alter_audit_log *log = &t->alter->audit;
    bool ok = true;
    const char *previous = jr_string_or_null(rec, "previous_hash", &ok);
    struct alter_audit_row *row = ok ? alter_audit_row_from_json(rec) : NULL;
    if (!row) return snapshot_fail(err, err_size, "alter audit row: missing or mistyped fields");
    char id[ID_LEN];
    memcpy(id, row->id, sizeof id);
    if (alter_audit_log_position(log, id) >= 0) {
        alter_audit_row_free(row);
        return snapshot_fail(err, err_size, "alter audit row %s: duplicate id", id);
    }
    int rc = alter_audit_log_restore(log, row, previous);
    if (rc == -2)
        return snapshot_fail(err, err_size, "alter audit row %s: the chain is broken here", id);
    return rc == 0 ? 0 : snapshot_fail(err, err_size, "out of memory");
}
