/* Each webhooks call sends the method, path, query and body of contract §6 and decodes the
 * answer into every field of the model; the receiver-side signature check accepts exactly
 * the documented signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alsorn.h"
#include "leak_check.h"
#include "scripted_server.h"
#include "test_fixtures.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define WEBHOOK_JSON                                                                               \
    "{\"id\":\"wh_1a2b\",\"org_id\":\"org_a1\",\"url\":\"http://127.0.0.1:9000/hook\","            \
    "\"events\":[\"agent.registered\",\"agent.deleted\"],\"active\":true,"                         \
    "\"consecutive_failures\":3,\"created_at\":\"2026-01-02T03:04:05Z\","                          \
    "\"updated_at\":\"2026-01-03T03:04:05Z\""
#define WEBHOOK_WITH_SECRET WEBHOOK_JSON ",\"secret\":\"whsec_00112233445566778899aabbccddeeff\"}"
#define WEBHOOK_PLAIN       WEBHOOK_JSON "}"

static void assert_full_webhook(const alsorn_webhook *w) {
    cr_assert_str_eq(w->id, "wh_1a2b");
    cr_assert_str_eq(w->org_id, "org_a1");
    cr_assert_str_eq(w->url, "http://127.0.0.1:9000/hook");
    cr_assert_eq(w->event_count, 2);
    cr_assert_str_eq(w->events[0], "agent.registered");
    cr_assert_str_eq(w->events[1], "agent.deleted");
    cr_assert(w->active);
    cr_assert_eq(w->consecutive_failures, 3);
    cr_assert_str_eq(w->created_at, "2026-01-02T03:04:05Z");
    cr_assert_str_eq(w->updated_at, "2026-01-03T03:04:05Z");
}

CLIENT_TEST(webhooks, register_sends_url_and_events_and_keeps_the_secret) {
    const scripted_response script[] = {{201, NULL, WEBHOOK_WITH_SECRET, 0}};
    script_program("wh_register", script, COUNT(script));
    alsorn_client *client = script_client("wh_register");
    const char *events[] = {"agent.registered", "agent.deleted"};
    alsorn_webhook_params params = {
        .url = "http://127.0.0.1:9000/hook", .events = events, .event_count = 2};
    alsorn_webhook *w = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_register(client, &params, &w, &err), ALSORN_OK, "%s", err.message);
    assert_full_webhook(w);
    cr_assert_str_eq(w->secret, "whsec_00112233445566778899aabbccddeeff");
    cJSON *log = script_requests("wh_register");
    assert_request_body(only_request(log, "POST", "/webhooks"),
                        "{\"url\":\"http://127.0.0.1:9000/hook\","
                        "\"events\":[\"agent.registered\",\"agent.deleted\"]}");
    cJSON_Delete(log);
    alsorn_webhook_free(w);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, register_maps_a_422_to_field_errors) {
    const scripted_response script[] = {
        {422, NULL,
         "{\"error\":{\"code\":\"validation_error\",\"message\":\"1 field failed validation\","
         "\"request_id\":\"req_1\",\"field_errors\":[{\"field\":\"url\",\"message\":\"host "
         "10.0.0.1 is not allowed\"}]}}",
         0}};
    script_program("wh_register_422", script, COUNT(script));
    alsorn_client *client = script_client("wh_register_422");
    const char *events[] = {"*"};
    alsorn_webhook_params params = {.url = "http://10.0.0.1/", .events = events, .event_count = 1};
    alsorn_webhook *w = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_register(client, &params, &w, &err), ALSORN_ERR_VALIDATION);
    cr_assert_null(w);
    cr_assert_eq(err.field_error_count, 1);
    cr_assert_str_eq(err.field_errors[0].field, "url");
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, list_and_get_decode_without_a_secret) {
    char list_body[2048];
    snprintf(list_body, sizeof list_body, "{\"data\":[%s,%s]}", WEBHOOK_PLAIN, WEBHOOK_PLAIN);
    const scripted_response script[] = {{200, NULL, list_body, 0}, {200, NULL, WEBHOOK_PLAIN, 0}};
    script_program("wh_list", script, COUNT(script));
    alsorn_client *client = script_client("wh_list");
    alsorn_webhook_list *list = NULL;
    alsorn_webhook *w = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_list(client, &list, &err), ALSORN_OK, "%s", err.message);
    cr_assert_eq(list->count, 2);
    assert_full_webhook(&list->items[1]);
    cr_assert_null(list->items[0].secret);
    cr_assert_eq(alsorn_webhooks_get(client, "wh_1a2b", &w, &err), ALSORN_OK, "%s", err.message);
    assert_full_webhook(w);
    cr_assert_null(w->secret);
    cJSON *log = script_requests("wh_list");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "method"), "GET");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "path"), "/webhooks");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 1), "path"), "/webhooks/wh_1a2b");
    cJSON_Delete(log);
    alsorn_webhook_list_free(list);
    alsorn_webhook_free(w);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, list_rejects_a_body_without_data) {
    const scripted_response script[] = {{200, NULL, "{\"webhooks\":[]}", 0}};
    script_program("wh_list_bad", script, COUNT(script));
    alsorn_client *client = script_client("wh_list_bad");
    alsorn_webhook_list *list = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;
    cr_assert_eq(alsorn_webhooks_list(client, &list, &err), ALSORN_ERR_DECODE);
    cr_assert_null(list);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, update_sends_only_what_is_set) {
    const scripted_response script[] = {{200, NULL, WEBHOOK_PLAIN, 0},
                                        {200, NULL, WEBHOOK_PLAIN, 0}};
    script_program("wh_update", script, COUNT(script));
    alsorn_client *client = script_client("wh_update");
    alsorn_webhook_update enable = {.active = ALSORN_WEBHOOK_ENABLE};
    const char *events[] = {"*"};
    alsorn_webhook_update change = {.url = "http://localhost/x",
                                    .events = events,
                                    .event_count = 1,
                                    .active = ALSORN_WEBHOOK_DISABLE};
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_update(client, "wh_1a2b", &enable, NULL, &err), ALSORN_OK);
    cr_assert_eq(alsorn_webhooks_update(client, "wh_1a2b", &change, NULL, &err), ALSORN_OK);
    cJSON *log = script_requests("wh_update");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    const cJSON *first = cJSON_GetArrayItem(log, 0), *second = cJSON_GetArrayItem(log, 1);
    cr_assert_str_eq(request_member(first, "method"), "PATCH");
    cr_assert_str_eq(request_member(first, "path"), "/webhooks/wh_1a2b");
    assert_request_body(first, "{\"active\":true}");
    assert_request_body(second,
                        "{\"url\":\"http://localhost/x\",\"events\":[\"*\"],\"active\":false}");
    cJSON_Delete(log);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, delete_takes_a_204_and_maps_a_404) {
    const scripted_response script[] = {
        {204, NULL, NULL, 0}, {404, NULL, ERROR_JSON("not_found", "No such object", "req_2"), 0}};
    script_program("wh_delete", script, COUNT(script));
    alsorn_client *client = script_client("wh_delete");
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_delete(client, "wh_1a2b", &err), ALSORN_OK, "%s", err.message);
    cr_assert_eq(alsorn_webhooks_delete(client, "wh_1a2b", &err), ALSORN_ERR_NOT_FOUND);
    cr_assert_str_eq(err.code, "not_found");
    cJSON *log = script_requests("wh_delete");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "method"), "DELETE");
    cr_assert_str_eq(request_member(cJSON_GetArrayItem(log, 0), "path"), "/webhooks/wh_1a2b");
    cJSON_Delete(log);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, test_decodes_success_and_failure) {
    const scripted_response script[] = {
        {200, NULL, "{\"success\":true,\"status_code\":204,\"duration_ms\":3,\"error\":null}", 0},
        {200, NULL,
         "{\"success\":false,\"status_code\":null,\"duration_ms\":0,\"error\":\"refused\"}", 0},
        {200, NULL, "{\"status_code\":200}", 0}};
    script_program("wh_test", script, COUNT(script));
    alsorn_client *client = script_client("wh_test");
    alsorn_webhook_test_result *ok = NULL, *bad = NULL, *broken = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_test(client, "wh_1a2b", &ok, &err), ALSORN_OK, "%s", err.message);
    cr_assert(ok->success);
    cr_assert_eq(ok->status_code, 204);
    cr_assert_eq(ok->duration_ms, 3);
    cr_assert_null(ok->error);
    cr_assert_eq(alsorn_webhooks_test(client, "wh_1a2b", &bad, &err), ALSORN_OK);
    cr_assert_not(bad->success);
    cr_assert_eq(bad->status_code, 0);
    cr_assert_str_eq(bad->error, "refused");
    cr_assert_eq(alsorn_webhooks_test(client, "wh_1a2b", &broken, &err), ALSORN_ERR_DECODE,
                 "a missing success must not read as false");
    cJSON *log = script_requests("wh_test");
    const cJSON *first = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_member(first, "method"), "POST");
    cr_assert_str_eq(request_member(first, "path"), "/webhooks/wh_1a2b/test");
    cJSON_Delete(log);
    alsorn_webhook_test_result_free(ok);
    alsorn_webhook_test_result_free(bad);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
}

CLIENT_TEST(webhooks, deliveries_sends_the_page_and_decodes_every_field) {
    const scripted_response script[] = {
        {200, NULL,
         "{\"data\":[{\"delivery_id\":\"6f1c0f8e-1b2a-4c3d-8e9f-0a1b2c3d4e5f\","
         "\"event_id\":\"evt_9\",\"event\":\"agent.updated\",\"attempt\":2,\"status_code\":500,"
         "\"error\":\"HTTP 500\",\"duration_ms\":12,\"delivered_at\":\"2026-01-02T03:04:05Z\","
         "\"next_retry_at\":\"2026-01-02T03:06:05Z\"},"
         "{\"delivery_id\":\"7f1c0f8e-1b2a-4c3d-8e9f-0a1b2c3d4e5f\",\"event_id\":\"evt_8\","
         "\"event\":\"agent.registered\",\"attempt\":1,\"status_code\":200,\"error\":null,"
         "\"duration_ms\":1,\"delivered_at\":\"2026-01-02T03:04:00Z\",\"next_retry_at\":null}],"
         "\"pagination\":{\"page\":2,\"limit\":2,\"total\":4,\"total_pages\":2}}",
         0}};
    script_program("wh_deliveries", script, COUNT(script));
    alsorn_client *client = script_client("wh_deliveries");
    alsorn_webhook_delivery_list *list = NULL;
    alsorn_error err = ALSORN_ERROR_INIT;

    cr_assert_eq(alsorn_webhooks_deliveries(client, "wh_1a2b", 2, 2, &list, &err), ALSORN_OK, "%s",
                 err.message);
    cr_assert_eq(list->count, 2);
    const alsorn_webhook_delivery *d = &list->items[0];
    cr_assert_str_eq(d->delivery_id, "6f1c0f8e-1b2a-4c3d-8e9f-0a1b2c3d4e5f");
    cr_assert_str_eq(d->event_id, "evt_9");
    cr_assert_str_eq(d->event, "agent.updated");
    cr_assert_eq(d->attempt, 2);
    cr_assert_eq(d->status_code, 500);
    cr_assert_str_eq(d->error, "HTTP 500");
    cr_assert_eq(d->duration_ms, 12);
    cr_assert_str_eq(d->delivered_at, "2026-01-02T03:04:05Z");
    cr_assert_str_eq(d->next_retry_at, "2026-01-02T03:06:05Z");
    cr_assert_null(list->items[1].error);
    cr_assert_null(list->items[1].next_retry_at);
    cr_assert_eq(list->page, 2);
    cr_assert_eq(list->total, 4);
    cr_assert_eq(list->total_pages, 2);
    cJSON *log = script_requests("wh_deliveries");
    const cJSON *request = only_request(log, "GET", "/webhooks/wh_1a2b/deliveries");
    cr_assert_str_eq(request_member(request, "query"), "page=2&limit=2");
    cJSON_Delete(log);
    alsorn_webhook_delivery_list_free(list);
    alsorn_client_free(client);
}

/* python3: hmac.new(b"whsec_0011...eeff", body, hashlib.sha256).hexdigest() */
#define SECRET    "whsec_00112233445566778899aabbccddeeff"
#define BODY      "{\"id\":\"evt_1\",\"event\":\"agent.registered\"}"
#define SIGNATURE "sha256=dd62a4e5b851db0a0a02f9c211f8ac04e2c94e1a2b72552c3885e349996d4c1c"

CLIENT_TEST(webhook_signature, accepts_the_documented_signature_only) {
    size_t len = strlen(BODY);
    cr_assert(alsorn_webhook_verify_signature(SECRET, BODY, len, SIGNATURE));
    char tampered[] = BODY;
    tampered[10] ^= 1;
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, tampered, len, SIGNATURE));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, BODY, len - 1, SIGNATURE));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET + 6, BODY, len, SIGNATURE),
                  "the key is the whole secret, whsec_ included");
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, BODY, len, SIGNATURE + 7),
                  "the sha256= prefix is required");
    cr_assert_not(alsorn_webhook_verify_signature(
        SECRET, BODY, len,
        "sha256=DD62A4E5B851DB0A0A02F9C211F8AC04E2C94E1A2B72552C3885E349996D4C1C"));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, BODY, len, SIGNATURE "00"));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, BODY, len, ""));
    cr_assert_not(alsorn_webhook_verify_signature(NULL, BODY, len, SIGNATURE));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, BODY, len, NULL));
    cr_assert_not(alsorn_webhook_verify_signature(SECRET, NULL, len, SIGNATURE));
}
