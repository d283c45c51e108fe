#include "sandbox/admin.h"
#include "sandbox/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/clock.h"
#include "alsorn/trust.h"
#include "alter/app.h"
#include "core/router.h"
#include "sandbox/caps.h"
#include "sandbox/faults.h"
#include "sandbox/journal.h"
#include "sandbox/provision.h"
#include "sandbox/rate_limit.h"
#include "sandbox/snapshot.h"
#include "sandbox/report.h"
#include "sandbox/ui.h"
#include "sandbox/sessions.h"


const char *mock_admin_token;

bool mock_authenticate(struct req *r) {
    /* health, and the dashboard's page and files, which hold no data (the page asks for the
     * token and sends it with each of its calls) */
    if (!mock_admin_token || r->route->handler == mock_health || r->route->handler == mock_ui_page ||
        r->route->handler == mock_ui_asset)
        return true;
    const char *given = req_header(r, "X-Mock-Admin-Token");
    const char *auth = req_header(r, "Authorization");
    if (!given && auth && strncasecmp(auth, "Bearer ", 7) == 0) given = auth + 7;
    if (!given) {
        reply_error(r, 401, "missing_auth",
                    "This sandbox needs its admin token: send X-Mock-Admin-Token: <token> or "
                    "Authorization: Bearer <token>");
        return false;
    }
    size_t n = strlen(mock_admin_token);
    if (strlen(given) != n || CRYPTO_memcmp(given, mock_admin_token, n) != 0) {
        reply_error(r, 401, "invalid_admin_token", "Wrong sandbox admin token");
        return false;
    }
    return true;
}

void mock_health(struct req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "service", "agentmock");
    cJSON_AddStringToObject(o, "version", AGENTMOCK_VERSION);
    /* so a client (the dashboard) knows to ask for the token before its first call fails */
    cJSON_AddBoolToObject(o, "admin_token_required", mock_admin_token != NULL);
    cJSON_AddItemToObject(o, "caps", caps_json());
    reply_json(r, 200, o);
}

/* ---- tenants ------------------------------------------------------------------------------ */

/* The settings POST /_mock/orgs and PATCH /_mock/orgs/{id} take; absent ones stay as they are. */
struct org_settings {
    const char *name;
    int plan; /* -1: unchanged */
    enum vres operator_verified_set;
    bool operator_verified;
    enum vres max_agents_set;
    long long max_agents;
    enum { RATE_UNCHANGED, RATE_SET, RATE_PLAN } rate_limit_set;
    long long rate_limit;
    enum vres window_set;
    long long window;
    enum vres alter_rpm_set;
    long long alter_rpm;
};

static void parse_org_settings(const cJSON *body, struct field_errors *fe, struct org_settings *s) {
    *s = (struct org_settings){.plan = -1};
    v_string(fe, body, "name", 1, 200, false, &s->name);
    v_enum(fe, body, "plan", plan_names, &s->plan);
    s->operator_verified_set = v_bool(fe, body, "operator_verified", &s->operator_verified);
    s->max_agents_set = v_int(fe, body, "max_agents", 0, ORG_MAX_AGENTS_MAX, &s->max_agents);
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(body, "rate_limit");
    if (cJSON_IsNull(limit)) s->rate_limit_set = RATE_PLAN;
    else if (v_int(fe, body, "rate_limit", 1, ORG_RATE_LIMIT_MAX, &s->rate_limit) == V_OK) s->rate_limit_set = RATE_SET;
    s->window_set = v_int(fe, body, "rate_window_seconds", 1, ORG_RATE_WINDOW_MAX, &s->window);
    s->alter_rpm_set = v_int(fe, body, "alter_rate_limit_rpm", 1, ORG_RATE_LIMIT_MAX, &s->alter_rpm);
}

/* Applies s to t (lock held, or t not yet shared).  Operator verification is an input of every
 * agent's trust score, so changing it re-evaluates them (history, trust.score_changed). */
