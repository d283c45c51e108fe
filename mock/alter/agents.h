/* Alter agent endpoints (alter.md §3) and the lookup the key endpoints share. */
#ifndef ALTER_AGENTS_H
#define ALTER_AGENTS_H

#include "alter/app.h"
#include "core/http.h"
#include "store/tenant.h"

void alter_agent_create(struct req *r);
void alter_agent_list(struct req *r);
void alter_agent_get(struct req *r);
void alter_agent_get_by_name(struct req *r);
void alter_agent_update(struct req *r);
void alter_agent_delete(struct req *r);

enum alter_create_result {
    ALTER_CREATE_OK,
    ALTER_CREATE_INVALID,
    ALTER_CREATE_NAME_TAKEN,
    ALTER_CREATE_NOMEM
};
/* Validates body as POST /sdk/agents does and, when valid, adds the agent to t's app (whose
 * lock the caller holds) with its first key: `key_plaintext` when given (fixtures), else a new
 * one, written to key_out.  The API and the fixtures loader both come through here.  `id`
 * NULL: a new UUID. */
enum alter_create_result alter_agent_add(struct tenant *t, const cJSON *body, const char *id,
                                         const char *key_plaintext, int64_t now,
                                         struct field_errors *fe, struct alter_agent **out,
                                         char key_out[ALTER_KEY_MAX]);

/* Locks the caller's tenant and finds agent `id` in its app, noting it as the call's subject.
 * When there is none it renders 404 agent_not_found, unlocks and returns NULL; otherwise the
 * caller unlocks. */
struct alter_agent *alter_lock_agent(struct req *r, const char *id);

#endif
