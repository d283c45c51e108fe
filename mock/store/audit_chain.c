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

/* A string member: a copy, or (ref) a reference into the chain, which costs no copy but must
 * not outlive the next change to the chain. */
static void add_string(cJSON *o, const char *name, const char *value, bool ref) {
    if (ref) cJSON_AddItemToObjectCS(o, name, cJSON_CreateStringReference(value));
    else cJSON_AddStringToObject(o, name, value);
}

/* The seven hashed fields of entry i.  To be shown: copies, with the payload parsed.  To be
 * hashed at once (for_hash): references, with the payload as its canonical text, which the
 * canonical writer copies out as it is (a raw item that borrows the text). */
static cJSON *fields_of(const struct audit_chain *c, const char *agent_id, size_t i,
                        bool for_hash) {
    const struct audit_entry *e = &c->entries[i];
    char ts[RFC3339_LEN];
    clock_format(e->created_at, ts);
    cJSON *o = cJSON_CreateObject();
    add_string(o, "id", e->id, for_hash);
    add_string(o, "agent_id", agent_id, for_hash);
    add_string(o, "action", e->action, for_hash);
    cJSON *payload = for_hash ? cJSON_CreateStringReference(e->payload) : cJSON_Parse(e->payload);
    if (for_hash && payload) payload->type = cJSON_Raw | cJSON_IsReference;
    cJSON_AddItemToObject(o, "payload", payload ? payload : cJSON_CreateNull());
    add_string(o, "actor_id", e->actor_id, for_hash);
    cJSON_AddStringToObject(o, "created_at", ts);
    if (i == 0) cJSON_AddNullToObject(o, "previous_hash");
    else add_string(o, "previous_hash", c->entries[i - 1].payload_hash, for_hash);
    return o;
}

const struct audit_entry *audit_chain_append(struct audit_chain *c, const char *agent_id,
                                             const char *action, cJSON *payload,
                                             const char *actor_id, int64_t now) {
    char *text = canonical_json(payload);
    cJSON_Delete(payload);
    if (!text || reserve(c) != 0) {
        free(text);
        return NULL;
    }
    struct audit_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    random_object_id(e->id, sizeof e->id, "audit_");
    snprintf(e->action, sizeof e->action, "%s", action);
    e->payload = text;
    snprintf(e->actor_id, sizeof e->actor_id, "%s", actor_id);
    e->created_at = now;
    c->n++;
    cJSON *fields = fields_of(c, agent_id, c->n - 1, true);
    int rc = canonical_sha256(fields, e->payload_hash);
    cJSON_Delete(fields);
    if (rc != 0) {
        free(e->payload);
        c->n--;
        return NULL;
    }
    return e;
}

/* A string cut to its field (a longer one cannot verify anyway); cheaper than snprintf. */
static void copy_field(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
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
    cJSON *fields = fields_of(c, agent_id, c->n - 1, true);
    int rc = fields ? canonical_sha256(fields, hash) : -1;
    cJSON_Delete(fields);
    if (rc == 0 && strcmp(hash, payload_hash) == 0) return 0;
    free(e->payload);
    c->n--;
    return rc == 0 ? -2 : -1;
}

cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i) {
    cJSON *o = fields_of(c, agent_id, i, false);
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
        cJSON *fields = fields_of(c, agent_id, i, true);
        int rc = canonical_sha256(fields, hash);
        cJSON_Delete(fields);
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