static void apply_org_settings(struct tenant *t, const struct org_settings *s, int64_t now) {
    if (s->name) {
        char *name = strdup(s->name);
        if (name) {
            free(t->name);
            t->name = name;
        }
    }
    if (s->plan >= 0) {
        t->plan = (enum plan)s->plan;
        t->max_agents = plan_max_agents(t->plan); /* the new plan's cap, unless given below */
    }
    if (s->operator_verified_set == V_OK && t->operator_verified != s->operator_verified) {
        t->operator_verified = s->operator_verified;
        for (size_t i = 0; i < t->agents.n; i++)
            trust_evaluate(t, t->agents.list[i], now, TRUST_REASON_VERIFICATION);
    }
    if (s->max_agents_set == V_OK) t->max_agents = (long)s->max_agents;
    if (s->rate_limit_set == RATE_SET) {
        t->rate_limit_custom = true;
        atomic_store(&t->rate_limit, (long)s->rate_limit);
    } else if (s->rate_limit_set == RATE_PLAN) {
        t->rate_limit_custom = false;
    }
    if (!t->rate_limit_custom) atomic_store(&t->rate_limit, plan_rate_limit(t->plan));
    if (s->window_set == V_OK) atomic_store(&t->rate_window_seconds, (int)s->window);
    if (s->alter_rpm_set == V_OK) atomic_store(&t->alter_rate_limit_rpm, (long)s->alter_rpm);
}

/* POST /_mock/orgs {name?, plan?, operator_verified?, max_agents?, rate_limit?,
 * rate_window_seconds?} → 201 org with its keys.  Defaults: enterprise, not verified. */
void mock_org_create(struct req *r) {
    struct field_errors fe = {0};
    struct org_settings s = {.plan = -1};
    if (r->json) parse_org_settings(r->json, &fe, &s);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct org_spec spec = {.name = s.name ? s.name : "Sandbox Organization",
                            .plan = s.plan >= 0 ? (enum plan)s.plan : PLAN_ENTERPRISE,
                            .operator_verified = s.operator_verified,
                            .max_agents = s.max_agents_set == V_OK ? (long)s.max_agents : -1};
    struct tenant *t = provision_org(&spec);
    if (!t) return reply_error(r, 500, "internal_error", "Could not create the organization");
    tenant_lock(t);
    apply_org_settings(t, &s, r->now);
    cJSON *body = provision_org_json(t, &spec);
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 201, body);
}

static struct tenant *find_org(struct req *r) {
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) reply_error(r, 404, "not_found", "No organization %s", r->params[0]);
    return t;
}

static void reply_org(struct req *r, struct tenant *t) {
    cJSON *o = org_json(t);
    cJSON_AddNumberToObject(o, "agents", (double)t->agents.n);
    cJSON_AddItemToObject(o, "usage", caps_usage_json(t));
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 200, o);
}

/* GET /_mock/orgs/{id} → the org and its settings (keys are kept hashed: not shown). */
void mock_org_get(struct req *r) {
    struct tenant *t = find_org(r);
    if (!t) return;
    tenant_lock(t);
    reply_org(r, t);
}

/* PATCH /_mock/orgs/{id} {name?, plan?, operator_verified?, max_agents?, rate_limit? (null:
 * the plan's tier), rate_window_seconds?} → 200 the org.  A new plan brings its agent cap and
 * rate tier, except where the same or an earlier PATCH set them explicitly (rate_limit) or
 * this one does (max_agents). */
void mock_org_update(struct req *r) {
    struct field_errors fe = {0};
    struct org_settings s;
    parse_org_settings(r->json, &fe, &s);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = find_org(r);
    if (!t) return;
    tenant_lock(t);
    apply_org_settings(t, &s, r->now);
    reply_org(r, t);
}

/* DELETE /_mock/orgs/{id} → 204: the org goes with everything it owns (keys of both APIs stop
 * working at once, its ids are free again), its fault rules and rate counters; a CI run
 * against a shared mock removes what it made.  Deliveries already queued for it still end. */
void mock_org_delete(struct req *r) {
    const char *id = r->params[0];
    if (strlen(id) >= ID_LEN || store_tenant_remove(id) != 0)
        return reply_error(r, 404, "not_found", "No organization %s", id);
    char prefix[ID_LEN + 1]; /* the rate counters' keys: "<org id>/<key hash>" */
    snprintf(prefix, sizeof prefix, "%.*s/", ID_LEN - 1, id);
    rate_limit_forget(prefix);
    faults_clear(id);
    reply_empty(r, 204);
}

