/* The fields probe of a graded session: a registration the SDK is given with every field set
 * to a value other than its default, sent through the SDK's own API, and compared field by
 * field with what arrived.  An SDK that drops a field the caller set (a currency, an
 * environment) sends a request the server accepts with its default: nothing fails, the
 * agent is wrong.  Only the server can see it. */
#ifndef FIELDS_PROBE_H
#define FIELDS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define FIELDS_PROBE_METHOD "POST"
#define FIELDS_PROBE_ROUTE  "/agents"

/* The body for session_id (its name names the session, so the probe is told apart from the
 * SDK's other registrations). */
cJSON *fields_probe_body(const char *session_id);
/* Whether got is the probe's request: its name is expected's. */
bool fields_probe_is(const cJSON *expected, const cJSON *got);
/* The fields of expected that got lacks or sends with another value, listed in detail
 * ("currency missing, environment differs"); returns how many.  An array is a set (the
 * contract's authorized_actions): the same members in another order are the same. */
int fields_probe_compare(const cJSON *expected, const cJSON *got, char *detail, size_t size);

#endif
