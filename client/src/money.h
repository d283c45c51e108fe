/* Money on the wire: a JSON number with at most 2 decimals (contract §1). */
#ifndef MONEY_H
#define MONEY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* A JSON number for amount.  When amount is a whole number of cents up to double rounding
 * (0.1 + 0.2, say), the number is that exact amount, so it prints as "0.3" and not as
 * "0.30000000000000004", which the server would reject for having 17 decimals.  Anything
 * else is sent as given and the server's validation answers.  NULL when out of memory. */
cJSON *money_to_json(double amount);
/* The same number as text (query parameters).  Returns false when it does not fit. */
bool money_to_text(double amount, char *out, size_t size);

#endif