/* POST /_mock/keys/revoke {"key": "als_..." | "alter_..."} */
void mock_key_revoke(struct req *r) {
    struct field_errors fe = {0};
    const char *key = NULL;
    v_require(&fe, v_string(&fe, r->json, "key", 1, 200, false, &key), "key");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    int rc = strncmp(key, "alter_", 6) == 0 ? alter_key_revoke_plaintext(key, r->now)
                                            : store_key_revoke(key);
    if (rc != 0) return reply_error(r, 404, "not_found", "Unknown API key");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "revoked", true);
    reply_json(r, 200, o);
}

/* POST /_mock/reset {"org_id"?}.  With org_id: that organization's data (agents, idempotency
 * keys, rate counters, report, faults) is emptied; the org, its settings and keys stay.
 * Without: everything goes (every org, seeded ones included; faults, journal, rate counters,
 * report; the clock returns to real time) and nothing is reloaded. */
void mock_reset(struct req *r) {
    struct field_errors fe = {0};
    const char *org = NULL;
    if (r->json) v_string(&fe, r->json, "org_id", 1, ID_LEN - 1, true, &org);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    cJSON *o = cJSON_CreateObject();
    if (org) {
        struct tenant *t = store_tenant_get(org);
        if (!t) {
            cJSON_Delete(o);
            return reply_error(r, 404, "not_found", "No organization %s", org);
        }
        struct tenant_data old;
        snapshot_ops_lock(); /* a save never sees an org half cleared */
        tenant_lock(t);
        store_forget_agents(t); /* by t's agents: before they go */
        tenant_detach_data(t, &old);
        tenant_unlock(t);
        snapshot_ops_unlock();
        tenant_data_free(&old); /* outside every lock */
        char prefix[ID_LEN + 1];
        snprintf(prefix, sizeof prefix, "%s/", t->id);
        rate_limit_forget(prefix);
        faults_clear(t->id);
        tenant_release(t);
        cJSON_AddStringToObject(o, "reset", "organization");
        cJSON_AddStringToObject(o, "org_id", org);
    } else {
        snapshot_ops_lock();
        store_clear();
        snapshot_ops_unlock();
        faults_clear(NULL);
        journal_clear();
        rate_limit_forget(NULL);
        report_clear(report_unauthenticated());
        sessions_clear();
        clock_reset();
        cJSON_AddStringToObject(o, "reset", "all");
    }
    reply_json(r, 200, o);
}

/* The scopes array of POST /_mock/alter/app-keys as bits; adds field errors. */
static unsigned scopes_of(const cJSON *arr, struct field_errors *fe) {
    unsigned bits = 0;
    if (!cJSON_IsArray(arr)) {
        field_error_add(fe, "scopes", "is required: an array of scope names");
        return 0;
    }
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        int bit = -1;
        for (int s = 0; cJSON_IsString(it) && alter_scope_names[s]; s++)
            if (strcmp(it->valuestring, alter_scope_names[s]) == 0) bit = s;
        if (bit >= 0) {
            bits |= 1u << bit;
            continue;
        }
        char path[32];
        snprintf(path, sizeof path, "scopes[%d]", i);
        field_error_choices(fe, path, alter_scope_names);
    }
    return bits;
}

/* POST /_mock/alter/app-keys {"org_id", "scopes": [...]} → 201 a new app key of the org's
 * Alter app with those scopes (agents:admin includes write and read, write includes read). */
void mock_alter_app_key_create(struct req *r) {
    struct field_errors fe = {0};
    const char *org_id = NULL;
    v_require(&fe, v_string(&fe, r->json, "org_id", 1, 100, false, &org_id), "org_id");
    unsigned scopes = scopes_of(cJSON_GetObjectItemCaseSensitive(r->json, "scopes"), &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = store_tenant_get(org_id);
    if (!t) return reply_error(r, 404, "not_found", "No organization %s", org_id);
    char plaintext[ALTER_KEY_MAX];
    tenant_lock(t);
    const struct alter_key *k = alter_key_issue(t, NULL, NULL, NULL, scopes, r->now, plaintext);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "org_id", t->id);
    cJSON_AddStringToObject(o, "app_id", t->alter->id);
    if (k) {
        cJSON_AddStringToObject(o, "key_id", k->id);
        cJSON_AddItemToObject(o, "scopes", alter_scopes_json(k->scopes));
    }
    tenant_unlock(t);
    tenant_release(t);
    if (!k) {
        cJSON_Delete(o);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    cJSON_AddStringToObject(o, "app_key", plaintext);
    reply_json(r, 201, o);
}
