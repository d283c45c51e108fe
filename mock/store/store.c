#include "store/store.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "core/text_copy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *const key_level_names[] = {"none", "read", "write", "admin", NULL};

struct key_entry {
    char hash[65];
    enum key_level level;
    bool revoked;
    struct tenant *tenant; /* borrowed: entries go when their tenant leaves the directory */
    UT_hash_handle hh;
};

struct alter_key_entry {
    char lookup[65];
    struct alter_key *key; /* owned by the tenant's app */
    struct tenant *tenant; /* borrowed, as above */
    UT_hash_handle hh;
};

struct agent_entry {
    char id[ID_LEN];
    struct tenant *tenant; /* borrowed, as above */
    UT_hash_handle hh;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct tenant *tenants;
static struct key_entry *keys;
static struct agent_entry *agents;
static struct alter_key_entry *alter_keys;
static struct agent_entry *alter_objects; /* grants and approvals: the same id → tenant entry */

static void key_hash(const char *plaintext, char out[65]) {
    unsigned char md[SHA256_BYTES];
    sha256(plaintext, strlen(plaintext), md);
    hex_encode(md, sizeof md, out);
}

void store_init(const struct tenant_parts *parts) {
    tenant_parts_install(parts);
    store_clear();
}

/* Drops the entries of tenant t (every tenant's when NULL) from an id → tenant table. */
static void drop_entries(struct agent_entry **table, const struct tenant *t) {
    struct agent_entry *a, *atmp;
    HASH_ITER(hh, *table, a, atmp) {
        if (t && a->tenant != t) continue;
        HASH_DEL(*table, a);
        free(a);
    }
}

/* Frees the key entries of tenant t (of every tenant when t is NULL) in these tables. */
static void drop_keys(struct key_entry **key_table, struct alter_key_entry **alter_table,
                      const struct tenant *t) {
    struct key_entry *k, *ktmp;
    HASH_ITER(hh, *key_table, k, ktmp) {
        if (t && k->tenant != t) continue;
        HASH_DEL(*key_table, k);
        free(k);
    }
    struct alter_key_entry *ak, *aktmp;
    HASH_ITER(hh, *alter_table, ak, aktmp) {
        if (t && ak->tenant != t) continue;
        HASH_DEL(*alter_table, ak);
        free(ak);
    }
}

/* Drops the index entries of tenant t (or of every tenant when t is NULL). Write lock held. */
static void drop_entries_of(const struct tenant *t) {
    drop_keys(&keys, &alter_keys, t);
    drop_entries(&agents, t);
    drop_entries(&alter_objects, t);
}

/* Agent ids removed per hold of the write lock: a reset of a large org lets other requests
 * through between batches. */
#define FORGET_BATCH 1024

void store_forget_agents(const struct tenant *t) {
    /* by t's own agents, not a scan of every org's: the cost is the size of this org */
    for (size_t k = 0; k < t->agents.n;) {
        pthread_rwlock_wrlock(&lock);
        for (size_t end = k + FORGET_BATCH; k < t->agents.n && k < end; k++) {
            struct agent_entry *e = NULL;
            HASH_FIND_STR(agents, t->agents.list[k]->id, e);
            if (e && e->tenant == t) {
                HASH_DEL(agents, e);
                free(e);
            }
        }
        pthread_rwlock_unlock(&lock);
    }
}

static void release_all(struct tenant **table) {
    struct tenant *t, *tmp;
    HASH_ITER(hh, *table, t, tmp) {
        HASH_DEL(*table, t);
        tenant_release(t);
    }
}

void store_clear(void) {
    /* detached under the lock, freed outside it: freeing a large store takes a while, and
     * requests of new tenants must not wait for it */
    pthread_rwlock_wrlock(&lock);
    struct tenant *old_tenants = tenants;
    struct key_entry *old_keys = keys;
    struct agent_entry *old_agents = agents, *old_objects = alter_objects;
    struct alter_key_entry *old_alter_keys = alter_keys;
    tenants = NULL;
    keys = NULL;
    agents = alter_objects = NULL;
    alter_keys = NULL;
    pthread_rwlock_unlock(&lock);
    drop_keys(&old_keys, &old_alter_keys, NULL);
    drop_entries(&old_agents, NULL);
    drop_entries(&old_objects, NULL);
    release_all(&old_tenants);
}

void store_tenant_add(struct tenant *t) {
    tenant_retain(t);
    pthread_rwlock_wrlock(&lock);
    HASH_ADD_STR(tenants, id, t);
    pthread_rwlock_unlock(&lock);
}

struct tenant *store_tenant_get(const char *id) {
    struct tenant *t = NULL;
    pthread_rwlock_rdlock(&lock);
    HASH_FIND_STR(tenants, id, t);
    if (t) tenant_retain(t);
    pthread_rwlock_unlock(&lock);
    return t;
}

int store_tenant_remove(const char *id) {
    struct tenant *t = NULL;
    pthread_rwlock_wrlock(&lock);
    HASH_FIND_STR(tenants, id, t);
    if (t) {
        drop_entries_of(t);
        HASH_DEL(tenants, t);
    }
    pthread_rwlock_unlock(&lock);
    if (!t) return -1;
    tenant_release(t);
    return 0;
}

/* A key entry from a stored hash, or NULL for a malformed hash (or no memory). */
static struct key_entry *key_entry_new(struct tenant *t, const char *sha256_hex,
                                       enum key_level level, bool revoked) {
    if (strlen(sha256_hex) != 64 || strspn(sha256_hex, "0123456789abcdef") != 64) return NULL;
    struct key_entry *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    memcpy(k->hash, sha256_hex, sizeof k->hash);
    k->level = level;
    k->revoked = revoked;
    k->tenant = t;
    return k;
}

int store_key_add_hash(struct tenant *t, const char *sha256_hex, enum key_level level, bool revoked) {
    struct key_entry *k = key_entry_new(t, sha256_hex, level, revoked);
    if (!k) return -1;
    pthread_rwlock_wrlock(&lock);
    struct key_entry *old = NULL;
    HASH_FIND_STR(keys, k->hash, old);
    if (old) { /* the same key twice (a fixture or snapshot mistake): keep the first */
        pthread_rwlock_unlock(&lock);
        free(k);
        return -1;
    }
    HASH_ADD_STR(keys, hash, k);
    pthread_rwlock_unlock(&lock);
    return 0;
}

int store_key_add(struct tenant *t, const char *plaintext, enum key_level level) {
    char hash[65];
    key_hash(plaintext, hash);
    return store_key_add_hash(t, hash, level, false);
}

void store_keys_foreach(const struct tenant *t,
                        void (*fn)(const char *sha256_hex, enum key_level level, bool revoked,
                                   void *ctx),
                        void *ctx) {
    pthread_rwlock_rdlock(&lock);
    for (struct key_entry *k = keys; k; k = k->hh.next)
        if (k->tenant == t) fn(k->hash, k->level, k->revoked, ctx);
    pthread_rwlock_unlock(&lock);
}

struct tenant **store_tenants_retain(size_t *n) {
    pthread_rwlock_rdlock(&lock);
    size_t count = HASH_COUNT(tenants), i = 0;
    struct tenant **list = calloc(count ? count : 1, sizeof *list);
    for (struct tenant *t = tenants; list && t; t = t->hh.next) {
        tenant_retain(t);
        list[i++] = t;
    }
    pthread_rwlock_unlock(&lock);
    *n = i;
    return list;
}

enum key_lookup store_key_lookup(const char *plaintext, struct caller *out) {
    char hash[65];
    key_hash(plaintext, hash);
    enum key_lookup result = KEY_UNKNOWN;
    struct key_entry *k = NULL;
    pthread_rwlock_rdlock(&lock);
    HASH_FIND_STR(keys, hash, k);
    if (k && k->revoked) {
        result = KEY_REVOKED;
        text_copy(out->key_org_id, sizeof out->key_org_id, k->tenant->id);
    } else if (k) {
        result = KEY_FOUND;
        tenant_retain(k->tenant);
        out->tenant = k->tenant;
        out->level = k->level;
        text_copy(out->owner_id, sizeof out->owner_id, k->tenant->user_id);
        memcpy(out->key_hash, hash, sizeof out->key_hash);
    }
    pthread_rwlock_unlock(&lock);
    return result;
}

int store_key_revoke(const char *plaintext) {
    char hash[65];
    key_hash(plaintext, hash);
    struct key_entry *k = NULL;
    pthread_rwlock_wrlock(&lock);
    HASH_FIND_STR(keys, hash, k);
    if (k) k->revoked = true;
    pthread_rwlock_unlock(&lock);
    return k ? 0 : -1;
}

/* Adds lookup → (t, key) to table unless the lookup is there.  0, or -1. */
static int alter_key_entry_add(struct alter_key_entry **table, const char *lookup,
                               struct tenant *t, struct alter_key *key) {
    struct alter_key_entry *e = NULL;
    HASH_FIND_STR(*table, lookup, e);
    if (e || strlen(lookup) >= sizeof e->lookup || !(e = calloc(1, sizeof *e))) return -1;
    text_copy(e->lookup, sizeof e->lookup, lookup);
    e->key = key;
    e->tenant = t;
    HASH_ADD_STR(*table, lookup, e);
    return 0;
}

int store_alter_key_add(const char *lookup, struct tenant *t, struct alter_key *key) {
    pthread_rwlock_wrlock(&lock);
    int rc = alter_key_entry_add(&alter_keys, lookup, t, key);
    pthread_rwlock_unlock(&lock);
    return rc;
}

struct tenant *store_alter_key_find(const char *plaintext, store_key_index_fn make_index,
                                    struct alter_key **key) {
    struct alter_key_entry *e = NULL;
    struct tenant *t = NULL;
    char lookup[65];
    pthread_rwlock_rdlock(&lock);
    make_index(plaintext, lookup); /* under the lock: an import swaps the pepper with the index */
    HASH_FIND_STR(alter_keys, lookup, e);
    if (e) {
        t = e->tenant;
        *key = e->key;
        tenant_retain(t);
    }
    pthread_rwlock_unlock(&lock);
    return t;
}

/* Adds id → t to an id table.  Returns 0, or -1 when taken (only when unique) or no memory. */
static int id_entry_add(struct agent_entry **table, const char *id, struct tenant *t, bool unique) {
    struct agent_entry *e = calloc(1, sizeof *e), *old = NULL;
    if (!e) return -1;
    text_copy(e->id, sizeof e->id, id);
    e->tenant = t;
    pthread_rwlock_wrlock(&lock);
    if (unique) HASH_FIND_STR(*table, e->id, old);
    if (!old) HASH_ADD_STR(*table, id, e);
    pthread_rwlock_unlock(&lock);
    if (old) free(e);
    return old ? -1 : 0;
}

/* The tenant of id in the table, with a reference; NULL when unknown. */
static struct tenant *id_entry_owner(struct agent_entry *const *table, const char *id) {
    struct agent_entry *e = NULL;
    struct tenant *t = NULL;
    pthread_rwlock_rdlock(&lock);
    HASH_FIND_STR(*table, id, e);
    if (e) {
        t = e->tenant;
        tenant_retain(t);
    }
    pthread_rwlock_unlock(&lock);
    return t;
}

void store_agent_register(const char *agent_id, struct tenant *t) {
    id_entry_add(&agents, agent_id, t, false);
}

struct tenant *store_agent_owner(const char *agent_id) { return id_entry_owner(&agents, agent_id); }

int store_alter_object_register(const char *id, struct tenant *t) {
    return id_entry_add(&alter_objects, id, t, true);
}

struct tenant *store_alter_object_owner(const char *id) {
    return id_entry_owner(&alter_objects, id);
}

/* ---- staging -------------------------------------------------------------------------- */

struct store_staging {
    struct tenant *tenants; /* through each tenant's hh: staged tenants are in no directory */
    struct key_entry *keys;
    struct agent_entry *agents;
    struct alter_key_entry *alter_keys;
    struct agent_entry *alter_objects;
    bool audit_as_given;
};

struct store_staging *store_staging_new(void) { return calloc(1, sizeof(struct store_staging)); }

void store_staging_keep_audit_as_given(struct store_staging *s) { s->audit_as_given = true; }
bool store_staging_audit_as_given(const struct store_staging *s) { return s->audit_as_given; }

void store_staging_free(struct store_staging *s) {
    if (!s) return;
    drop_keys(&s->keys, &s->alter_keys, NULL);
    drop_entries(&s->agents, NULL);
    drop_entries(&s->alter_objects, NULL);
    release_all(&s->tenants);
    free(s);
}

int store_staging_add_tenant(struct store_staging *s, struct tenant *t) {
    if (store_staging_tenant(s, t->id)) return -1;
    HASH_ADD_STR(s->tenants, id, t);
    return 0;
}

struct tenant *store_staging_tenant(const struct store_staging *s, const char *id) {
    struct tenant *t = NULL;
    HASH_FIND_STR(s->tenants, id, t);
    return t;
}

struct tenant *store_staging_first(const struct store_staging *s) { return s->tenants; }

int store_staging_add_key(struct store_staging *s, struct tenant *t, const char *sha256_hex,
                          enum key_level level, bool revoked) {
    struct key_entry *k = key_entry_new(t, sha256_hex, level, revoked), *old = NULL;
    if (k) HASH_FIND_STR(s->keys, k->hash, old);
    if (!k || old) {
        free(k);
        return -1;
    }
    HASH_ADD_STR(s->keys, hash, k);
    return 0;
}

int store_staging_add_agent(struct store_staging *s, const char *agent_id, struct tenant *t) {
    struct agent_entry *e = NULL;
    size_t len = strlen(agent_id);
    unsigned hash; /* hashed once for the check and the insert: a load makes millions */
    HASH_VALUE(agent_id, len, hash);
    HASH_FIND_BYHASHVALUE(hh, s->agents, agent_id, len, hash, e);
    if (e || len >= sizeof e->id || !(e = calloc(1, sizeof *e))) return -1;
    memcpy(e->id, agent_id, len + 1);
    e->tenant = t;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, s->agents, e->id, len, hash, e);
    return 0;
}

