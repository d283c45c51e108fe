/* Grant endpoints (alter.md §7): list (the app sees every grant, an agent only the ones it
 * owns or that are delegated to it) and revoke. */
#ifndef ALTER_GRANTS_H
#define ALTER_GRANTS_H

#include "core/http.h"

void alter_grant_list(struct req *r);
void alter_grant_revoke(struct req *r);

#endif
