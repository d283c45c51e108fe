/* Sandbox control of an organization's webhook delivery, so a CI test of retries takes
 * seconds instead of hours:
 *   GET   /_mock/orgs/{id}/webhook-settings
 *   PATCH /_mock/orgs/{id}/webhook-settings {"retry_base_ms", "max_attempts", "timeout_ms"}
 * Both answer 200 {"retry_base_ms", "max_attempts", "timeout_ms"} with the values in force
 * (retry_base_ms null in a PATCH returns to the server's --webhook-retry-base-ms).  Changes
 * apply to attempts started and retries scheduled afterwards. */
#ifndef SANDBOX_WEBHOOK_SETTINGS_H
#define SANDBOX_WEBHOOK_SETTINGS_H

#include "core/http.h"

void mock_webhook_settings_get(struct req *r);
void mock_webhook_settings_update(struct req *r);

#endif
