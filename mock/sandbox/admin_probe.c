/* POST /_mock/webhook-probe: tests an SDK's webhook receiver (sandbox/webhook_probe.h). */
#include "sandbox/admin.h"

#include "delivery/allowlist.h"
#include "sandbox/webhook_probe.h"

#define PROBE_TIMEOUT_DEFAULT_MS 5000

/* {"url" (allow-listed), "secret", "timeout_ms"? (per delivery, default 5000)} → 200 the four
 * cases and what the receiver did with each. */
void mock_webhook_probe(struct req *r) {
    struct field_errors fe = {0};
    const char *url = NULL, *secret = NULL;
    long long timeout = PROBE_TIMEOUT_DEFAULT_MS;
    v_require(&fe, v_string(&fe, r->json, "url", 1, 2048, false, &url), "url");
    v_require(&fe, v_string(&fe, r->json, "secret", 1, 256, false, &secret), "secret");
    v_int(&fe, r->json, "timeout_ms", 100, 30000, &timeout);
    char why[256];
    if (url && allowlist_check_url(url, why, sizeof why) != URL_OK) field_error_add(&fe, "url", "%s", why);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    cJSON *o = webhook_probe_run(url, secret, r->now, (long)timeout);
    if (!o) return reply_error(r, 500, "internal_error", "Out of memory");
    reply_json(r, 200, o);
}
