#include "sandbox/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alsorn/agent_snapshot.h"
#include "alsorn/dispute_snapshot.h"
#include "alsorn/transaction_snapshot.h"
#include "alsorn/webhook_snapshot.h"
#include "alter/app_snapshot.h"
#include "alter/key_hash.h"
#include "alter/vault_snapshot.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/json_read.h"
#include "delivery/dispatcher.h"
#include "sandbox/idempotency.h"
#include "sandbox/snapshot_reader.h"
#include "store/store.h"
#include "core/text_copy.h"

#define FORMAT  "agentmock-state"
/* 3: an agent's audit entry that records a transaction is saved as its id and hash (the
 * transaction record gives the rest again), which keeps a file of 5 million transactions
 * to about half the size of version 2, which saved every such entry whole.  2 still loads. */
#define VERSION        3
#define VERSION_OLDEST 2

/* An organization's records, in the order they are written: each kind after the kinds its
 * records name, each in creation order, so indexes rebuild exactly as they were. */
static const snapshot_write_records_fn writers[] = {
    agent_snapshot_write,   transaction_snapshot_write, dispute_snapshot_write,
    webhook_snapshot_write, idempotency_snapshot_write, alter_app_snapshot_write,
    alter_vault_snapshot_write,
};

/* Every record type after meta and org, and the module that loads it. */
static const struct {
    const char *type;
    snapshot_load_record_fn load;
} loaders[] = {
    {"agent", agent_snapshot_load},
    {"transaction", transaction_snapshot_load},
    {"dispute", dispute_snapshot_load},
    {"webhook", webhook_snapshot_load},
    {"webhook_delivery", webhook_delivery_snapshot_load},
    {"webhook_pending", webhook_pending_snapshot_load},
    {"idempotency", idempotency_snapshot_load},
    {"alter_app", alter_app_snapshot_load},
    {"alter_agent", alter_agent_snapshot_load},
    {"alter_key", alter_key_snapshot_load},
    {"alter_idempotency", alter_idempotency_snapshot_load},
    {"alter_audit", alter_audit_snapshot_load},
    {"alter_grant", alter_grant_snapshot_load},
    {"alter_approval", alter_approval_snapshot_load},
};

static char *state_path;
static long write_delay_us;
/* Save, export, import and reset each read or replace the whole state: one at a time, so a
 * save never writes an org a reset is clearing, and two imports never mix. */
static pthread_mutex_t ops_lock = PTHREAD_MUTEX_INITIALIZER;

void snapshot_ops_lock(void) { pthread_mutex_lock(&ops_lock); }
void snapshot_ops_unlock(void) { pthread_mutex_unlock(&ops_lock); }

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
static int put(void *ctx, cJSON *rec) {
    struct writer *w = ctx;
    char *text = w->rc == 0 ? cJSON_PrintUnformatted(rec) : NULL;
    cJSON_Delete(rec);
    if (!text) w->rc = -1;
    if (w->rc == 0 && (w->out(w->ctx, text, strlen(text)) != 0 || w->out(w->ctx, "\n", 1) != 0))
        w->rc = -1;
    free(text);
    if (write_delay_us > 0) usleep((useconds_t)write_delay_us);
    return w->rc;
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
    snapshot_add_int(o, "max_agents", t->max_agents);
    snapshot_add_int(o, "created_at", t->created_at);
    cJSON *settings = cJSON_AddObjectToObject(o, "webhook_settings");
    snapshot_add_int(settings, "retry_base_ms", t->webhook_settings.retry_base_ms);
    snapshot_add_int(settings, "max_attempts", t->webhook_settings.max_attempts);
    snapshot_add_int(settings, "timeout_ms", t->webhook_settings.timeout_ms);
    if (t->webhook_settings.forward_to[0])
        cJSON_AddStringToObject(settings, "forward_to", t->webhook_settings.forward_to);
    /* sandbox rate settings; rate_limit null = the plan's tier */
    if (t->rate_limit_custom) snapshot_add_int(o, "rate_limit", atomic_load(&t->rate_limit));
    else cJSON_AddNullToObject(o, "rate_limit");
    snapshot_add_int(o, "rate_window_seconds", atomic_load(&t->rate_window_seconds));
    snapshot_add_int(o, "alter_rate_limit_rpm", atomic_load(&t->alter_rate_limit_rpm));
    store_keys_foreach(t, add_key, cJSON_AddArrayToObject(o, "keys"));
    return o;
}

