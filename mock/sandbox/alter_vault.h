/* The sandbox's side of Alter's vault (alter.md §7): grants are created here (the API only
 * lists and revokes them), and approvals are decided here, as a person would in Alter's
 * dashboard.  Under /_mock/alter/, no authentication; errors in the mock's envelope. */
#ifndef SANDBOX_ALTER_VAULT_H
#define SANDBOX_ALTER_VAULT_H

#include "core/http.h"

/* POST /_mock/alter/grants {org_id, grant_id?, provider_id, scopes, account_identifier,
 * principal_type, owner_agent_id, delegated_agent_ids, upstream_token, token_type} → 201 */
void mock_alter_grant_create(struct req *r);
/* GET /_mock/alter/grants/{id}: the grant with its org_id and upstream_token */
void mock_alter_grant_get(struct req *r);
/* GET /_mock/alter/approvals/{id}: the approval with its org_id (its approval_url) */
void mock_alter_approval_get(struct req *r);
/* POST /_mock/alter/approvals/{id}/approve|deny {reason?} → 200 the approval */
void mock_alter_approval_approve(struct req *r);
void mock_alter_approval_deny(struct req *r);

#endif
