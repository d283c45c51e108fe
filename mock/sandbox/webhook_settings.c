#include "sandbox/webhook_settings.h"
#include "sandbox/limits.h"

#include <stdio.h>

#include "delivery/dispatcher.h"
#include "delivery/forward.h"
#include "delivery/retry_schedule.h"
#include "store/store.h"


/* An integer member in [min, max].  `nullable`: JSON null counts as present, *is_null set. */
static enum vres v_integer(struct field_errors *fe, const cJSON *obj, const char *name, long min,
                           long max, bool nullable, bool *is_null, long *out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it) return V_ABSENT;
    if (nullable && cJSON_IsNull(it)) {
        *is_null = true;
        return V_OK;
    }
    double v = cJSON_IsNumber(it) ? it->valuedouble : -1e300;
    if (v < (double)min || v > (double)max || v != (double)(long)v) {
        field_error_add(fe, name, "must be an integer from %ld to %ld%s", min, max,
                        nullable ? ", or null for the default" : "");
        return V_BAD;
    }
    *out = (long)v;
    return V_OK;
}

/* forward_to: a URL delivery_forward_valid accepts, or null (the server's default). */
static enum vres v_forward_to(struct field_errors *fe, const cJSON *obj, bool *is_null,
                              const char **out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "forward_to");
    if (!it) return V_ABSENT;
    if (cJSON_IsNull(it)) {
        *is_null = true;
        return V_OK;
    }
    enum vres res = v_string(fe, obj, "forward_to", 1, WEBHOOK_URL_MAX, true, out);
    if (res != V_OK) return res;
    char why[320];
    if (!delivery_forward_valid(*out, why, sizeof why)) {
        field_error_add(fe, "forward_to", "%s", why);
        return V_BAD;
    }
    return V_OK;
}

static cJSON *settings_json(const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "retry_base_ms", (double)delivery_retry_base_ms(t));
    cJSON_AddNumberToObject(o, "max_attempts", t->webhook_settings.max_attempts);
    cJSON_AddNumberToObject(o, "timeout_ms", t->webhook_settings.timeout_ms);
    const char *forward = delivery_forward_target(t);
    if (forward) cJSON_AddStringToObject(o, "forward_to", forward);
    else cJSON_AddNullToObject(o, "forward_to");
    return o;
}

/* The org of the path with a reference, or NULL after rendering 404. */
static struct tenant *org_of(struct req *r) {
    struct tenant *t = store_tenant_get(r->params[0]);
    if (!t) reply_error(r, 404, "not_found", "No organization %s", r->params[0]);
    return t;
}

void mock_webhook_settings_get(struct req *r) {
    struct tenant *t = org_of(r);
    if (!t) return;
    tenant_lock(t);
    cJSON *body = settings_json(t);
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 200, body);
}

void mock_webhook_settings_update(struct req *r) {
    struct field_errors fe = {0};
    bool base_null = false, unused = false;
    long base = 0, attempts = 0, timeout = 0;
    enum vres has_base = v_integer(&fe, r->json, "retry_base_ms", 1, WEBHOOK_RETRY_BASE_MS_MAX, true,
                                   &base_null, &base);
    enum vres has_attempts = v_integer(&fe, r->json, "max_attempts", 1,
                                       WEBHOOK_MAX_ATTEMPTS_LIMIT, false, &unused, &attempts);
    enum vres has_timeout = v_integer(&fe, r->json, "timeout_ms", 1, WEBHOOK_TIMEOUT_MS_MAX, false,
                                      &unused, &timeout);
    const char *forward = NULL;
    bool forward_null = false;
    enum vres has_forward = v_forward_to(&fe, r->json, &forward_null, &forward);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct tenant *t = org_of(r);
    if (!t) return;
    tenant_lock(t);
    struct webhook_settings *s = &t->webhook_settings;
    if (has_base == V_OK) s->retry_base_ms = base_null ? 0 : base;
    if (has_attempts == V_OK) s->max_attempts = (int)attempts;
    if (has_timeout == V_OK) s->timeout_ms = (int)timeout;
    if (has_forward == V_OK)
        snprintf(s->forward_to, sizeof s->forward_to, "%s", forward_null ? "" : forward);
    cJSON *body = settings_json(t);
    tenant_unlock(t);
    tenant_release(t);
    reply_json(r, 200, body);
}
