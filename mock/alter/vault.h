/* What the vault's two modes (alter.md §7) share: the body fields of POST /sdk/token and POST
 * /sdk/proxy that name the grant and the call to make, and the gate every use of a grant
 * passes: the grant exists (404 grant_not_found), is not revoked (410 grant_revoked), and,
 * when an agent calls, is the agent's own or delegated to it (403 no_delegated_grant) and the
 * agent's policy allows the call now (403 policy_violation with details.policy_error).  A
 * bare app key calls as the app itself: every grant of the app, no policy. */
#ifndef ALTER_VAULT_H
#define ALTER_VAULT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "alter/grant.h"
#include "core/http.h"

#define VAULT_URL_MAX    2048
#define VAULT_REASON_MAX 500

extern const char *const vault_methods[]; /* GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS */

struct vault_target {
    const char *grant_id, *method, *url, *reason; /* point into the body; reason may be NULL */
    const cJSON *context;                         /* an object, or NULL */
    char host[256];                               /* the URL's host, without brackets */
};

/* Checks grant_id, method, url (absolute http or https, no user:password), reason (optional,
 * at most VAULT_REASON_MAX characters) and context (optional object, at most 8 KiB). */
void vault_target_parse(const cJSON *body, struct vault_target *out, struct field_errors *fe);

enum vault_use { VAULT_RETRIEVE, VAULT_PROXY };

/* Locks the caller's tenant, finds grant_id and checks that the caller may use it now (a bare
 * app key: any non-revoked grant of its app, no policy; an agent: delegation and policy as
 * above), noting the grant on the call's audit row.  On a refusal it renders the error (a
 * policy refusal also names itself on the row: action policy.denied, policy_error added to
 * r->audit_details), unlocks and returns NULL.  Otherwise the caller unlocks;
 * *needs_approval says whether the agent's policy asks for an approval first (only for
 * VAULT_PROXY; retrieve mode cannot wait for one, so there require_approval is a
 * policy_violation). */
struct alter_grant *vault_lock_grant(struct req *r, const char *grant_id, enum vault_use use,
                                     bool *needs_approval);

/* The audit details of a use: {method, url, reason} of the target. */
cJSON *vault_target_json(const struct vault_target *target);

#endif
