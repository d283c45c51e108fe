/* Proxy mode (alter.md §7): POST /sdk/proxy makes the upstream call from the mock with the
 * grant's credential injected, or, when the agent's policy requires an approval, stores it
 * and answers 202 with the approval to wait for. */
#ifndef ALTER_PROXY_H
#define ALTER_PROXY_H

#include "core/http.h"

void alter_proxy_call(struct req *r);

#endif