int store_staging_add_alter_key(struct store_staging *s, const char *lookup, struct tenant *t,
                                struct alter_key *key) {
    return alter_key_entry_add(&s->alter_keys, lookup, t, key);
}

int store_staging_add_alter_object(struct store_staging *s, const char *id, struct tenant *t) {
    struct agent_entry *e = NULL;
    HASH_FIND_STR(s->alter_objects, id, e);
    if (e || strlen(id) >= sizeof e->id || !(e = calloc(1, sizeof *e))) return -1;
    memcpy(e->id, id, strlen(id) + 1);
    e->tenant = t;
    HASH_ADD_STR(s->alter_objects, id, e);
    return 0;
}

void store_replace(struct store_staging *s, void (*with)(void *ctx), void *ctx) {
    struct store_staging old;
    pthread_rwlock_wrlock(&lock);
    if (with) with(ctx);
    old = (struct store_staging){tenants, keys, agents, alter_keys, alter_objects, false};
    tenants = s->tenants;
    keys = s->keys;
    agents = s->agents;
    alter_keys = s->alter_keys;
    alter_objects = s->alter_objects;
    pthread_rwlock_unlock(&lock);
    /* outside the lock: releasing a million-agent tenant takes a while */
    drop_keys(&old.keys, &old.alter_keys, NULL);
    drop_entries(&old.agents, NULL);
    drop_entries(&old.alter_objects, NULL);
    release_all(&old.tenants);
    free(s);
}
