/* The body fields each route understands, for the report's "unknown field" check: a table per
 * route pattern (known_fields.c).  A route without a row is not checked. */
#ifndef KNOWN_FIELDS_H
#define KNOWN_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

struct route;

/* True when the route has a field list and `name` is not in it. */
bool known_fields_unknown(const struct route *route, const char *name);
/* Rows of the table that name no route (a typo there silently turns a check off): 0. */
size_t known_fields_unmatched_rows(void);

#endif
