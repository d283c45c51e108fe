#include "store/agent.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/string_array.h"

const char *const agent_status_names[] = {"active", "suspended", "deleted", NULL};
const char *const agent_env_names[] = {"production", "staging", "sandbox", NULL};

void agent_free(struct agent *a) {
    if (!a) return;
    free(a->name);
    free(a->registered_name);
    free(a->description);
    string_array_free(a->actions, a->n_actions);
    audit_chain_free(&a->audit);
    free(a->trust.history);
    free(a->transactions.positions);
    free(a);
}

int agent_set_actions(struct agent *a, const char *const *actions, size_t n) {
    return string_array_replace(&a->actions, &a->n_actions, actions, n);
}

void agent_fingerprint(const struct agent *a, const char *org_id, char out[SHA256_TAGGED_LEN]) {
    char ts[RFC3339_LEN];
    clock_format(a->created_at, ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "org_id", org_id);
    cJSON_AddStringToObject(o, "name", a->registered_name ? a->registered_name : a->name);
    cJSON_AddStringToObject(o, "environment", agent_env_names[a->environment]);
    cJSON_AddStringToObject(o, "created_at", ts);
    if (canonical_sha256(o, out) != 0) out[0] = '\0';
    cJSON_Delete(o);
}

int agent_set_add(struct agent_set *s, struct agent *a) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct agent **l = realloc(s->list, cap * sizeof *l);
        if (!l) return -1;
        s->list = l;
        s->cap = cap;
    }
    for (int st = 0; st < AGENT_STATUS_COUNT; st++)
        if (rank_index_append(&s->by_status[st], (int)a->status == st) != 0) return -1;
    if (rank_index_append(&s->visible, a->status != AGENT_DELETED) != 0) return -1;
    a->position = s->n;
    s->list[s->n++] = a;
    HASH_ADD_STR(s->by_id, id, a);
    return 0;
}

struct agent *agent_set_find(const struct agent_set *s, const char *id) {
    struct agent *a = NULL;
    HASH_FIND_STR(s->by_id, id, a);
    return a;
}

void agent_set_change_status(struct agent_set *s, struct agent *a, enum agent_status status) {
    if (a->status == status) return;
    rank_index_add(&s->by_status[a->status], a->position, -1);
    rank_index_add(&s->by_status[status], a->position, +1);
    if (status == AGENT_DELETED) rank_index_add(&s->visible, a->position, -1);
    if (a->status == AGENT_DELETED) rank_index_add(&s->visible, a->position, +1);
    a->status = status;
}

static const struct rank_index *filter_index(const struct agent_set *s, int status) {
    return status < 0 ? &s->visible : &s->by_status[status];
}

size_t agent_set_count(const struct agent_set *s, int status) {
    return rank_index_count(filter_index(s, status));
}

struct agent *agent_set_nth_newest(const struct agent_set *s, int status, size_t k) {
    const struct rank_index *ix = filter_index(s, status);
    return s->list[rank_index_select(ix, rank_index_count(ix) - 1 - k)];
}

void agent_set_free(struct agent_set *s) {
    HASH_CLEAR(hh, s->by_id);
    for (size_t i = 0; i < s->n; i++) agent_free(s->list[i]);
    free(s->list);
    for (int st = 0; st < AGENT_STATUS_COUNT; st++) rank_index_free(&s->by_status[st]);
    rank_index_free(&s->visible);
    *s = (struct agent_set){0};
}
