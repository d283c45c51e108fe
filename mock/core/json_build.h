/* Building reply objects with cJSON at less cost, printing the same bytes.
 *
 * Member names: every name this mock writes is a string literal, so the json_add_* functions
 * add members with cJSON's "constant key" flag instead of copying the name (one allocation
 * and one free fewer per member: a page of 100 transactions has about 2,000 members).
 *
 * Numbers: the exact text cJSON would print for them, without its cost.
 *
 * cJSON prints every number with sprintf, and every non-integer twice: "%1.15g", then sscanf
 * to check it, then "%1.17g" when the check fails (about 10,000 instructions for 0.9524, a
 * tenth of a whole GET /agents/{id}).  The numbers this mock renders are integers or fixed
 * point (money in minor units, rates in ten-thousandths), whose text is written directly and
 * handed to cJSON as a raw member; anything else still goes through cJSON. */
#ifndef JSON_BUILD_H
#define JSON_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* units / 10^decimals as decimal text without trailing zeros: (1250, 2) → "12.5",
 * (-7, 4) → "-0.0007", (42, 0) → "42".  decimals ≤ 18. */
void decimal_format(int64_t units, int decimals, char out[32]);

/* A number item that prints exactly as cJSON_CreateNumber(x) would. */
cJSON *json_number(double x);
void json_add_number(cJSON *object, const char *name, double x);

/* name must be a string literal (or live as long as the object): it is not copied */
void json_add_string(cJSON *object, const char *name, const char *value);  /* value copied */
void json_add_static(cJSON *object, const char *name, const char *literal); /* not copied */
void json_add_bool(cJSON *object, const char *name, bool value);
void json_add_null(cJSON *object, const char *name);
void json_add_item(cJSON *object, const char *name, cJSON *item);

#endif
