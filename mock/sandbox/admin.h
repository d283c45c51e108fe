/* The sandbox control API under /_mock/ (DESIGN.md "Sandbox controls"). */
#ifndef SANDBOX_ADMIN_H
#define SANDBOX_ADMIN_H

#include "core/http.h"

void mock_health(struct req *r);
void mock_org_create(struct req *r);
void mock_key_revoke(struct req *r);
void mock_alter_app_key_create(struct req *r);

#endif
