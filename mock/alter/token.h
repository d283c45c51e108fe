/* Retrieve mode (alter.md §7): POST /sdk/token hands the calling agent the grant's upstream
 * credential, which the SDK then sends to the provider itself. */
#ifndef ALTER_TOKEN_H
#define ALTER_TOKEN_H

#include "core/http.h"

#define ALTER_TOKEN_TTL 3600 /* seconds: expires_at of a retrieved credential */

void alter_token_issue(struct req *r);

#endif
