/* Forwarding, the way `stripe listen --forward-to` works (alsorn.md §6, sandbox delivery).
 *
 * An offline sandbox cannot send an event to the public URL a user registered
 * (https://example.com/webhooks/alsorn), yet the user wants to see it arrive.  With a forward
 * target set, every delivery of the organization goes to that target instead of the
 * endpoint's URL: same body, same headers and the endpoint's own signature, plus
 * X-Alsorn-Forwarded-From naming the endpoint's URL.  Retries, the delivery log and disabling
 * are those of a direct delivery.
 *
 * Two places set it: --webhook-forward URL for every organization, and an organization's own
 * forward_to (PATCH /_mock/orgs/{id}/webhook-settings), which wins.  A forward target must be
 * on the allow-list (allowlist.h): forwarding is a way to reach the user's own receiver, not
 * a way around the list. */
#ifndef DELIVERY_FORWARD_H
#define DELIVERY_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "store/tenant.h"

/* True when url may be a forward target: an absolute http(s) URL of at most WEBHOOK_URL_MAX
 * characters whose host is on the allow-list; otherwise why says what is wrong. */
bool delivery_forward_valid(const char *url, char *why, size_t why_size);

/* Sets the server-wide target (--webhook-forward; NULL clears it).  Call before serving, after
 * the allow-list is configured.  Returns 0, or -1 with why (the target is then unchanged). */
int delivery_forward_configure(const char *url, char *why, size_t why_size);

/* The target in force for t (its own, else the server's), or NULL.  t's lock is held; the
 * text lives while it is. */
const char *delivery_forward_target(const struct tenant *t);

#endif
