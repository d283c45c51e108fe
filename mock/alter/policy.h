/* An agent's policy object (alter.md §7 "Policies on an agent"): its shape, checked when an
 * agent is created or updated, and its verdict on each vaulted call (token or proxy).  Rules
 * only restrict, so an unknown rule is refused rather than ignored: a misspelt rule must not
 * silently leave an agent unrestricted. */
#ifndef ALTER_POLICY_H
#define ALTER_POLICY_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/validate.h"

/* Adds a field error ("policy.<rule>...") for every malformed or unknown rule. */
void alter_policy_validate(const cJSON *policy, struct field_errors *fe);

/* rate_limit_rpm counts an agent's vaulted calls in a one-minute window that opens at the
 * first call it counts (not at the top of the clock's minute), so a burst is judged the same
 * whenever it starts. */
struct alter_rate_window {
    int64_t start; /* virtual seconds */
    long used;
};

enum alter_policy_verdict {
    ALTER_POLICY_ALLOW,
    ALTER_POLICY_DENY,           /* a restricting rule failed: see the denial */
    ALTER_POLICY_NEEDS_APPROVAL, /* require_approval: every restricting rule passed */
};

struct alter_policy_denial {
    const char *rule; /* "ip_allowlist", "time_window", "rate_limit_rpm" (static) */
    char message[200];
};

/* The verdict of policy (a validated object; NULL = none) on one vaulted call from client_addr
 * at virtual time now.  ip_allowlist, then time_window, then rate_limit_rpm: the first that
 * fails denies.  A call they all let through is counted in *rate (the caller holds the lock
 * that guards it), then require_approval is asked. */
enum alter_policy_verdict alter_policy_evaluate(const cJSON *policy, const char *client_addr,
                                                int64_t now, struct alter_rate_window *rate,
                                                struct alter_policy_denial *out);

#endif
