/* The writable fields of an Alter agent (alter.md §3), checked the same way for create,
 * update and the fixtures loader.  Values point into the request body. */
#ifndef ALTER_AGENT_FIELDS_H
#define ALTER_AGENT_FIELDS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/validate.h"

#define ALTER_NAME_MAX         63
#define ALTER_DISPLAY_NAME_MAX 200
#define ALTER_METADATA_MAX     8192 /* bytes of compact JSON */

struct alter_agent_fields {
    enum vres name, display_name, type, scopes, metadata, policy;
    const char *name_v;
    const char *display_name_v; /* NULL with display_name V_OK: null (clears it) */
    int type_v;
    const cJSON *scopes_v, *metadata_v, *policy_v;
};

/* Checks every field present (name only when with_name; update refuses it instead). */
void alter_agent_fields_parse(const cJSON *body, bool with_name, struct field_errors *fe,
                              struct alter_agent_fields *f);
/* ^[a-z0-9][a-z0-9_-]{1,62}$ */
bool alter_agent_name_valid(const char *name);
/* The first provider or scope of `current` that `wanted` lacks, as "provider" or
 * "provider: scope" in out; false when wanted keeps them all. */
bool alter_scopes_narrowed(const cJSON *current, const cJSON *wanted, char *out, size_t size);

#endif
