#include "sandbox/fixtures.h"

#include <stdio.h>
#include <string.h>

#include "alsorn/agents.h"
#include "alter/agents.h"
#include "alsorn/trust_model.h"
#include "alter/app.h"
#include "core/clock.h"
#include "core/files.h"
#include "sandbox/provision.h"
#include "core/text_copy.h"

static const char *string_of(const cJSON *o, const char *name) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Writes why agent i (of `kind`) of org t could not be loaded, and consumes fe. */
static void agent_error(char *err, size_t err_size, const struct tenant *t, const char *kind,
                        int i, struct field_errors *fe, const char *otherwise) {
    char *why = fe->list ? cJSON_PrintUnformatted(fe->list) : NULL;
    snprintf(err, err_size, "org %s %s %d: %s", t->id, kind, i, why ? why : otherwise);
    cJSON_free(why);
    field_errors_free(fe);
}

/* Adds the org's agents through the same validation as POST /agents. */
static int load_agents(struct tenant *t, const cJSON *agents, char *err, size_t err_size) {
    int i = 0, rc = 0;
    tenant_lock(t);
    for (const cJSON *body = agents ? agents->child : NULL; body && rc == 0; body = body->next, i++) {
        struct field_errors fe = {0};
        struct agent *a;
        enum create_result res = alsorn_agent_create(t, body, t->user_id, clock_now(), &fe, &a);
        if (res != CREATE_OK) {
            agent_error(err, err_size, t, "agent", i, &fe,
                        res == CREATE_PLAN_LIMIT ? "over the plan's agent cap" : "out of memory");
            rc = -1;
        }
    }
    tenant_unlock(t);
    return rc;
}

/* Adds the Alter agents of the org's "alter" object, each with its fixed key, through the same
 * validation as POST /sdk/agents.  Appends {name, id, api_key} of each to banner. */
static int load_alter_agents(struct tenant *t, const cJSON *alter, cJSON *banner, char *err,
                             size_t err_size) {
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(alter, "agents");
    int i = 0, rc = 0;
    tenant_lock(t);
    for (const cJSON *body = agents ? agents->child : NULL; body && rc == 0; body = body->next, i++) {
        struct field_errors fe = {0};
        struct alter_agent *a = NULL;
        char key[ALTER_KEY_MAX];
        enum alter_create_result res = alter_agent_add(t, body, string_of(body, "id"),
                                                       string_of(body, "api_key"), clock_now(),
                                                       &fe, &a, key);
        if (res == ALTER_CREATE_OK) {
            cJSON *entry = cJSON_CreateObject();
            cJSON_AddStringToObject(entry, "name", a->name);
            cJSON_AddStringToObject(entry, "id", a->id);
            cJSON_AddStringToObject(entry, "api_key", key);
            cJSON_AddItemToArray(banner, entry);
            continue;
        }
        agent_error(err, err_size, t, "alter agent", i, &fe,
                    res == ALTER_CREATE_NAME_TAKEN ? "name already used" : "out of memory");
        rc = -1;
    }
    tenant_unlock(t);
    return rc;
}

/* Adds the grants of the org's "alter" object through the same validation as POST
 * /_mock/alter/grants.  Appends {grant_id, provider_id, principal_type} of each to banner. */
static int load_alter_grants(struct tenant *t, const cJSON *alter, cJSON *banner, char *err,
                             size_t err_size) {
    const cJSON *grants = cJSON_GetObjectItemCaseSensitive(alter, "grants");
    int i = 0, rc = 0;
    tenant_lock(t);
    for (const cJSON *body = grants ? grants->child : NULL; body && rc == 0; body = body->next, i++) {
        struct field_errors fe = {0};
        struct alter_grant *g = NULL;
        enum alter_grant_result res = alter_grant_add(t, body, clock_now(), &fe, &g);
        if (res == ALTER_GRANT_OK) {
            cJSON *entry = cJSON_CreateObject();
            cJSON_AddStringToObject(entry, "grant_id", g->id);
            cJSON_AddStringToObject(entry, "provider_id", g->provider_id);
            cJSON_AddStringToObject(entry, "principal_type", alter_principal_names[g->principal]);
            cJSON_AddItemToArray(banner, entry);
            continue;
        }
        agent_error(err, err_size, t, "alter grant", i, &fe, "out of memory");
        rc = -1;
    }
    tenant_unlock(t);
    return rc;
}

