#include "store/audit_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

int audit_chain_reserve(struct audit_chain *c, size_t n) {
    if (n <= c->cap) return 0;
    struct audit_entry *e = realloc(c->entries, n * sizeof *e);
    if (!e) return -1;
    c->entries = e;
    c->cap = n;
    return 0;
}

static int reserve(struct audit_chain *c) {
    return c->n < c->cap ? 0 : audit_chain_reserve(c, c->cap ? c->cap * 2 : 4);
}

/* The seven hashed fields of entry i, as the API shows them (copies, the payload parsed). */
static cJSON *fields_of(const struct audit_chain *c, const char *agent_id, size_t i) {
    const struct audit_entry *e = &c->entries[i];
    char ts[RFC3339_LEN];
    clock_format(e->created_at, ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "agent_id", agent_id);
    cJSON_AddStringToObject(o, "action", e->action);
    cJSON *payload = cJSON_Parse(e->payload);
    cJSON_AddItemToObject(o, "payload", payload ? payload : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "actor_id", e->actor_id);
    cJSON_AddStringToObject(o, "created_at", ts);
    if (i == 0) cJSON_AddNullToObject(o, "previous_hash");
    else cJSON_AddStringToObject(o, "previous_hash", c->entries[i - 1].payload_hash);
    return o;
}

/* out = the hash of entry i's seven fields.  Every write request hashes one or two entries:
 * the fields are items on this stack borrowing the chain's strings, the payload a raw item
 * (its canonical text as it is), so hashing allocates nothing.  0, or -1. */
static int hash_entry(const struct audit_chain *c, const char *agent_id, size_t i,
                      char out[SHA256_TAGGED_LEN]) {
    const struct audit_entry *e = &c->entries[i];
    char ts[RFC3339_LEN];
    clock_format(e->created_at, ts);
    cJSON member[] = {
        canonical_member("action", cJSON_String, e->action),
        canonical_member("actor_id", cJSON_String, e->actor_id),
        canonical_member("agent_id", cJSON_String, agent_id),
        canonical_member("created_at", cJSON_String, ts),
        canonical_member("id", cJSON_String, e->id),
        canonical_member("payload", cJSON_Raw, e->payload),
        i == 0 ? canonical_member("previous_hash", cJSON_NULL, NULL)
               : canonical_member("previous_hash", cJSON_String, c->entries[i - 1].payload_hash),
    };
    cJSON fields = canonical_object(member, sizeof member / sizeof member[0]);
    return canonical_sha256(&fields, out);
}

/* A string cut to its field (a longer one cannot verify anyway); cheaper than snprintf. */
static void copy_field(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

const struct audit_entry *audit_chain_append(struct audit_chain *c, const char *agent_id,
                                             const char *action, cJSON *payload,
                                             const char *actor_id, int64_t now) {
    char *text = canonical_json(payload);
    cJSON_Delete(payload);
    return text ? audit_chain_append_canonical(c, agent_id, action, text, actor_id, now) : NULL;
}

const struct audit_entry *audit_chain_append_canonical(struct audit_chain *c,
                                                       const char *agent_id, const char *action,
                                                       char *payload, const char *actor_id,
                                                       int64_t now) {
    if (reserve(c) != 0) {
        free(payload);
        return NULL;
    }
    struct audit_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    random_object_id(e->id, sizeof e->id, "audit_");
    copy_field(e->action, sizeof e->action, action);
    e->payload = payload;
    copy_field(e->actor_id, sizeof e->actor_id, actor_id);
    e->created_at = now;
    if (hash_entry(c, agent_id, c->n, e->payload_hash) != 0) {
        free(e->payload);
        return NULL;
    }
    c->n++;
    return e;
}

int audit_chain_restore(struct audit_chain *c, const char *agent_id, const char *id,
                        const char *action, const char *payload, const char *actor_id,
                        int64_t created_at, const char *payload_hash) {
    char *text = strdup(payload);
    if (!text || reserve(c) != 0) {
        free(text);
        return -1;
    }
    struct audit_entry *e = &c->entries[c->n++];
    memset(e, 0, sizeof *e);
    copy_field(e->id, sizeof e->id, id);
    copy_field(e->action, sizeof e->action, action);
    e->payload = text;
    copy_field(e->actor_id, sizeof e->actor_id, actor_id);
    e->created_at = created_at;
    copy_field(e->payload_hash, sizeof e->payload_hash, payload_hash);
    char hash[SHA256_TAGGED_LEN];
    int rc = hash_entry(c, agent_id, c->n - 1, hash);
    if (rc == 0 && strcmp(hash, payload_hash) == 0) return 0;
    free(e->payload);
    c->n--;
    return rc == 0 ? -2 : -1;
}

cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i) {
    cJSON *o = fields_of(c, agent_id, i);
    cJSON_AddStringToObject(o, "payload_hash", c->entries[i].payload_hash);
    return o;
}

void audit_chain_verify(const struct audit_chain *c, const char *agent_id,
                        struct audit_check *out) {
    out->valid = true;
    out->length = c->n;
    out->head_hash = c->n ? c->entries[c->n - 1].payload_hash : NULL;
    out->broken_at = -1;
    for (size_t i = 0; i < c->n; i++) {
        char hash[SHA256_TAGGED_LEN];
        int rc = hash_entry(c, agent_id, i, hash);
        if (rc != 0 || strcmp(hash, c->entries[i].payload_hash) != 0) {
            out->valid = false;
            out->broken_at = (long)i;
            return;
        }
    }
}

void audit_chain_free(struct audit_chain *c) {
    for (size_t i = 0; i < c->n; i++) free(c->entries[i].payload);
    free(c->entries);
    *c = (struct audit_chain){0};
}
