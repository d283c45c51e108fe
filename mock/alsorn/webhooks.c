#include "alsorn/webhooks.h"
#include "alsorn/limits.h"
#include "core/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agent_json.h"
#include "alsorn/events.h"
#include "delivery/allowlist.h"
#include "delivery/forward.h"
#include "delivery/request.h"
#include "store/tenant.h"
#include "core/text_copy.h"


/* ---- validation ------------------------------------------------------------------------ */

struct webhook_fields {
    enum vres url, events, active;
    const char *url_v;
    const char *events_v[WEBHOOK_EVENTS_MAX];
    size_t n_events;
    bool active_v;
};

static bool known_event(const char *name) {
    for (int i = 0; event_names[i]; i++)
        if (strcmp(event_names[i], name) == 0) return true;
    return false;
}

/* An absolute http(s) URL of at most WEBHOOK_URL_MAX characters, wherever it points: the
 * live service takes any, and the sandbox's allow-list applies when an event is delivered. */
static enum vres v_url(struct field_errors *fe, const cJSON *body, const char **out) {
    enum vres res = v_string(fe, body, "url", 1, WEBHOOK_URL_MAX, false, out);
    if (res != V_OK) return res;
    char why[256];
    if (allowlist_check_url(*out, why, sizeof why) == URL_MALFORMED) {
        field_error_add(fe, "url", "%s", why);
        return V_BAD;
    }
    return V_OK;
}

/* A non-empty list of distinct known event names, or ["*"]; every bad element is named. */
static enum vres v_events(struct field_errors *fe, const cJSON *body, struct webhook_fields *f) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "events");
    if (!arr) return V_ABSENT;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    if (n < 1 || n > WEBHOOK_EVENTS_MAX) {
        field_error_add(fe, "events", "must be a list of 1 to %d event names, or [\"*\"]",
                        WEBHOOK_EVENTS_MAX);
        return V_BAD;
    }
    enum vres result = V_OK;
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "events[%d]", i);
        const char *name = cJSON_IsString(it) ? it->valuestring : NULL;
        bool duplicate = false;
        for (size_t j = 0; name && j < f->n_events && !duplicate; j++)
            duplicate = strcmp(f->events_v[j], name) == 0;
        if (!name) {
            field_error_add(fe, path, "must be a string");
        } else if (strcmp(name, "*") == 0 && n > 1) {
            field_error_add(fe, path, "\"*\" (every event) must be the only element");
        } else if (strcmp(name, "*") != 0 && !known_event(name)) {
            field_error_choices(fe, path, event_names);
        } else if (duplicate) {
            field_error_add(fe, path, "duplicates an earlier element");
        } else {
            f->events_v[f->n_events++] = name;
            continue;
        }
        result = V_BAD;
    }
    return result;
}

static void parse_webhook_fields(const cJSON *body, struct field_errors *fe,
                                 struct webhook_fields *f) {
    memset(f, 0, sizeof *f);
    f->url = v_url(fe, body, &f->url_v);
    f->events = v_events(fe, body, f);
    f->active = v_bool(fe, body, "active", &f->active_v);
}

/* ---- rendering ------------------------------------------------------------------------- */

static cJSON *webhook_to_json(const struct webhook *w, const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", w->id);
    cJSON_AddStringToObject(o, "org_id", t->id);
    cJSON_AddStringToObject(o, "url", w->url);
    cJSON_AddItemToObject(o, "events",
                          cJSON_CreateStringArray((const char *const *)w->events, (int)w->n_events));
    cJSON_AddBoolToObject(o, "active", w->active);
    json_add_number(o, "consecutive_failures", w->consecutive_failures);
    json_add_time(o, "created_at", w->created_at);
    json_add_time(o, "updated_at", w->updated_at);
    return o;
}

static cJSON *delivery_to_json(const struct delivery_record *d) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "delivery_id", d->delivery_id);
    cJSON_AddStringToObject(o, "event_id", d->event_id);
    cJSON_AddStringToObject(o, "event", d->event);
    json_add_number(o, "attempt", d->attempt);
    if (d->status_code) json_add_number(o, "status_code", d->status_code);
    else cJSON_AddNullToObject(o, "status_code");
    json_add_string_or_null(o, "error", d->error);
    json_add_number(o, "duration_ms", (double)d->duration_ms);
    json_add_time(o, "delivered_at", d->delivered_at);
    json_add_time(o, "next_retry_at", d->next_retry_at);
    return o;
}

