/* Alsorn authentication: `Authorization: Bearer als_<64 lowercase hex>` (alsorn.md §1–2), and
 * the rate-limit bucket of each request (§8). */
#ifndef ALSORN_AUTH_H
#define ALSORN_AUTH_H

#include <stdbool.h>

#include "core/http.h"

/* Requests per hour per client address without a valid key (§8: 100; --anon-rate-limit). */
extern long alsorn_unauthenticated_rate_limit;

bool alsorn_key_format_valid(const char *key);
/* Checks the key against r->route->needs (enum key_level); renders the §2 error on failure.
 * Either way it sets r->caller's rate bucket: the key's when the key is valid, else the
 * client address's. */
bool alsorn_authenticate(struct req *r);

#endif
