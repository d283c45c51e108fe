/* Reading approvals (alter.md §7): GET /sdk/approvals/{id} and its result.  An agent sees the
 * approvals it asked for; the app sees every one of its agents'. */
#ifndef ALTER_APPROVALS_H
#define ALTER_APPROVALS_H

#include "core/http.h"

void alter_approval_get(struct req *r);
/* The proxy's answer once executed; 409 approval_not_executed (details.status, and
 * details.error for a failed one) before that or when it never will be. */
void alter_approval_result(struct req *r);

#endif