static struct tenant *load_org(const cJSON *o, struct org_spec *spec, char *err, size_t err_size) {
    memset(spec, 0, sizeof *spec);
    spec->id = string_of(o, "id");
    spec->user_id = string_of(o, "user_id");
    spec->name = string_of(o, "name") ? string_of(o, "name") : "Sandbox Organization";
    spec->max_agents = -1;
    const char *plan = string_of(o, "plan");
    spec->plan = PLAN_GROWTH;
    for (int p = 0; plan && plan_names[p]; p++)
        if (strcmp(plan, plan_names[p]) == 0) spec->plan = (enum plan)p;
    spec->operator_verified = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "operator_verified"));
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(o, "keys");
    for (int level = KEY_READ; level <= KEY_ADMIN; level++) {
        const char *k = string_of(keys, key_level_names[level]);
        if (k) text_copy(spec->keys[level], sizeof spec->keys[level], k);
    }
    const cJSON *alter = cJSON_GetObjectItemCaseSensitive(o, "alter");
    spec->alter_app_id = string_of(alter, "app_id");
    const char *app_key = string_of(alter, "app_key");
    if (app_key) text_copy(spec->alter_app_key, sizeof spec->alter_app_key, app_key);
    struct tenant *t = provision_org(spec);
    if (!t) snprintf(err, err_size, "organization %s: bad or duplicate keys", spec->name);
    return t;
}

int fixtures_load_trust_model(const char *dir, char *err, size_t err_size) {
    struct trust_model model;
    int loaded = trust_model_load_file(dir, &model, err, err_size);
    if (loaded > 0) trust_model_use(&model);
    return loaded < 0 ? -1 : 0;
}

cJSON *fixtures_load(const char *dir, char *err, size_t err_size) {
    /* the trust model first: the seeded agents are scored with it */
    if (fixtures_load_trust_model(dir, err, err_size) != 0) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/seed.json", dir);
    cJSON *seed = file_read_json(path, err, err_size);
    if (!seed) return NULL;
    cJSON *banner = fixtures_seed(seed, err, err_size);
    cJSON_Delete(seed);
    return banner;
}

cJSON *fixtures_seed(const cJSON *seed, char *err, size_t err_size) {
    cJSON *banner = cJSON_CreateArray();
    const cJSON *orgs = cJSON_GetObjectItemCaseSensitive(seed, "organizations");
    for (const cJSON *o = cJSON_IsArray(orgs) ? orgs->child : NULL; o; o = o->next) {
        struct org_spec spec;
        struct tenant *t = load_org(o, &spec, err, err_size);
        cJSON *entry = NULL, *alter_agents = cJSON_CreateArray(), *grants = cJSON_CreateArray();
        const cJSON *alter = cJSON_GetObjectItemCaseSensitive(o, "alter");
        if (!t || load_agents(t, cJSON_GetObjectItemCaseSensitive(o, "agents"), err, err_size) != 0 ||
            load_alter_agents(t, alter, alter_agents, err, err_size) != 0 ||
            load_alter_grants(t, alter, grants, err, err_size) != 0) {
            tenant_release(t);
            cJSON_Delete(alter_agents);
            cJSON_Delete(grants);
            cJSON_Delete(banner);
            return NULL;
        }
        entry = provision_org_json(t, &spec);
        cJSON_AddNumberToObject(entry, "agents", (double)t->agents.n);
        cJSON_AddItemToObject(cJSON_GetObjectItem(entry, "alter"), "agents", alter_agents);
        cJSON_AddItemToObject(cJSON_GetObjectItem(entry, "alter"), "grants", grants);
        cJSON_AddItemToArray(banner, entry);
        tenant_release(t);
    }
    return banner;
}
