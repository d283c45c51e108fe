#include "store/audit_chain.h"
#include "core/sha256.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hex.h"
#include "core/json_parse.h"
#include "store/transaction.h"

int audit_chain_reserve(struct audit_chain *c, size_t n) {
    if (n <= c->cap) return 0;
    if (n > UINT32_MAX) return -1;
    struct audit_entry *e = realloc(c->entries, n * sizeof *e);
    if (!e) return -1;
    c->entries = e;
    c->cap = (uint32_t)n;
    return 0;
}

/* Grows by half: most of a million chains hold a handful of entries, and doubling would
 * leave a quarter of their room unused on average. */
static int reserve(struct audit_chain *c) {
    return c->n < c->cap ? 0 : audit_chain_reserve(c, (size_t)c->cap + c->cap / 2 + 1);
}

void audit_entry_id(const struct audit_entry *e, char out[ID_LEN]) {
    memcpy(out, AUDIT_ID_PREFIX, sizeof AUDIT_ID_PREFIX - 1);
    memcpy(out + sizeof AUDIT_ID_PREFIX - 1, e->id, AUDIT_ID_CHARS);
    out[sizeof AUDIT_ID_PREFIX - 1 + AUDIT_ID_CHARS] = '\0';
}

void audit_entry_hash(const struct audit_entry *e, char out[SHA256_TAGGED_LEN]) {
    memcpy(out, "sha256:", 7);
    hex_encode(e->hash, sizeof e->hash, out + 7);
}

int audit_entry_fields(const struct audit_entry *e, struct audit_fields *out) {
    audit_entry_id(e, out->id);
    audit_entry_hash(e, out->payload_hash);
    out->created_at = e->created_at;
    out->rendered = NULL;
    if (!e->records_tx) {
        out->action = e->of.text;
        out->actor_id = out->action + strlen(out->action) + 1;
        out->payload = out->actor_id + strlen(out->actor_id) + 1;
        return 0;
    }
    out->action = transaction_audit_action(e->of.tx);
    out->actor_id = e->of.tx->agent->id;
    out->payload = out->rendered = transaction_audit_text(e->of.tx);
    return out->rendered ? 0 : -1;
}

void audit_fields_free(struct audit_fields *f) {
    free(f->rendered);
    f->rendered = NULL;
}

/* The seven hashed fields of an entry (f) whose predecessor's hash is previous (NULL for the
 * first), as the API shows them: copies, with the payload parsed. */
