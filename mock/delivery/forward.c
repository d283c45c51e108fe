#include "delivery/forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/allowlist.h"

/* Written once at start-up, before any thread reads it. */
static char *default_target;

bool delivery_forward_valid(const char *url, char *why, size_t why_size) {
    if (strlen(url) > WEBHOOK_URL_MAX) {
        snprintf(why, why_size, "must be at most %d characters", WEBHOOK_URL_MAX);
        return false;
    }
    char reason[256];
    switch (allowlist_check_url(url, reason, sizeof reason)) {
    case URL_OK: return true;
    case URL_MALFORMED: snprintf(why, why_size, "%s", reason); return false;
    case URL_NOT_ALLOWED: break;
    }
    snprintf(why, why_size, "%s; a forward target must be a receiver of your own", reason);
    return false;
}

int delivery_forward_configure(const char *url, char *why, size_t why_size) {
    if (url && !delivery_forward_valid(url, why, why_size)) return -1;
    char *copy = url ? strdup(url) : NULL;
    if (url && !copy) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    free(default_target);
    default_target = copy;
    return 0;
}

const char *delivery_forward_target(const struct tenant *t) {
    if (t->webhook_settings.forward_to[0]) return t->webhook_settings.forward_to;
    return default_target;
}
