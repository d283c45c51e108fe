/* Rendering of Alsorn agents (alsorn.md §3 Agent object). */
#ifndef AGENT_JSON_H
#define AGENT_JSON_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/agent.h"
#include "store/tenant.h"

/* Whole days since the agent registered. */
int agent_tenure_days(const struct agent *a, int64_t now);
cJSON *agent_to_json(const struct agent *a, const struct tenant *t, int64_t now);

/* Shared renderers for the pieces every Alsorn object uses. */
/* name: a string literal (not copied: core/json_build.h) */
void json_add_time(cJSON *o, const char *name, int64_t unix_seconds); /* 0 → null */
void json_add_money(cJSON *o, const char *name, int64_t cents);
void json_add_string_or_null(cJSON *o, const char *name, const char *s);
cJSON *json_pagination(long page, long limit, size_t total);

#endif