static cJSON *meta_record(void) {
    char now[RFC3339_LEN], pepper[KEY_LOOKUP_LEN];
    clock_format(clock_now(), now);
    alter_key_pepper_hex(pepper);
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "type", "meta");
    cJSON_AddStringToObject(meta, "format", FORMAT);
    cJSON_AddNumberToObject(meta, "version", VERSION);
    cJSON_AddStringToObject(meta, "saved_at", now);
    snapshot_add_int(meta, "clock_offset_seconds", clock_offset());
    cJSON_AddStringToObject(meta, "alter_key_pepper", pepper);
    return meta;
}

int snapshot_export(snapshot_write_fn out, void *ctx) {
    struct writer w = {out, ctx, 0};
    struct snapshot_out sink = {put, &w};
    put(&w, meta_record());
    size_t n = 0;
    struct tenant **tenants = store_tenants_retain(&n);
    if (!tenants) return -1;
    for (size_t i = 0; i < n; i++) {
        struct tenant *t = tenants[i];
        /* one tenant at a time, locked while its records are written: each tenant's records
         * are a consistent cut, and other tenants keep serving */
        tenant_lock(t);
        put(&w, org_record(t));
        for (size_t k = 0; k < sizeof writers / sizeof writers[0] && w.rc == 0; k++)
            writers[k](t, &sink);
        tenant_unlock(t);
        tenant_release(t);
    }
    free(tenants);
    return w.rc;
}

/* ---- import -------------------------------------------------------------------------- */

struct snapshot_loader {
    bool saw_meta;
    int64_t clock_offset;
    char pepper[KEY_LOOKUP_LEN]; /* the Alter key index's, as hex */
    struct store_staging *staging;
};

void snapshot_loader_keep_audit_as_given(struct snapshot_loader *l) {
    store_staging_keep_audit_as_given(l->staging);
}

struct snapshot_loader *snapshot_loader_new(void) {
    struct snapshot_loader *l = calloc(1, sizeof *l);
    if (l && !(l->staging = store_staging_new())) {
        free(l);
        return NULL;
    }
    return l;
}

void snapshot_loader_free(struct snapshot_loader *l) {
    if (!l) return;
    store_staging_free(l->staging);
    free(l);
}

static int load_meta(struct snapshot_loader *l, const cJSON *rec, char *err, size_t err_size) {
    bool ok = true;
    const char *type = jr_string(rec, "type", &ok), *format = jr_string(rec, "format", &ok);
    int64_t version = jr_int(rec, "version", &ok);
    if (!ok || strcmp(type, "meta") != 0 || strcmp(format, FORMAT) != 0 ||
        version < VERSION_OLDEST || version > VERSION)
        return snapshot_fail(err, err_size,
                             "the first record must be {\"type\":\"meta\",\"format\":\"%s\","
                             "\"version\":%d,...}",
                             FORMAT, VERSION);
    l->clock_offset = jr_int(rec, "clock_offset_seconds", &ok);
    jr_copy(rec, "alter_key_pepper", l->pepper, sizeof l->pepper, &ok);
    unsigned char bytes[32];
    if (!ok || hex_decode(l->pepper, bytes, sizeof bytes) != 0)
        return snapshot_fail(err, err_size, "meta: clock_offset_seconds must be an integer and "
                                            "alter_key_pepper 64 hex digits");
    l->saw_meta = true;
    return 0;
}

static int load_keys(struct store_staging *st, struct tenant *t, const cJSON *keys) {
    if (!cJSON_IsArray(keys)) return -1;
    const cJSON *k;
    cJSON_ArrayForEach(k, keys) {
        bool ok = true;
        const char *hash = jr_string(k, "sha256", &ok);
        int level = jr_enum(k, "level", key_level_names, &ok);
        bool revoked = jr_bool(k, "revoked", &ok);
        if (!ok || level == KEY_NONE ||
            store_staging_add_key(st, t, hash, (enum key_level)level, revoked) != 0)
            return -1;
    }
    return 0;
}

static int load_settings(struct webhook_settings *s, const cJSON *o) {
    bool ok = cJSON_IsObject(o);
    s->retry_base_ms = jr_int(o, "retry_base_ms", &ok);
    s->max_attempts = (int)jr_int(o, "max_attempts", &ok);
    s->timeout_ms = (int)jr_int(o, "timeout_ms", &ok);
    /* optional; checked against this process's allow-list only when a delivery goes out */
    const cJSON *forward = ok ? cJSON_GetObjectItemCaseSensitive(o, "forward_to") : NULL;
    if (forward && (!cJSON_IsString(forward) || strlen(forward->valuestring) >= sizeof s->forward_to))
        return -1;
    snprintf(s->forward_to, sizeof s->forward_to, "%s", forward ? forward->valuestring : "");
    return ok && s->retry_base_ms >= 0 && s->max_attempts >= 1 && s->timeout_ms >= 1 ? 0 : -1;
}

