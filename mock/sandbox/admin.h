/* The sandbox control API under /_mock/ (DESIGN.md "Sandbox controls"; README lists them). */
#ifndef SANDBOX_ADMIN_H
#define SANDBOX_ADMIN_H

#include "core/http.h"

/* --admin-token: when set, every /_mock/ route but health and the dashboard page needs it
 * (NULL: open). */
extern const char *mock_admin_token;
bool mock_authenticate(struct req *r);

void mock_health(struct req *r);
/* tenants (admin.c) */
void mock_org_create(struct req *r);
void mock_org_get(struct req *r);
void mock_org_update(struct req *r);
void mock_org_delete(struct req *r);
void mock_key_revoke(struct req *r);
void mock_reset(struct req *r);
void mock_alter_app_key_create(struct req *r);
/* fault injection (admin_faults.c) */
void mock_fault_create(struct req *r);
void mock_fault_list(struct req *r);
void mock_fault_clear(struct req *r);
void mock_fault_delete(struct req *r);
/* journal and report (admin_observe.c) */
void mock_requests_list(struct req *r);
void mock_requests_clear(struct req *r);
void mock_report(struct req *r);
void mock_sequence_create(struct req *r);
void mock_sequence_list(struct req *r);
void mock_sequence_get(struct req *r);
/* graded sessions (admin_sessions.c) */
void mock_session_create(struct req *r);
void mock_session_list(struct req *r);
void mock_session_get(struct req *r);
void mock_session_close(struct req *r);
void mock_session_result(struct req *r);
/* webhook receiver probe (admin_probe.c) */
void mock_webhook_probe(struct req *r);

#endif
