/* Alter authentication (alter.md §1–§2): `x-api-key: <key>` or `Authorization: Bearer <key>`,
 * app keys with scopes, agent keys, and an app key acting as one of its agents through
 * `X-Alter-Caller: <agent id>`.  Also checks the trace headers (§5), so a bad one is refused
 * before the handler runs, and flags a deprecated key on the response. */
#ifndef ALTER_AUTH_H
#define ALTER_AUTH_H

#include <stdbool.h>

#include "alter/app.h"
#include "core/http.h"

/* What an Alter route needs (struct route.needs): app-key scopes, or an agent identity. */
#define SCOPE_AGENTS_READ  ALTER_SCOPE_AGENTS_READ
#define SCOPE_AGENTS_WRITE ALTER_SCOPE_AGENTS_WRITE
#define SCOPE_AGENTS_ADMIN ALTER_SCOPE_AGENTS_ADMIN
#define SCOPE_AUDIT_READ   ALTER_SCOPE_AUDIT_LOGS_READ
/* An agent key, or an app key with X-Alter-Caller; a bare app key is 400 me_requires_agent_key. */
#define AGENT_IDENTITY 0x100
/* Added to scopes: an agent identity may call too (and sees only its own objects); an app key
 * needs the scopes.  Grants and approvals are both the app's and its agents'. */
#define OR_AGENT 0x200
/* The vault's callers (alter.md §7): an agent identity acts as the agent, and a bare app key
 * as the app itself (App.request()), with no scope required. */
#define APP_OR_AGENT OR_AGENT

/* Renders the §2 error and returns false when the caller may not call r->route.  On success
 * (and on the 400/403/404/409/422 refusals after the key was recognised) r->caller is set,
 * so the call gets its audit row. */
bool alter_authenticate(struct req *r);

#endif
