#include <criterion/criterion.h>
#include <string.h>

#include "alsorn/events.h"

static cJSON *captured;
static const char *captured_event;

static void capture(struct tenant *t, const char *event, cJSON *envelope, void *ctx) {
    (void)t;
    cr_assert_eq(ctx, (void *)&captured);
    captured_event = event;
    captured = cJSON_Duplicate(envelope, true);
}

Test(events, envelope_reaches_the_sink) {
    events_set_sink(capture, NULL, &captured);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "id", "agent_x");
    events_emit(NULL, "agent.registered", data, 1767225600); /* 2026-01-01T00:00:00Z */
    cr_assert_not_null(captured);
    cr_assert_str_eq(captured_event, "agent.registered");
    cr_assert_eq(strncmp(cJSON_GetObjectItem(captured, "id")->valuestring, "evt_", 4), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(captured, "event")->valuestring, "agent.registered");
    cr_assert_str_eq(cJSON_GetObjectItem(captured, "created")->valuestring, "2026-01-01T00:00:00Z");
    cr_assert_str_eq(cJSON_GetObjectItem(captured, "api_version")->valuestring, "2026-01");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(captured, "data"), "id")->valuestring, "agent_x");
    cJSON_Delete(captured);
    events_set_sink(NULL, NULL, NULL);
}

Test(events, without_a_sink_data_is_dropped_not_leaked) {
    events_set_sink(NULL, NULL, NULL);
    events_emit(NULL, "agent.updated", cJSON_CreateObject(), 0);
}

static bool only_agent_updated(const struct tenant *t, const char *event, void *ctx) {
    (void)t;
    (void)ctx;
    return strcmp(event, "agent.updated") == 0;
}

Test(events, an_event_the_sink_does_not_want_is_not_handed_to_it) {
    captured = NULL;
    events_set_sink(capture, only_agent_updated, &captured);
    cr_assert_not(events_wanted(NULL, "transaction.completed"));
    events_emit(NULL, "transaction.completed", cJSON_CreateObject(), 0);
    cr_assert_null(captured);
    cr_assert(events_wanted(NULL, "agent.updated"));
    events_emit(NULL, "agent.updated", cJSON_CreateObject(), 0);
    cr_assert_not_null(captured);
    cr_assert_str_eq(captured_event, "agent.updated");
    cJSON_Delete(captured);
    events_set_sink(NULL, NULL, NULL);
    cr_assert_not(events_wanted(NULL, "agent.updated"), "no sink, nothing is wanted");
}
