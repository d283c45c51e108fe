#include "alsorn/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "core/router.h"
#include "store/store.h"

long alsorn_unauthenticated_rate_limit = 100;

bool alsorn_key_format_valid(const char *key) {
    if (strncmp(key, "als_", 4) != 0 || strlen(key) != 68) return false;
    for (const char *p = key + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

/* §8: a valid key has its own bucket at its org's limit; anything else (no key, a bad one, a
 * public route) counts against the client address. */
static void rate_bucket_of_address(struct req *r) {
    struct caller *c = &r->caller;
    snprintf(c->rate_key, sizeof c->rate_key, "addr/%s", r->ri->remote_addr);
    c->rate_limit = alsorn_unauthenticated_rate_limit;
    c->rate_window_seconds = RATE_WINDOW_DEFAULT;
}

static void rate_bucket_of_key(struct req *r) {
    struct caller *c = &r->caller;
    snprintf(c->rate_key, sizeof c->rate_key, "%s/alsorn/%s", c->tenant->id, c->key_hash);
    c->rate_limit = atomic_load(&c->tenant->rate_limit);
    c->rate_window_seconds = atomic_load(&c->tenant->rate_window_seconds);
}

bool alsorn_authenticate(struct req *r) {
    int needs = r->route->needs;
    rate_bucket_of_address(r);
    const char *h = req_header(r, "Authorization");
    if (needs == KEY_NONE) {
        /* a public route: a valid key is optional, and only attributes the call (its rate
         * bucket, the report and journal of its org); a bad one is ignored */
        if (h && strncasecmp(h, "Bearer ", 7) == 0 && alsorn_key_format_valid(h + 7) &&
            store_key_lookup(h + 7, &r->caller) == KEY_FOUND)
            rate_bucket_of_key(r);
        return true;
    }
    if (!h) {
        reply_error(r, 401, "missing_auth", "Send Authorization: Bearer <api key>");
        return false;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0 || !alsorn_key_format_valid(h + 7)) {
        reply_error(r, 401, "invalid_auth_format",
                    "Authorization must be 'Bearer als_' followed by 64 lowercase hex digits");
        return false;
    }
    switch (store_key_lookup(h + 7, &r->caller)) {
    case KEY_UNKNOWN:
        reply_error(r, 401, "invalid_api_key", "Unknown API key");
        return false;
    case KEY_REVOKED:
        reply_error(r, 401, "revoked_api_key", "This API key was revoked");
        return false;
    case KEY_FOUND: break;
    }
    rate_bucket_of_key(r);
    if (r->caller.level < needs) {
        reply_error(r, 403, "forbidden", "This endpoint needs a %s key; this key is %s",
                    key_level_names[needs], key_level_names[r->caller.level]);
        return false;
    }
    return true;
}
