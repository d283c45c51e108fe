/* The sandbox dashboard (/_mock/ui) and the read-only views it needs that the APIs lack. */
#ifndef SANDBOX_UI_H
#define SANDBOX_UI_H

#include "core/http.h"

/* ui.c: the page and its files, served from the binary */
void mock_ui_page(struct req *r);
void mock_ui_asset(struct req *r);
/* ui_data.c: every org with its settings, counts and keys' levels (never a key) */
void mock_org_list(struct req *r);
/* ui_data.c: an org's Alter approvals, newest first, ?status= to filter */
void mock_alter_approval_list(struct req *r);

#endif
