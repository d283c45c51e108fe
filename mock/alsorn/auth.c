#include "alsorn/auth.h"

#include <string.h>
#include <strings.h>

#include "core/router.h"
#include "store/store.h"

bool alsorn_key_format_valid(const char *key) {
    if (strncmp(key, "als_", 4) != 0 || strlen(key) != 68) return false;
    for (const char *p = key + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

bool alsorn_authenticate(struct req *r) {
    int needs = r->route->needs;
    if (needs == KEY_NONE) return true;
    const char *h = req_header(r, "Authorization");
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
    if (r->caller.level < needs) {
        reply_error(r, 403, "forbidden", "This endpoint needs a %s key; this key is %s",
                    key_level_names[needs], key_level_names[r->caller.level]);
        return false;
    }
    return true;
}
