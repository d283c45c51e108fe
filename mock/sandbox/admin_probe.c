/* POST /_mock/webhook-probe: tests an SDK's webhook receiver (sandbox/webhook_probe.h). */
#include "sandbox/admin.h"

#include <stdio.h>

#include "delivery/allowlist.h"
#include "sandbox/sessions.h"
#include "sandbox/webhook_probe.h"

#define PROBE_TIMEOUT_DEFAULT_MS 5000

/* The cases that went the wrong way ("bad_signature accepted; stale_timestamp accepted
 * (advisory)"), or that all went right. */
static void probe_summary(const cJSON *o, char *out, size_t size) {
    size_t at = 0;
    const cJSON *c;
    out[0] = '\0';
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "results")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ok")) || at >= size) continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "case");
        bool accepted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "accepted"));
        bool advisory = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "advisory"));
        int w = snprintf(out + at, size - at, "%s%s %s%s", at ? "; " : "",
                         cJSON_IsString(name) ? name->valuestring : "?", accepted ? "accepted" : "rejected",
                         advisory ? " (advisory)" : "");
        if (w > 0) at += (size_t)w;
    }
    if (!out[0]) snprintf(out, size, "every case went the right way");
}

/* {"url" (allow-listed), "secret", "timeout_ms"? (per delivery, default 5000), "session_id"?
 * (a graded session's webhook_receiver check takes the verdict)} → 200 the four cases and
 * what the receiver did with each. */
void mock_webhook_probe(struct req *r) {
    struct field_errors fe = {0};
    const char *url = NULL, *secret = NULL, *session = NULL;
    long long timeout = PROBE_TIMEOUT_DEFAULT_MS;
    v_require(&fe, v_string(&fe, r->json, "url", 1, 2048, false, &url), "url");
    v_require(&fe, v_string(&fe, r->json, "secret", 1, 256, false, &secret), "secret");
    v_int(&fe, r->json, "timeout_ms", 100, 30000, &timeout);
    if (v_string(&fe, r->json, "session_id", 1, ID_LEN - 1, false, &session) == V_OK && !sessions_open(session))
        field_error_add(&fe, "session_id", "no open session with this id");
    char why[256];
    if (url && allowlist_check_url(url, why, sizeof why) != URL_OK) field_error_add(&fe, "url", "%s", why);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    cJSON *o = webhook_probe_run(url, secret, r->now, (long)timeout);
    if (!o) return reply_error(r, 500, "internal_error", "Out of memory");
    if (session) {
        char summary[200];
        probe_summary(o, summary, sizeof summary);
        if (sessions_record_probe(session, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "passed")), summary) != 0) {
            cJSON_Delete(o); /* closed while the probe ran */
            return reply_error(r, 409, "conflict", "Session %s was closed while the probe ran", session);
        }
        cJSON_AddStringToObject(o, "session_id", session);
    }
    reply_json(r, 200, o);
}
