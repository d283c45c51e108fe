/* Read-only views the dashboard needs that the APIs do not give: the list of organizations
 * (what each has and which keys, by level, never a key) and an org's Alter approvals (the
 * API reads one approval by id; a person deciding them needs the pending ones listed). */
#include "sandbox/ui.h"

#include <stdlib.h>
#include <string.h>

#include "alter/app.h"
#include "core/clock.h"
#include "sandbox/provision.h"
#include "store/store.h"

#define FINGERPRINT_LEN 8 /* hex digits of a key's hash shown to tell keys apart */

static void add_time(cJSON *o, const char *name, int64_t t) {
    char s[RFC3339_LEN];
    if (!t) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    clock_format(t, s);
    cJSON_AddStringToObject(o, name, s);
}

/* Store callback (directory lock held): one Alsorn key as {level, fingerprint, revoked}. */
static void add_key(const char *sha256_hex, enum key_level level, bool revoked, void *ctx) {
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "level", key_level_names[level]);
    char fp[FINGERPRINT_LEN + 1];
    memcpy(fp, sha256_hex, FINGERPRINT_LEN);
    fp[FINGERPRINT_LEN] = '\0';
    cJSON_AddStringToObject(k, "sha256_prefix", fp);
    cJSON_AddBoolToObject(k, "revoked", revoked);
    cJSON_AddItemToArray(ctx, k);
}

/* The org's Alter app keys (agents' keys are listed per agent by the Alter API). */
static cJSON *app_keys_json(const struct alter_app *app) {
    cJSON *list = cJSON_CreateArray();
    for (const struct alter_key *k = app->keys; k; k = k->hh.next) {
        if (k->agent) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", k->id);
        cJSON_AddStringToObject(o, "prefix", k->prefix);
        cJSON_AddStringToObject(o, "status", alter_key_status_names[k->status]);
        cJSON_AddItemToObject(o, "scopes", alter_scopes_json(k->scopes));
        add_time(o, "last_used_at", k->last_used_at);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

static size_t pending_approvals(const struct alter_app *app) {
    size_t n = 0;
    for (const struct alter_approval *a = app->approvals.by_id; a; a = a->hh.next)
        n += a->status == ALTER_APPROVAL_PENDING;
    return n;
}

static cJSON *org_summary(struct tenant *t) {
    cJSON *keys = cJSON_CreateArray();
    store_keys_foreach(t, add_key, keys); /* takes the directory lock: not under the tenant's */
    tenant_lock(t);
    cJSON *o = org_json(t);
    cJSON_AddItemToObject(o, "keys", keys);
    cJSON *counts = cJSON_AddObjectToObject(o, "counts");
    cJSON_AddNumberToObject(counts, "agents", (double)t->agents.n);
    cJSON_AddNumberToObject(counts, "transactions", (double)t->transactions.n);
    cJSON_AddNumberToObject(counts, "webhooks", (double)t->webhooks.n);
    cJSON_AddNumberToObject(counts, "alter_agents", (double)alter_app_count(t->alter, false));
    cJSON_AddNumberToObject(counts, "alter_grants", (double)t->alter->grants.n);
    cJSON_AddNumberToObject(counts, "pending_approvals", (double)pending_approvals(t->alter));
    cJSON *alter = cJSON_AddObjectToObject(o, "alter");
    cJSON_AddStringToObject(alter, "app_id", t->alter->id);
    cJSON_AddItemToObject(alter, "app_keys", app_keys_json(t->alter));
    tenant_unlock(t);
    return o;
}

/* GET /_mock/orgs → {"data": [org with keys (level, sha256_prefix, revoked), alter app keys
 * (prefix, status, scopes, last_used_at) and counts]}, in the directory's order. */
void mock_org_list(struct req *r) {
    size_t n = 0;
    struct tenant **list = store_tenants_retain(&n);
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(data, org_summary(list[i]));
        tenant_release(list[i]);
    }
    free(list);
    reply_json(r, 200, o);
}

static int newest_first(const void *a, const void *b) {
    const struct alter_approval *x = *(struct alter_approval *const *)a;
    const struct alter_approval *y = *(struct alter_approval *const *)b;
    return (y->created_at > x->created_at) - (y->created_at < x->created_at);
}

/* GET /_mock/orgs/{id}/alter/approvals?status= → {"data": [approval with org_id]} newest
 * first.  Reading notices expiries, as reading one approval does. */
void mock_alter_approval_list(struct req *r) {
    struct field_errors fe = {0};
    int status = req_query_enum(r, &fe, "status", alter_approval_status_names);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", r->params[0]);
    tenant_lock(t);
    /* an approval's expiry is noticed when it is read: a pending list must not show expired ones */
    size_t n = HASH_COUNT(t->alter->approvals.by_id), k = 0;
    struct alter_approval **picked = malloc((n ? n : 1) * sizeof *picked);
    for (struct alter_approval *a = t->alter->approvals.by_id; picked && a; a = a->hh.next) {
        alter_approval_find(t, a->id, r->now);
        if (status < 0 || (int)a->status == status) picked[k++] = a;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    if (picked) qsort(picked, k, sizeof *picked, newest_first);
    for (size_t i = 0; i < k; i++) {
        cJSON *a = alter_approval_json(picked[i]);
        cJSON_AddStringToObject(a, "org_id", t->id);
        cJSON_AddItemToArray(data, a);
    }
    tenant_unlock(t);
    tenant_release(t);
    if (!picked) {
        cJSON_Delete(o);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    free(picked);
    reply_json(r, 200, o);
}
