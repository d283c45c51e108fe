#include "alter/vault_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alter/app.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/json_read.h"

/* The grant as the API renders it, and the credential the API never shows. */
static cJSON *grant_record(const struct alter_grant *g, const struct tenant *t) {
    cJSON *o = snapshot_record_of("alter_grant", t, alter_grant_json(g));
    cJSON_AddStringToObject(o, "upstream_token", g->upstream_token);
    return o;
}

static cJSON *call_json(const struct proxy_call *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "method", c->method);
    cJSON_AddStringToObject(o, "url", c->url);
    cJSON_AddStringToObject(o, "host", c->host);
    cJSON_AddItemToObject(o, "headers",
                          c->headers ? cJSON_Duplicate(c->headers, true) : cJSON_CreateObject());
    char *body = c->body ? base64_encode(c->body, c->body_len) : NULL;
    json_add_string_or_null(o, "body_b64", body);
    free(body);
    snapshot_add_int(o, "timeout_ms", c->timeout_ms);
    return o;
}

static cJSON *copy_or_null(const cJSON *item) {
    return item ? cJSON_Duplicate(item, true) : cJSON_CreateNull();
}

static cJSON *approval_record(const struct alter_approval *a, const struct tenant *t) {
    cJSON *o = snapshot_record("alter_approval", t);
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "grant_id", a->grant_id);
    cJSON_AddStringToObject(o, "agent_id", a->agent_id);
    cJSON_AddStringToObject(o, "status", alter_approval_status_names[a->status]);
    cJSON_AddStringToObject(o, "approval_url", a->approval_url);
    snapshot_add_int(o, "created_at", a->created_at);
    snapshot_add_int(o, "expires_at", a->expires_at);
    snapshot_add_int(o, "decided_at", a->decided_at);
    snapshot_add_int(o, "executed_at", a->executed_at);
    json_add_string_or_null(o, "decision_reason", a->decision_reason);
    cJSON_AddItemToObject(o, "call", call_json(&a->call));
    cJSON_AddItemToObject(o, "result", copy_or_null(a->result));
    cJSON_AddItemToObject(o, "error", copy_or_null(a->error));
    cJSON_AddItemToObject(o, "origin", alter_audit_row_json(a->origin, NULL));
    return o;
}

int alter_vault_snapshot_write(const struct tenant *t, const struct snapshot_out *out) {
    const struct alter_app *app = t->alter;
    for (size_t i = 0; i < app->grants.n; i++)
        if (out->put(out->ctx, grant_record(app->grants.list[i], t)) != 0) return -1;
    /* uthash iterates in insertion order: creation order */
    for (const struct alter_approval *a = app->approvals.by_id; a; a = a->hh.next)
        if (out->put(out->ctx, approval_record(a, t)) != 0) return -1;
    return 0;
}

/* ---- load ------------------------------------------------------------------------------- */

/* A copy of an array-of-strings member into *slot; false otherwise. */
static bool copy_strings(const cJSON *rec, const char *name, cJSON **slot) {
    bool ok = true;
    size_t n = 0;
    free(jr_strings(rec, name, &n, &ok)); /* only the check */
    return ok && (*slot = cJSON_Duplicate(jr_member(rec, name), true)) != NULL;
}

/* Every agent the grant names is one of the app's. */
static bool agents_known(const struct alter_app *app, const struct alter_grant *g) {
    if (g->owner_agent_id[0] && !alter_app_find_agent(app, g->owner_agent_id)) return false;
    for (const cJSON *it = g->delegated->child; it; it = it->next)
        if (!alter_app_find_agent(app, it->valuestring)) return false;
    return true;
}

/* A time the API renders (RFC 3339, or null for none) back to Unix seconds. */
static int64_t time_of(const cJSON *rec, const char *name, bool *ok) {
    const char *text = jr_string_or_null(rec, name, ok);
    int64_t t = 0;
    if (text && clock_parse(text, &t) != 0) *ok = false;
    return t;
}

