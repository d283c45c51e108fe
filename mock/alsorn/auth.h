/* Alsorn authentication: `Authorization: Bearer als_<64 lowercase hex>` (alsorn.md §1–2). */
#ifndef ALSORN_AUTH_H
#define ALSORN_AUTH_H

#include <stdbool.h>

#include "core/http.h"

bool alsorn_key_format_valid(const char *key);
/* Checks the key against r->route->needs (enum key_level); renders the §2 error on failure. */
bool alsorn_authenticate(struct req *r);

#endif
