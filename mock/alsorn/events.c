#include "alsorn/events.h"

#include <stdatomic.h>

#include "alsorn/agent_json.h"
#include "core/random.h"

const char *const event_names[] = {
    "agent.registered",      "agent.updated",         "agent.suspended",
    "agent.reactivated",     "agent.deleted",         "transaction.completed",
    "transaction.failed",    "transaction.reversed",  "trust.score_changed",
    "trust.dispute_filed",   "webhook.test",          NULL,
};

static _Atomic(event_sink_fn) sink;
static _Atomic(event_wanted_fn) sink_wants;
static void *_Atomic sink_ctx;

void events_set_sink(event_sink_fn fn, event_wanted_fn wanted, void *ctx) {
    atomic_store(&sink_ctx, ctx);
    atomic_store(&sink_wants, wanted);
    atomic_store(&sink, fn);
}

bool events_wanted(const struct tenant *t, const char *event) {
    if (!atomic_load(&sink)) return false;
    event_wanted_fn wanted = atomic_load(&sink_wants);
    return !wanted || wanted(t, event, atomic_load(&sink_ctx));
}

cJSON *events_envelope(const char *event, cJSON *data, int64_t now) {
    char id[ID_LEN];
    random_object_id(id, sizeof id, "evt_");
    cJSON *env = cJSON_CreateObject();
    cJSON_AddStringToObject(env, "id", id);
    cJSON_AddStringToObject(env, "event", event);
    json_add_time(env, "created", now);
    cJSON_AddStringToObject(env, "api_version", EVENTS_API_VERSION);
    cJSON_AddItemToObject(env, "data", data);
    return env;
}

void events_emit(struct tenant *t, const char *event, cJSON *data, int64_t now) {
    event_sink_fn fn = atomic_load(&sink);
    if (!fn || !events_wanted(t, event)) {
        cJSON_Delete(data);
        return;
    }
    cJSON *env = events_envelope(event, data, now);
    fn(t, event, env, atomic_load(&sink_ctx));
    cJSON_Delete(env);
}