/* The sandbox's rate settings (rate_limit null: the plan's tier). */
static int load_rates(struct tenant *t, const cJSON *rec) {
    bool ok = true;
    const cJSON *limit = jr_member(rec, "rate_limit");
    int64_t window = jr_int(rec, "rate_window_seconds", &ok);
    int64_t alter_rpm = jr_int(rec, "alter_rate_limit_rpm", &ok);
    if (!ok || !(cJSON_IsNull(limit) || cJSON_IsNumber(limit)) || window < 1 || alter_rpm < 1)
        return -1;
    if (cJSON_IsNumber(limit)) {
        int64_t v = jr_int(rec, "rate_limit", &ok);
        if (!ok || v < 1) return -1;
        t->rate_limit_custom = true;
        atomic_store(&t->rate_limit, (long)v);
    }
    atomic_store(&t->rate_window_seconds, (int)window);
    atomic_store(&t->alter_rate_limit_rpm, (long)alter_rpm);
    return 0;
}

static int load_org(struct store_staging *st, const cJSON *rec, char *err, size_t err_size) {
    bool ok = true;
    const char *id = jr_string(rec, "id", &ok), *name = jr_string(rec, "name", &ok);
    const char *user = jr_string(rec, "user_id", &ok);
    int plan = jr_enum(rec, "plan", plan_names, &ok);
    bool verified = jr_bool(rec, "operator_verified", &ok);
    int64_t max_agents = jr_int(rec, "max_agents", &ok), created = jr_int(rec, "created_at", &ok);
    if (!ok || !*id || strlen(id) >= ID_LEN || strlen(user) >= ID_LEN)
        return snapshot_fail(err, err_size, "org record: missing or mistyped fields");
    if (store_staging_tenant(st, id)) return snapshot_fail(err, err_size, "org %s appears twice", id);
    struct tenant *t = tenant_new(name, (enum plan)plan, verified);
    if (!t) return snapshot_fail(err, err_size, "out of memory");
    text_copy(t->id, sizeof t->id, id);
    text_copy(t->user_id, sizeof t->user_id, user);
    t->max_agents = (long)max_agents;
    t->created_at = created;
    store_staging_add_tenant(st, t); /* takes our reference */
    if (load_settings(&t->webhook_settings,
                      jr_member(rec, "webhook_settings")) != 0)
        return snapshot_fail(err, err_size, "org %s: bad webhook_settings", id);
    if (load_rates(t, rec) != 0)
        return snapshot_fail(err, err_size, "org %s: bad rate_limit, rate_window_seconds or "
                                            "alter_rate_limit_rpm", id);
    if (load_keys(st, t, jr_member(rec, "keys")) != 0)
        return snapshot_fail(err, err_size, "org %s: bad or duplicate key record", id);
    return 0;
}

/* A record of an org's state: found by its org_id among the orgs staged so far. */
static int load_owned(struct snapshot_loader *l, const char *type, const cJSON *rec, char *err,
                      size_t err_size) {
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
        if (strcmp(loaders[i].type, type) != 0) continue;
        bool ok = true;
        const char *org_id = jr_string(rec, "org_id", &ok);
        struct tenant *t = store_staging_tenant(l->staging, org_id);
        if (!t) return snapshot_fail(err, err_size, "%s record before its org '%s'", type, org_id);
        return loaders[i].load(l->staging, t, rec, err, err_size);
    }
    return snapshot_fail(err, err_size, "unknown record type '%s'", type);
}

/* One parsed record (NULL: the line was refused for the reason problem gives). */
static int load_record(struct snapshot_loader *l, const cJSON *rec, const char *problem,
                       char *err, size_t err_size) {
    if (!rec) return snapshot_fail(err, err_size, "the line %s", problem);
    bool ok = true;
    const char *type = cJSON_IsObject(rec) ? jr_string(rec, "type", &ok) : NULL;
    if (!type) return snapshot_fail(err, err_size, "a record is not a JSON object");
    if (!l->saw_meta) return load_meta(l, rec, err, err_size);
    if (strcmp(type, "org") == 0) return load_org(l->staging, rec, err, err_size);
    return load_owned(l, type, rec, err, err_size);
}