/* Finds webhook `id` in the caller's org with the tenant locked; renders 404 and unlocks
 * when there is none. */
static struct webhook *lock_webhook(struct req *r) {
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    struct webhook *w = webhook_set_find(&t->webhooks, r->params[0]);
    if (!w) {
        reply_not_found(r);
        tenant_unlock(t);
    }
    return w;
}

static void reply_webhook(struct req *r, int status, const struct webhook *w) {
    cJSON *body = webhook_to_json(w, r->caller.tenant);
    reply_json(r, status, body);
    tenant_unlock(r->caller.tenant);
}

/* ---- handlers -------------------------------------------------------------------------- */

void alsorn_webhook_create(struct req *r) {
    struct field_errors fe = {0};
    struct webhook_fields f;
    parse_webhook_fields(r->json, &fe, &f);
    v_require(&fe, f.url, "url");
    v_require(&fe, f.events, "events");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct webhook *w = calloc(1, sizeof *w);
    if (!w || !(w->url = strdup(f.url_v)) || webhook_set_events(w, f.events_v, f.n_events) != 0) {
        webhook_free(w);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    random_object_id(w->id, sizeof w->id, "wh_");
    random_hex(w->secret, sizeof w->secret, "whsec_", 16);
    w->active = f.active == V_OK ? f.active_v : true;
    w->created_at = w->updated_at = r->now;
    struct tenant *t = r->caller.tenant;
    tenant_lock(t);
    if (webhook_set_add(&t->webhooks, w) != 0) {
        tenant_unlock(t);
        webhook_free(w);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }
    cJSON *body = webhook_to_json(w, t);
    cJSON_AddStringToObject(body, "secret", w->secret); /* the only time it is shown */
    reply_json(r, 201, body);
    tenant_unlock(t);
}

void alsorn_webhook_list(struct req *r) {
    struct tenant *t = r->caller.tenant;
    cJSON *data = cJSON_CreateArray();
    tenant_lock(t);
    for (size_t i = t->webhooks.n; i-- > 0;) /* newest first, like every list */
        cJSON_AddItemToArray(data, webhook_to_json(t->webhooks.list[i], t));
    tenant_unlock(t);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "data", data);
    reply_json(r, 200, body);
}

void alsorn_webhook_get(struct req *r) {
    struct webhook *w = lock_webhook(r);
    if (w) reply_webhook(r, 200, w);
}

/* Read-only members a PATCH might try to set: refused by name rather than ignored, so a
 * caller who thinks it rotated the secret or reset the count learns that it did not. */
static const char *const read_only_fields[] = {"id",         "org_id",     "secret",
                                               "consecutive_failures",   "created_at",
                                               "updated_at", NULL};

static bool same_events(const struct webhook *w, const struct webhook_fields *f) {
    if (w->n_events != f->n_events) return false;
    for (size_t i = 0; i < f->n_events; i++)
        if (strcmp(w->events[i], f->events_v[i]) != 0) return false;
    return true;
}