static cJSON *fields_json(const char *agent_id, const struct audit_fields *f,
                          const char *previous) {
    char ts[RFC3339_LEN];
    clock_format(f->created_at, ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", f->id);
    cJSON_AddStringToObject(o, "agent_id", agent_id);
    cJSON_AddStringToObject(o, "action", f->action);
    /* the payload was checked when it was stored (audit_chain_restore for a loaded one) */
    cJSON *payload = json_parse_guarded(f->payload, strlen(f->payload), JSON_MAX_DEPTH, NULL);
    cJSON_AddItemToObject(o, "payload", payload ? payload : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "actor_id", f->actor_id);
    cJSON_AddStringToObject(o, "created_at", ts);
    if (!previous) cJSON_AddNullToObject(o, "previous_hash");
    else cJSON_AddStringToObject(o, "previous_hash", previous);
    return o;
}

/* The hash entry i of c must carry, from its fields f: 0, or -1 out of memory.  Every write
 * hashes one or two entries: the fields are items on this stack borrowing f's strings, the
 * payload a raw item (its canonical text as it is), so hashing allocates only the text. */
static int hash_of(const struct audit_chain *c, const char *agent_id, size_t i,
                   const struct audit_fields *f, unsigned char out[32]) {
    char previous[SHA256_TAGGED_LEN], ts[RFC3339_LEN];
    if (i > 0) audit_entry_hash(&c->entries[i - 1], previous);
    clock_format(f->created_at, ts);
    cJSON member[] = {
        canonical_member("action", cJSON_String, f->action),
        canonical_member("actor_id", cJSON_String, f->actor_id),
        canonical_member("agent_id", cJSON_String, agent_id),
        canonical_member("created_at", cJSON_String, ts),
        canonical_member("id", cJSON_String, f->id),
        canonical_member("payload", cJSON_Raw, f->payload),
        i > 0 ? canonical_member("previous_hash", cJSON_String, previous)
              : canonical_member("previous_hash", cJSON_NULL, NULL),
    };
    cJSON fields = canonical_object(member, sizeof member / sizeof member[0]);
    char *text = canonical_json(&fields);
    if (!text) return -1;
    sha256(text, strlen(text), out); /* the 32 bytes the entry keeps: no hex round trip */
    free(text);
    return 0;
}

/* Hashes the entry just placed at the end of c (not yet counted) and counts it. */
static int seal(struct audit_chain *c, const char *agent_id, const struct audit_fields *f) {
    struct audit_entry *e = &c->entries[c->n];
    if (hash_of(c, agent_id, c->n, f, e->hash) != 0) return -1;
    c->n++;
    return 0;
}

static void new_id(struct audit_entry *e) {
    char id[ID_LEN];
    random_object_id(id, sizeof id, AUDIT_ID_PREFIX);
    memcpy(e->id, id + sizeof AUDIT_ID_PREFIX - 1, AUDIT_ID_CHARS);
}

/* "action\0actor\0payload\0" in one block. */
static char *text_block(const char *action, const char *actor_id, const char *payload) {
    size_t la = strlen(action) + 1, lb = strlen(actor_id) + 1, lc = strlen(payload) + 1;
    char *t = malloc(la + lb + lc);
    if (!t) return NULL;
    memcpy(t, action, la);
    memcpy(t + la, actor_id, lb);
    memcpy(t + la + lb, payload, lc);
    return t;
}

const struct audit_entry *audit_chain_append(struct audit_chain *c, const char *agent_id,
                                             const char *action, cJSON *payload,
                                             const char *actor_id, int64_t now) {
    char *text = canonical_json(payload);
    cJSON_Delete(payload);
    char *block = text ? text_block(action, actor_id, text) : NULL;
    free(text);
    if (!block || reserve(c) != 0) {
        free(block);
        return NULL;
    }
    struct audit_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    new_id(e);
    e->of.text = block;
    e->created_at = now;
    struct audit_fields f;
    audit_entry_fields(e, &f);
    if (seal(c, agent_id, &f) != 0) {
        free(block);
        return NULL;
    }
    return e;
}

int audit_chain_append_transaction(struct audit_chain *c, const char *agent_id,
                                   const struct transaction *tx, const char *payload_text) {
    if (reserve(c) != 0) return -1;
    struct audit_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    new_id(e);
    e->of.tx = tx;
    e->records_tx = true;
    e->created_at = tx->created_at;
    struct audit_fields f = {.action = transaction_audit_action(tx),
                             .actor_id = tx->agent->id,
                             .payload = payload_text,
                             .created_at = tx->created_at};
    audit_entry_id(e, f.id);
    return seal(c, agent_id, &f);
}

/* The entry at the end of c (not yet counted) from its id text; 0, or -2 for an id the mock
 * never makes.  The slot is cleared either way: a caller reads it before checking. */
static int place_id(struct audit_chain *c, const char *id) {
    size_t prefix = sizeof AUDIT_ID_PREFIX - 1;
    struct audit_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    if (strncmp(id, AUDIT_ID_PREFIX, prefix) != 0 || strlen(id) != prefix + AUDIT_ID_CHARS)
        return -2;
    memcpy(e->id, id + prefix, AUDIT_ID_CHARS);
    return 0;
}

/* Whether text is JSON within the guarded parse's limits and in canonical form: the text an
 * entry hashed is the text it renders and verifies with, so nothing else may be stored. */
static bool canonical_payload(const char *text) {
    cJSON *parsed = json_parse_guarded(text, strlen(text), JSON_MAX_DEPTH, NULL);
    char *again = parsed ? canonical_json(parsed) : NULL;
    bool same = again && strcmp(again, text) == 0;
    free(again);
    cJSON_Delete(parsed);
    return same;
}

static int restore(struct audit_chain *c, const char *agent_id, const char *id,
                   const char *action, const char *payload, const char *actor_id,
                   int64_t created_at, const char *payload_hash, bool as_given) {
    if (!canonical_payload(payload)) return -2;
    bool pending = strncmp(action, "transaction.", 12) == 0;
    char *block = text_block(action, actor_id, payload);
    if (!block || reserve(c) != 0) {
        free(block);
        return -1;
    }
    int rc = place_id(c, id);
    struct audit_entry *e = &c->entries[c->n];
    e->of.text = block;
    e->created_at = created_at;
    struct audit_fields f;
    audit_entry_fields(e, &f);
    char hash[SHA256_TAGGED_LEN];
    if (rc == 0) rc = hash_of(c, agent_id, c->n, &f, e->hash);
    if (rc == 0) audit_entry_hash(e, hash);
    if (rc == 0 && strcmp(hash, payload_hash) != 0)
        rc = as_given && strncmp(payload_hash, "sha256:", 7) == 0 &&
                     hex_decode(payload_hash + 7, e->hash, sizeof e->hash) == 0
                 ? 0
                 : -2;
    if (rc != 0 || pending) free(block);
    if (rc != 0) return rc;
    if (pending) {
        e->of.tx = NULL;
        e->records_tx = true;
    }
    c->n++;
    return 0;
}

int audit_chain_restore(struct audit_chain *c, const char *agent_id, const char *id,
                        const char *action, const char *payload, const char *actor_id,
                        int64_t created_at, const char *payload_hash) {
    return restore(c, agent_id, id, action, payload, actor_id, created_at, payload_hash, false);
}

int audit_chain_restore_as_given(struct audit_chain *c, const char *agent_id, const char *id,
                                 const char *action, const char *payload, const char *actor_id,
                                 int64_t created_at, const char *payload_hash) {
    return restore(c, agent_id, id, action, payload, actor_id, created_at, payload_hash, true);
}

int audit_chain_restore_pending(struct audit_chain *c, const char *id, const char *payload_hash) {
    if (reserve(c) != 0) return -1;
    char hash[SHA256_TAGGED_LEN];
    struct audit_entry *e = &c->entries[c->n];
    if (place_id(c, id) != 0 || strncmp(payload_hash, "sha256:", 7) != 0 ||
        hex_decode(payload_hash + 7, e->hash, sizeof e->hash) != 0)
        return -2;
    audit_entry_hash(e, hash); /* the hex must read back the same: lower case only */
    if (strcmp(hash, payload_hash) != 0) return -2;
    e->records_tx = true;
    c->n++;
    return 0;
}

static bool is_pending(const struct audit_entry *e) { return e->records_tx && !e->of.tx; }

long audit_chain_adopt(struct audit_chain *c, const char *agent_id, const struct transaction *tx,
                       const char *payload_text) {
    size_t i = c->adopted;
    while (i < c->n && !is_pending(&c->entries[i])) i++;
    if (i == c->n) return -1;
    struct audit_entry *e = &c->entries[i];
    struct audit_fields f = {.action = transaction_audit_action(tx),
                             .actor_id = tx->agent->id,
                             .payload = payload_text,
                             .created_at = tx->created_at};
    audit_entry_id(e, f.id);
    unsigned char hash[32];
    if (hash_of(c, agent_id, i, &f, hash) != 0 || memcmp(hash, e->hash, sizeof hash) != 0)
        return -1;
    e->of.tx = tx;
    e->created_at = tx->created_at;
    c->adopted = (uint32_t)i + 1;
    return (long)i;
}

long audit_chain_first_pending(const struct audit_chain *c) {
    for (size_t i = c->adopted; i < c->n; i++)
        if (is_pending(&c->entries[i])) return (long)i;
    return -1;
}

cJSON *audit_entry_json(const struct audit_chain *c, const char *agent_id, size_t i) {
    const struct audit_entry *e = &c->entries[i];
    char previous[SHA256_TAGGED_LEN];
    if (i > 0) audit_entry_hash(&c->entries[i - 1], previous);
    struct audit_fields f;
    if (audit_entry_fields(e, &f) != 0) return NULL;
    cJSON *o = fields_json(agent_id, &f, i > 0 ? previous : NULL);
    cJSON_AddStringToObject(o, "payload_hash", f.payload_hash);
    audit_fields_free(&f);
    return o;
}

void audit_chain_verify(const struct audit_chain *c, const char *agent_id,
                        struct audit_check *out) {
    out->valid = true;
    out->length = c->n;
    out->has_head = c->n > 0;
    if (out->has_head) audit_entry_hash(&c->entries[c->n - 1], out->head_hash);
    out->broken_at = -1;
    for (size_t i = 0; i < c->n; i++) {
        unsigned char hash[32];
        struct audit_fields f;
        int rc = audit_entry_fields(&c->entries[i], &f);
        if (rc == 0) rc = hash_of(c, agent_id, i, &f, hash);
        audit_fields_free(&f);
        if (rc != 0 || memcmp(hash, c->entries[i].hash, sizeof hash) != 0) {
            out->valid = false;
            out->broken_at = (long)i;
            return;
        }
    }
}

void audit_chain_free(struct audit_chain *c) {
    for (size_t i = 0; i < c->n; i++)
        if (!c->entries[i].records_tx) free(c->entries[i].of.text);
    free(c->entries);
    *c = (struct audit_chain){0};
}