int snapshot_loader_line(struct snapshot_loader *l, const char *line, size_t len, char *err,
                         size_t err_size) {
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    if (len == 0) return 0;
    const char *problem;
    cJSON *rec = snapshot_line_parse(line, len, &problem);
    int rc = load_record(l, rec, problem, err, err_size);
    cJSON_Delete(rec);
    return rc;
}

/* What a snapshot holds that is the process's rather than an org's (store_replace's hook). */
static void install_process_state(void *ctx) {
    const struct snapshot_loader *l = ctx;
    alter_key_pepper_set_hex(l->pepper);
    clock_set(clock_now() - clock_offset() + l->clock_offset);
}

int snapshot_loader_commit(struct snapshot_loader *l, char *err, size_t err_size) {
    if (!l->saw_meta) return snapshot_fail(err, err_size, "empty snapshot: no meta record");
    for (struct tenant *t = store_staging_first(l->staging); t; t = t->hh.next)
        if (transaction_snapshot_check(t, err, err_size) != 0) return -1;
    /* the keys were indexed under the saved pepper, and the clock is the snapshot's: both
     * change with the store in one step (under the directory's lock), so no request sees the
     * new pepper with the old keys, and two imports cannot mix */
    snapshot_ops_lock();
    store_replace(l->staging, install_process_state, l);
    snapshot_ops_unlock();
    l->staging = NULL;
    delivery_resume();
    return 0;
}

/* ---- files ----------------------------------------------------------------------------- */

static int write_file(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

/* The directory of path, into buf. */
static const char *dir_of(const char *path, char *buf, size_t size) {
    text_copy(buf, size, path);
    return dirname(buf);
}

int snapshot_path_check(const char *path, char *err, size_t err_size) {
    char buf[4096], probe[4200];
    const char *dir = dir_of(path, buf, sizeof buf);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "the directory %s of %s does not exist", dir, path);
        return -1;
    }
    /* a save writes a new file there and renames it over path: try exactly that much */
    snprintf(probe, sizeof probe, "%s/.agentmock-probe-XXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(err, err_size, "cannot write in %s, the directory of %s: %s", dir, path,
                 strerror(errno));
        return -1;
    }
    close(fd);
    unlink(probe);
    if (access(path, F_OK) == 0 && access(path, R_OK) != 0) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes the state into a new file beside path (its name unique: saves never share one),
 * fsyncs it and renames it over path.  Called with ops_lock held. */
static int save_locked(const char *path, char *err, size_t err_size) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600: a snapshot holds secrets */
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(err, err_size, "saving %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
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
    int dir = open(dir_of(path, dir_buf, sizeof dir_buf), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) { /* the rename itself is durable only once the directory is */
        fsync(dir);
        close(dir);
    }
    return 0;
}

int snapshot_save_file(const char *path, char *err, size_t err_size) {
    snapshot_ops_lock();
    int rc = save_locked(path, err, err_size);
    snapshot_ops_unlock();
    return rc;
}

FILE *snapshot_export_tmpfile(char *err, size_t err_size) {
    FILE *f = tmpfile(); /* unlinked already: gone when closed */
    if (!f) {
        snprintf(err, err_size, "no temporary file for the export: %s", strerror(errno));
        return NULL;
    }
    snapshot_ops_lock();
    int rc = snapshot_export(write_file, f);
    snapshot_ops_unlock();
    if (rc != 0 || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(err, err_size, "exporting: %s", strerror(errno ? errno : EIO));
        fclose(f);
        return NULL;
    }
    return f;
}

int snapshot_load_file(const char *path, char *err, size_t err_size) {
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct snapshot_loader *l = snapshot_loader_new();
    struct snapshot_reader *reader = l ? snapshot_reader_start(f) : NULL;
    const cJSON *rec;
    const char *problem;
    size_t lineno = 0;
    int rc = reader ? 0 : snapshot_fail(err, err_size, "out of memory"), got = 0;
    while (rc == 0 && (got = snapshot_reader_next(reader, &rec, &problem, &lineno)) == 1)
        rc = load_record(l, rec, problem, err, err_size);
    if (rc == 0 && got < 0) rc = snapshot_fail(err, err_size, "reading: %s", strerror(errno));
    snapshot_reader_stop(reader);
    fclose(f);
    if (rc == 0) {
        rc = snapshot_loader_commit(l, err, err_size);
    } else if (lineno) {
        char why[256];
        text_copy(why, sizeof why, err);
        snprintf(err, err_size, "%s line %zu: %s", path, lineno, why);
    }
    snapshot_loader_free(l);
    return rc == 0 ? 1 : -1;
}