void alsorn_webhook_update(struct req *r) {
    struct field_errors fe = {0};
    for (int i = 0; read_only_fields[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(r->json, read_only_fields[i]))
            field_error_add(&fe, read_only_fields[i], "is read-only");
    struct webhook_fields f;
    parse_webhook_fields(r->json, &fe, &f);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    char *url = f.url == V_OK ? strdup(f.url_v) : NULL;
    if (f.url == V_OK && !url) return reply_error(r, 500, "internal_error", "Out of memory");

    struct webhook *w = lock_webhook(r);
    if (!w) {
        free(url);
        return;
    }
    bool changed = false;
    if (url && strcmp(url, w->url) != 0) {
        free(w->url);
        w->url = url; /* events already queued go to the new URL */
        url = NULL;
        changed = true;
    }
    free(url);
    if (f.events == V_OK && !same_events(w, &f)) {
        if (webhook_set_events(w, f.events_v, f.n_events) != 0) {
            reply_error(r, 500, "internal_error", "Out of memory");
            tenant_unlock(r->caller.tenant);
            return;
        }
        changed = true;
    }
    if (f.active == V_OK && f.active_v != w->active) {
        if (f.active_v) {
            w->active = true;
            w->consecutive_failures = 0; /* re-enabling starts the count again */
        } else {
            webhook_disable(w);
        }
        changed = true;
    }
    if (changed) w->updated_at = r->now;
    reply_webhook(r, 200, w);
}

void alsorn_webhook_delete(struct req *r) {
    struct webhook *w = lock_webhook(r);
    if (!w) return;
    webhook_set_remove(&r->caller.tenant->webhooks, w); /* drops its queue and log */
    reply_empty(r, 204);
    tenant_unlock(r->caller.tenant);
}

/* POST /webhooks/{id}/test: one webhook.test event sent now, outside the endpoint's queue,
 * without retries, whether or not the endpoint is active; its data is the endpoint.  It goes
 * where the endpoint's deliveries go (the forward target, if any); a URL outside the
 * allow-list is not sent and answers success false, error "blocked_by_sandbox".  The
 * attempt is logged but never counts as a failure of the endpoint. */
void alsorn_webhook_test(struct req *r) {
    struct webhook *w = lock_webhook(r);
    if (!w) return;
    struct tenant *t = r->caller.tenant;
    cJSON *envelope = events_envelope("webhook.test", webhook_to_json(w, t), r->now);
    char *body = cJSON_PrintUnformatted(envelope);
    char event_id[ID_LEN], secret[ID_LEN];
    text_copy(event_id, sizeof event_id, cJSON_GetObjectItemCaseSensitive(envelope, "id")->valuestring);
    cJSON_Delete(envelope);
    memcpy(secret, w->secret, sizeof secret);
    const char *forward = delivery_forward_target(t);
    char *url = strdup(forward ? forward : w->url);
    char *from = forward ? strdup(w->url) : NULL;
    long timeout_ms = t->webhook_settings.timeout_ms;
    tenant_unlock(t);
    if (!body || !url || (forward && !from)) {
        free(body);
        free(url);
        free(from);
        return reply_error(r, 500, "internal_error", "Out of memory");
    }

    struct delivery_message m = {.url = url, .forwarded_from = from, .secret = secret,
                                 .event = "webhook.test", .body = body, .body_len = strlen(body),
                                 .timestamp = r->now, .timeout_ms = timeout_ms};
    struct delivery_record rec = {.attempt = 1, .delivered_at = r->now};
    struct delivery_result res;
    delivery_send_now(&m, rec.delivery_id, &res); /* no tenant lock held while it waits */
    free(body);
    free(url);
    free(from);

    rec.status_code = res.status_code;
    rec.duration_ms = res.duration_ms;
    text_copy(rec.event_id, sizeof rec.event_id, event_id);
    snprintf(rec.event, sizeof rec.event, "webhook.test");
    tenant_lock(t);
    w = webhook_set_find(&t->webhooks, r->params[0]); /* it may have been deleted meanwhile */
    if (w) {
        rec.error = res.success ? NULL : strdup(res.error);
        delivery_log_append(&w->log, &rec);
    }
    tenant_unlock(t);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "success", res.success);
    if (res.status_code) json_add_number(o, "status_code", res.status_code);
    else cJSON_AddNullToObject(o, "status_code");
    json_add_number(o, "duration_ms", (double)res.duration_ms);
    json_add_string_or_null(o, "error", res.success ? NULL : res.error);
    reply_json(r, 200, o);
}

void alsorn_webhook_deliveries(struct req *r) {
    struct field_errors fe = {0};
    long page, limit;
    req_query_int(r, &fe, "page", 1, 0x7fffffffL, 1, &page);
    req_query_int(r, &fe, "limit", 1, ALSORN_PAGE_LIMIT_MAX, ALSORN_PAGE_LIMIT_DEFAULT, &limit);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    struct webhook *w = lock_webhook(r);
    if (!w) return;
    size_t offset = (size_t)(page - 1) * (size_t)limit, total = w->log.n;
    cJSON *data = cJSON_CreateArray();
    for (size_t k = offset; k < total && k < offset + (size_t)limit; k++)
        cJSON_AddItemToArray(data, delivery_to_json(delivery_log_nth_newest(&w->log, k)));
    tenant_unlock(r->caller.tenant);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "data", data);
    cJSON_AddItemToObject(body, "pagination", json_pagination(page, limit, total));
    reply_json(r, 200, body);
}
