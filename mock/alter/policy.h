/* An agent's policy object (alter.md §7 "Policies on an agent"): its shape, checked when an
 * agent is created or updated.  Rules only restrict, so an unknown rule is refused rather
 * than ignored: a misspelt rule must not silently leave an agent unrestricted. */
#ifndef ALTER_POLICY_H
#define ALTER_POLICY_H

#include <cjson/cJSON.h>

#include "core/validate.h"

/* Adds a field error ("policy.<rule>...") for every malformed or unknown rule. */
void alter_policy_validate(const cJSON *policy, struct field_errors *fe);

#endif
