/* Sandbox control of an organization's webhook delivery, so a CI test of retries takes
 * seconds instead of hours:
 *   GET   /_mock/orgs/{id}/webhook-settings
 *   PATCH /_mock/orgs/{id}/webhook-settings {"retry_base_ms", "max_attempts", "timeout_ms",
 *                                            "forward_to"}
 * Both answer 200 {"retry_base_ms", "max_attempts", "timeout_ms", "forward_to"} with the
 * values in force (null in a PATCH returns retry_base_ms to the server's
 * --webhook-retry-base-ms and forward_to to its --webhook-forward; forward_to null in the
 * answer: no forwarding).  forward_to must be on the allow-list, else 422 (see
 * delivery/forward.h).  Changes apply to attempts started and retries scheduled afterwards. */
#ifndef SANDBOX_WEBHOOK_SETTINGS_H
#define SANDBOX_WEBHOOK_SETTINGS_H

#include "core/http.h"

void mock_webhook_settings_get(struct req *r);
void mock_webhook_settings_update(struct req *r);

#endif
