/* Creating tenants: an organization with one Alsorn key per level, and its Alter app with an
 * app key holding every scope.  Used by the fixtures loader (keys given) and by POST
 * /_mock/orgs (keys generated). */
#ifndef PROVISION_H
#define PROVISION_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "alter/key_hash.h"
#include "store/store.h"

#define ALSORN_KEY_SIZE 69 /* "als_" + 64 hex + NUL */

struct org_spec {
    const char *id;      /* NULL: generated */
    const char *user_id; /* NULL: generated */
    const char *name;
    enum plan plan;
    bool operator_verified;
    long max_agents; /* < 0: the plan's default */
    char keys[4][ALSORN_KEY_SIZE]; /* indexed by enum key_level; empty = generate */
    const char *alter_app_id;           /* NULL: generated */
    char alter_app_key[ALTER_KEY_MAX];  /* empty = generate */
};

/* Adds the organization and its keys to the store.  Returns it with a reference the caller
 * releases, or NULL (out of memory, or a key already in use). spec->keys receives the keys. */
struct tenant *provision_org(struct org_spec *spec);
/* {"id", "name", "plan", "operator_verified", "max_agents", "user_id", "rate_limit",
 * "rate_window_seconds", "created_at"}: an org's settings (t's lock held or t not shared). */
cJSON *org_json(const struct tenant *t);
/* org_json + "keys": {"read", "write", "admin"} and "alter": {"app_id", "app_key"} (the
 * plaintexts exist only at creation). */
cJSON *provision_org_json(const struct tenant *t, const struct org_spec *spec);

#endif
