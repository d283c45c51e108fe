#include "sandbox/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alsorn/agent_snapshot.h"
#include "core/clock.h"
#include "core/json_read.h"
#include "store/store.h"

#define FORMAT  "agentmock-state"
#define VERSION 1

static char *state_path;
static long write_delay_us;

void snapshot_set_path(const char *path) {
    free(state_path);
    state_path = path ? strdup(path) : NULL;
}
const char *snapshot_path(void) { return state_path; }
void snapshot_set_write_delay_us(long us) { write_delay_us = us; }

/* ---- export -------------------------------------------------------------------------- */

struct writer {
    snapshot_write_fn out;
    void *ctx;
    int rc;
};

/* Writes one record and its newline; consumes rec. */
static void put(struct writer *w, cJSON *rec) {
    char *text = cJSON_PrintUnformatted(rec);
    cJSON_Delete(rec);
    if (!text) w->rc = -1;
    if (w->rc == 0 && (w->out(w->ctx, text, strlen(text)) != 0 || w->out(w->ctx, "\n", 1) != 0))
        w->rc = -1;
    free(text);
    if (write_delay_us > 0) usleep((useconds_t)write_delay_us);
}

static void add_key(const char *hash, enum key_level level, bool revoked, void *ctx) {
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "sha256", hash);
    cJSON_AddStringToObject(k, "level", key_level_names[level]);
    cJSON_AddBoolToObject(k, "revoked", revoked);
    cJSON_AddItemToArray(ctx, k);
}

static cJSON *org_record(const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "org");
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "user_id", t->user_id);
    cJSON_AddStringToObject(o, "plan", plan_names[t->plan]);
    cJSON_AddBoolToObject(o, "operator_verified", t->operator_verified);
    cJSON_AddNumberToObject(o, "max_agents", (double)t->max_agents);
    cJSON_AddNumberToObject(o, "created_at", (double)t->created_at);
    /* sandbox rate settings (issue 5); rate_limit null = the plan's tier */
    if (t->rate_limit_custom) cJSON_AddNumberToObject(o, "rate_limit", (double)atomic_load(&t->rate_limit));
    else cJSON_AddNullToObject(o, "rate_limit");
    cJSON_AddNumberToObject(o, "rate_window_seconds", atomic_load(&t->rate_window_seconds));
    store_keys_foreach(t, add_key, cJSON_AddArrayToObject(o, "keys"));
    return o;
}

int snapshot_export(snapshot_write_fn out, void *ctx) {
    struct writer w = {out, ctx, 0};
    char now[RFC3339_LEN];
    clock_format(clock_now(), now);
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "type", "meta");
    cJSON_AddStringToObject(meta, "format", FORMAT);
    cJSON_AddNumberToObject(meta, "version", VERSION);
    cJSON_AddStringToObject(meta, "saved_at", now);
    cJSON_AddNumberToObject(meta, "clock_offset_seconds", (double)clock_offset());
    put(&w, meta);
    size_t n = 0;
    struct tenant **tenants = store_tenants_retain(&n);
    if (!tenants) return -1;
    for (size_t i = 0; i < n; i++) {
        struct tenant *t = tenants[i];
        /* one tenant at a time, locked while its records are written: each tenant's records
         * are a consistent cut, and other tenants keep serving */
        tenant_lock(t);
        put(&w, org_record(t));
        for (size_t k = 0; k < t->agents.n && w.rc == 0; k++)
            put(&w, agent_snapshot_json(t->agents.list[k], t));
        tenant_unlock(t);
        tenant_release(t);
    }
    free(tenants);
    return w.rc;
}

/* ---- import -------------------------------------------------------------------------- */

struct staged_key {
    char hash[65];
    enum key_level level;
    bool revoked;
    struct tenant *tenant;
};

struct snapshot_loader {
    bool saw_meta;
    int64_t clock_offset;
    struct tenant **tenants;
    size_t n_tenants, cap_tenants;
    struct staged_key *keys;
    size_t n_keys, cap_keys;
};

struct snapshot_loader *snapshot_loader_new(void) { return calloc(1, sizeof(struct snapshot_loader)); }

void snapshot_loader_free(struct snapshot_loader *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n_tenants; i++) tenant_release(l->tenants[i]);
    free(l->tenants);
    free(l->keys);
    free(l);
}

static struct tenant *staged_tenant(struct snapshot_loader *l, const char *id) {
    for (size_t i = l->n_tenants; i-- > 0;) /* newest first: agents follow their org */
        if (strcmp(l->tenants[i]->id, id) == 0) return l->tenants[i];
    return NULL;
}

static int grow(void **items, size_t *cap, size_t n, size_t size) {
    if (n < *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, ncap * size);
    if (!p) return -1;
    *items = p;
    *cap = ncap;
    return 0;
}

static int load_keys(struct snapshot_loader *l, struct tenant *t, const cJSON *keys) {
    const cJSON *k;
    cJSON_ArrayForEach(k, keys) {
        bool ok = true;
        const char *hash = jr_string(k, "sha256", &ok);
        int level = jr_enum(k, "level", key_level_names, &ok);
        bool revoked = jr_bool(k, "revoked", &ok);
        if (!ok || strlen(hash) != 64 || level == KEY_NONE) return -1;
        for (size_t i = 0; i < l->n_keys; i++) /* duplicates are refused before anything changes */
            if (strcmp(l->keys[i].hash, hash) == 0) return -1;
        if (grow((void **)&l->keys, &l->cap_keys, l->n_keys, sizeof *l->keys) != 0) return -1;
        struct staged_key *sk = &l->keys[l->n_keys++];
        memcpy(sk->hash, hash, sizeof sk->hash);
        sk->level = (enum key_level)level;
        sk->revoked = revoked;
        sk->tenant = t;
    }
    return 0;
}

