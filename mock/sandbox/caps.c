#include "sandbox/caps.h"

#include "alsorn/agent_json.h"
#include "alter/app.h"
#include "alter/audit_log.h"
#include "store/webhook.h"

cJSON *caps_usage_json(const struct tenant *t) {
    cJSON *o = cJSON_CreateObject();
    const struct alter_audit_log *log = &t->alter->audit;
    cJSON *audit = cJSON_AddObjectToObject(o, "alter_audit");
    cJSON_AddNumberToObject(audit, "rows", (double)log->n);
    cJSON_AddNumberToObject(audit, "max", (double)alter_audit_log_max());
    cJSON_AddNumberToObject(audit, "dropped", (double)log->dropped);
    json_add_string_or_null(audit, "anchor_hash", log->anchor[0] ? log->anchor : NULL);
    double queued = 0, events_dropped = 0, logged = 0, deliveries_dropped = 0;
    for (size_t i = 0; i < t->webhooks.n; i++) {
        const struct webhook *w = t->webhooks.list[i];
        queued += (double)w->n_pending;
        events_dropped += (double)w->dropped;
        logged += (double)w->log.n;
        deliveries_dropped += (double)w->log.dropped;
    }
    cJSON *hooks = cJSON_AddObjectToObject(o, "webhooks");
    cJSON_AddNumberToObject(hooks, "queued", queued);
    cJSON_AddNumberToObject(hooks, "queue_max", (double)webhook_queue_max());
    cJSON_AddNumberToObject(hooks, "events_dropped", events_dropped);
    cJSON_AddNumberToObject(hooks, "deliveries_logged", logged);
    cJSON_AddNumberToObject(hooks, "log_max", (double)webhook_log_max());
    cJSON_AddNumberToObject(hooks, "deliveries_dropped", deliveries_dropped);
    return o;
}

cJSON *caps_json(void) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "alter_audit_max", (double)alter_audit_log_max());
    cJSON_AddNumberToObject(o, "webhook_log_max", (double)webhook_log_max());
    cJSON_AddNumberToObject(o, "webhook_queue_max", (double)webhook_queue_max());
    return o;
}
