/* Alter key lifecycle endpoints (alter.md §4): mint, list, deprecate, undeprecate, revoke. */
#ifndef ALTER_KEYS_H
#define ALTER_KEYS_H

#include "core/http.h"

void alter_key_mint(struct req *r);
void alter_key_list(struct req *r);
void alter_key_deprecate(struct req *r);
void alter_key_undeprecate(struct req *r);
void alter_key_revoke(struct req *r);

#endif
