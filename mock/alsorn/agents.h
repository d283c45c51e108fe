/* Alsorn agent endpoints (alsorn.md §3): register, list, get, update, suspend, reactivate,
 * delete, public verify, audit and audit verify. */
#ifndef ALSORN_AGENTS_H
#define ALSORN_AGENTS_H

#include "core/http.h"
#include "store/agent.h"
#include "store/tenant.h"

void alsorn_agent_register(struct req *r);
void alsorn_agent_list(struct req *r);
void alsorn_agent_get(struct req *r);
void alsorn_agent_update(struct req *r);
void alsorn_agent_suspend(struct req *r);
void alsorn_agent_reactivate(struct req *r);
void alsorn_agent_delete(struct req *r);
void alsorn_agent_verify(struct req *r);
void alsorn_agent_audit(struct req *r);
void alsorn_agent_audit_verify(struct req *r);

enum create_result { CREATE_OK, CREATE_INVALID, CREATE_PLAN_LIMIT, CREATE_NOMEM };
/* Validates body as POST /agents does and, when valid, adds the agent to t (whose lock the
 * caller holds) with its agent.registered audit entry.  The API and the fixtures loader both
 * come through here, so seeded agents obey the same rules. */
enum create_result alsorn_agent_create(struct tenant *t, const cJSON *body, const char *actor_id,
                                       int64_t now, struct field_errors *fe, struct agent **out);

/* The API's rules for the writable fields, applied to a stored agent (snapshot loads): the
 * members of rec named as in POST /agents (name, description, authorized_actions, currency,
 * environment) get the same checks, and the spending limit, given in minor units, that of
 * spending_limit.  Adds to fe. */
void alsorn_agent_fields_check(const cJSON *rec, int64_t spending_limit_cents,
                               struct field_errors *fe);

/* Field rules shared with transactions: an action name ^[a-z][a-z0-9_.:-]{0,63}$, and a
 * `currency` member of 3 upper-case letters. */
bool alsorn_action_name_valid(const char *s);
enum vres alsorn_v_currency(struct field_errors *fe, const cJSON *body, const char **out);

/* Locks the caller's tenant and finds agent `id` in it.  When there is no such agent it
 * renders 404, unlocks and returns NULL; otherwise the caller unlocks. */
struct agent *alsorn_lock_agent(struct req *r, const char *id);
/* Appends an entry to the agent's chain, actor = the calling key's owner. */
void alsorn_audit(struct req *r, struct agent *a, const char *action, cJSON *payload);

#endif