int alter_grant_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                              char *err, size_t err_size) {
    static const char *const statuses[] = {"active", "revoked", NULL};
    struct alter_grant *g = calloc(1, sizeof *g);
    if (!g) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    jr_copy(rec, "grant_id", g->id, sizeof g->id, &ok);
    g->provider_id = strdup(jr_string(rec, "provider_id", &ok));
    ok = copy_strings(rec, "scopes", &g->scopes) && ok;
    g->account_identifier = strdup(jr_string(rec, "account_identifier", &ok));
    g->principal = (enum alter_principal)jr_enum(rec, "principal_type", alter_principal_names, &ok);
    const char *owner = jr_string_or_null(rec, "owner_agent_id", &ok);
    if (owner && strlen(owner) < sizeof g->owner_agent_id)
        memcpy(g->owner_agent_id, owner, strlen(owner) + 1);
    else if (owner)
        ok = false;
    ok = copy_strings(rec, "delegated_agent_ids", &g->delegated) && ok;
    jr_copy(rec, "token_type", g->token_type, sizeof g->token_type, &ok);
    g->revoked = jr_enum(rec, "status", statuses, &ok) == 1;
    g->created_at = time_of(rec, "created_at", &ok);
    g->revoked_at = time_of(rec, "revoked_at", &ok);
    g->revoke_reason = jr_strdup_or_null(rec, "revoke_reason", &ok);
    g->upstream_token = strdup(jr_string(rec, "upstream_token", &ok));
    ok = ok && g->provider_id && g->account_identifier && g->upstream_token;
    const char *why = !ok                          ? "missing or mistyped fields"
                      : !agents_known(t->alter, g) ? "names an agent the app does not have"
                      : store_staging_add_alter_object(st, g->id, t) != 0 ? "duplicate id"
                      : alter_grant_restore(&t->alter->grants, g) != 0    ? "out of memory"
                                                                          : NULL;
    if (!why) return 0;
    snapshot_fail(err, err_size, "alter grant %s: %s", g->id[0] ? g->id : "?", why);
    alter_grant_free(g);
    return -1;
}

/* The proxy call an approval stores; false when malformed. */
static bool load_call(struct proxy_call *c, const cJSON *o) {
    bool ok = cJSON_IsObject(o);
    jr_copy(o, "method", c->method, sizeof c->method, &ok);
    c->url = strdup(jr_string(o, "url", &ok));
    jr_copy(o, "host", c->host, sizeof c->host, &ok);
    const cJSON *headers = jr_member(o, "headers");
    ok = cJSON_IsObject(headers) && (c->headers = cJSON_Duplicate(headers, true)) && ok;
    const char *body = jr_string_or_null(o, "body_b64", &ok);
    if (ok && body && !base64_decode(body, &c->body, &c->body_len)) ok = false;
    c->timeout_ms = (long)jr_int(o, "timeout_ms", &ok);
    return ok && c->url;
}

/* The owned JSON of a member that is an object or null. */
static bool object_or_null(const cJSON *rec, const char *name, cJSON **slot) {
    const cJSON *it = jr_member(rec, name);
    if (cJSON_IsNull(it)) return true;
    return cJSON_IsObject(it) && (*slot = cJSON_Duplicate(it, true)) != NULL;
}

int alter_approval_snapshot_load(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                 char *err, size_t err_size) {
    struct alter_approval *a = calloc(1, sizeof *a);
    if (!a) return snapshot_fail(err, err_size, "out of memory");
    bool ok = true;
    jr_copy(rec, "id", a->id, sizeof a->id, &ok);
    jr_copy(rec, "grant_id", a->grant_id, sizeof a->grant_id, &ok);
    jr_copy(rec, "agent_id", a->agent_id, sizeof a->agent_id, &ok);
    a->status =
        (enum alter_approval_status)jr_enum(rec, "status", alter_approval_status_names, &ok);
    a->approval_url = strdup(jr_string(rec, "approval_url", &ok));
    a->created_at = jr_int(rec, "created_at", &ok);
    a->expires_at = jr_int(rec, "expires_at", &ok);
    a->decided_at = jr_int(rec, "decided_at", &ok);
    a->executed_at = jr_int(rec, "executed_at", &ok);
    a->decision_reason = jr_strdup_or_null(rec, "decision_reason", &ok);
    ok = load_call(&a->call, jr_member(rec, "call")) && ok;
    ok = object_or_null(rec, "result", &a->result) && object_or_null(rec, "error", &a->error) && ok;
    ok = ok && a->approval_url && (a->origin = alter_audit_row_from_json(jr_member(rec, "origin")));
    const struct alter_app *app = t->alter;
    const char *why =
        !ok ? "missing or mistyped fields"
        : !alter_grant_find(&app->grants, a->grant_id) || !alter_app_find_agent(app, a->agent_id)
            ? "names a grant or agent the app does not have"
        : store_staging_add_alter_object(st, a->id, t) != 0 ? "duplicate id"
                                                            : NULL;
    if (why) {
        snapshot_fail(err, err_size, "alter approval %s: %s", a->id[0] ? a->id : "?", why);
        alter_approval_free(a);
        return -1;
    }
    alter_approval_restore(&t->alter->approvals, a);
    return 0;
}