static int load_org(struct snapshot_loader *l, const cJSON *rec, char *err, size_t err_size) {
    bool ok = true;
    const char *id = jr_string(rec, "id", &ok), *name = jr_string(rec, "name", &ok);
    const char *user = jr_string(rec, "user_id", &ok);
    int plan = jr_enum(rec, "plan", plan_names, &ok);
    bool verified = jr_bool(rec, "operator_verified", &ok);
    int64_t max_agents = jr_int(rec, "max_agents", &ok), created = jr_int(rec, "created_at", &ok);
    if (!ok || !*id || strlen(id) >= ID_LEN || strlen(user) >= ID_LEN) {
        snprintf(err, err_size, "org record: missing or mistyped fields");
        return -1;
    }
    if (staged_tenant(l, id)) {
        snprintf(err, err_size, "org %s appears twice", id);
        return -1;
    }
    struct tenant *t = tenant_new(name, (enum plan)plan, verified);
    if (!t || grow((void **)&l->tenants, &l->cap_tenants, l->n_tenants, sizeof *l->tenants) != 0) {
        tenant_release(t);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->user_id, sizeof t->user_id, "%s", user);
    t->max_agents = (long)max_agents;
    t->created_at = created;
    /* rate settings: absent in snapshots older than them, so optional */
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(rec, "rate_limit");
    const cJSON *window = cJSON_GetObjectItemCaseSensitive(rec, "rate_window_seconds");
    if (cJSON_IsNumber(limit) && limit->valuedouble >= 1 && limit->valuedouble <= 1e9) {
        t->rate_limit_custom = true;
        atomic_store(&t->rate_limit, (long)limit->valuedouble);
    }
    if (cJSON_IsNumber(window) && window->valuedouble >= 1 && window->valuedouble <= 86400)
        atomic_store(&t->rate_window_seconds, (int)window->valuedouble);
    l->tenants[l->n_tenants++] = t;
    if (load_keys(l, t, cJSON_GetObjectItemCaseSensitive(rec, "keys")) != 0) {
        snprintf(err, err_size, "org %s: bad or duplicate key record", id);
        return -1;
    }
    return 0;
}

int snapshot_loader_line(struct snapshot_loader *l, const char *line, size_t len, char *err,
                         size_t err_size) {
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    if (len == 0) return 0;
    cJSON *rec = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(rec)) {
        cJSON_Delete(rec);
        snprintf(err, err_size, "a record is not a JSON object");
        return -1;
    }
    bool ok = true;
    const char *type = jr_string(rec, "type", &ok);
    int rc = -1;
    if (!l->saw_meta) {
        if (strcmp(type, "meta") != 0 || strcmp(jr_string(rec, "format", &ok), FORMAT) != 0 ||
            jr_int(rec, "version", &ok) != VERSION || !ok) {
            snprintf(err, err_size, "the first record must be {\"type\":\"meta\",\"format\":\"%s\","
                     "\"version\":%d,...}", FORMAT, VERSION);
        } else {
            l->saw_meta = true;
            l->clock_offset = jr_int(rec, "clock_offset_seconds", &ok);
            rc = ok ? 0 : -1;
            if (!ok) snprintf(err, err_size, "meta: clock_offset_seconds must be an integer");
        }
    } else if (strcmp(type, "org") == 0) {
        rc = load_org(l, rec, err, err_size);
    } else if (strcmp(type, "agent") == 0) {
        struct tenant *t = staged_tenant(l, jr_string(rec, "org_id", &ok));
        if (t) rc = agent_snapshot_load(t, rec, err, err_size);
        else snprintf(err, err_size, "agent record before its org");
    } else {
        snprintf(err, err_size, "unknown record type '%s'", type);
    }
    cJSON_Delete(rec);
    return rc;
}

int snapshot_loader_commit(struct snapshot_loader *l, char *err, size_t err_size) {
    if (!l->saw_meta) {
        snprintf(err, err_size, "empty snapshot: no meta record");
        return -1;
    }
    store_clear();
    clock_set(clock_now() - clock_offset() + l->clock_offset);
    for (size_t i = 0; i < l->n_tenants; i++) {
        struct tenant *t = l->tenants[i];
        store_tenant_add(t);
        tenant_lock(t);
        for (size_t k = 0; k < t->agents.n; k++) store_agent_register(t->agents.list[k]->id, t);
        tenant_unlock(t);
    }
    for (size_t i = 0; i < l->n_keys; i++) { /* distinct (checked when staged): cannot clash */
        const struct staged_key *k = &l->keys[i];
        store_key_add_hash(k->tenant, k->hash, k->level, k->revoked);
    }
    return 0;
}

/* ---- files ----------------------------------------------------------------------------- */

static int write_file(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

int snapshot_save_file(const char *path, char *err, size_t err_size) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, err_size, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    int rc = snapshot_export(write_file, f);
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0)) rc = -1;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc != 0) {
        snprintf(err, err_size, "saving %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir_buf[4096];
    snprintf(dir_buf, sizeof dir_buf, "%s", path);
    int dir = open(dirname(dir_buf), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) { /* the rename itself is durable only once the directory is */
        fsync(dir);
        close(dir);
    }
    return 0;
}

int snapshot_load_file(const char *path, char *err, size_t err_size) {
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct snapshot_loader *l = snapshot_loader_new();
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = l ? 0 : -1;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n') len--;
        rc = snapshot_loader_line(l, line, (size_t)len, err, err_size);
    }
    free(line);
    fclose(f);
    if (rc == 0) rc = snapshot_loader_commit(l, err, err_size);
    else {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, err_size, "%s line %zu: %s", path, lineno, why);
    }
    snapshot_loader_free(l);
    return rc == 0 ? 1 : -1;
}
