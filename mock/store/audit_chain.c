#include "store/audit_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

static int reserve(struct audit_chain *c) {
    if (c->n < c->cap) return 0;
    size_t cap = c->cap ? c->cap * 2 : 4;
    struct audit_entry *e = realloc(c->entries, cap * sizeof *e);
    if (!e) return -1;
    c->entries = e;
    c->cap = cap;
    return 0;
}

/* The seven hashed fields of entry i; payload parsed from its canonical text. */
static cJSON *hashed_fields(const struct audit_chain *c, const char *agent_id, size_t i) {
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
    cJSON *fields = hashed_fields(c, agent_id, c->n - 1);
    int rc = canonical_sha256(fields, e->payload_hash);
    cJSON_Delete(fields);
    if (rc != 0) {
        free(e->payload);
        c->n--;
        return NULL;
    }
    return e;
}

int audit_chain_restore(struct audit_chain *c, const char *id, const char *action,
                        const cJSON *payload, const char *actor_id, int64_t created_at,
                        const char *payload_hash) {
    char *text = canonical_json(payload);
    if (!text || reserve(c) != 0) {
        free(text);
        return -1;
    }
    struct audit_entry *e = &c->entries[c->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->action, sizeof e->action, "%s", action);
    e->payload = text;
    snprintf(e->actor_id, sizeof e->actor_id, "%s", actor_id);
    e->created_at = created_at;
    snprintf(e->payload_hash, sizeof e->payload_hash, "%s", payload_hash);
    return 0;
}

cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i) {
    cJSON *o = hashed_fields(c, agent_id, i);
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
        cJSON *fields = hashed_fields(c, agent_id, i);
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
