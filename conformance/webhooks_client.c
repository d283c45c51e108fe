/* The reference client's webhooks calls end to end against the target: every model decodes,
 * errors map, and a delivery verifies with the secret the client got at registration. */
#ifdef HAVE_AGENTCLIENT
#include "webhook_helpers.h"

#include <stdlib.h>
#include <string.h>

#include "alsorn.h"

static struct tenant T;

static void expect_ok(alsorn_status st, const alsorn_error *err, const char *what) {
    cr_assert_eq(st, ALSORN_OK, "%s: %s (HTTP %ld, code %s: %s)", what, alsorn_status_name(st),
                 err->http_status, err->code, err->message);
}

Test(webhooks_client, every_call_round_trips) {
    require_mock(); /* the receiver lives on this machine */
    tenant_new(&T);
    struct receiver *rc = receiver_start();
    alsorn_client *c = alsorn_client_new(tkey(&T, KEY_ADMIN), target_base_url(), 10);
    cr_assert(c);
    cr_assert_eq(alsorn_client_set_max_retries(c, 0), ALSORN_OK);
    alsorn_error err = ALSORN_ERROR_INIT;

    const char *events[] = {"agent.registered", "agent.suspended"};
    alsorn_webhook_params params = {.url = receiver_url(rc, "/client"), .events = events,
                                    .event_count = 2};
    alsorn_webhook *w = NULL;
    expect_ok(alsorn_webhooks_register(c, &params, &w, &err), &err, "register");
    cr_assert(has_prefix_alnum(w->id, "wh_"));
    cr_assert_str_eq(w->org_id, T.org_id);
    cr_assert(w->secret && !strncmp(w->secret, "whsec_", 6));
    cr_assert_eq(w->event_count, 2);
    cr_assert(w->active);

    alsorn_webhook *got = NULL;
    expect_ok(alsorn_webhooks_get(c, w->id, &got, &err), &err, "get");
    cr_assert_null(got->secret);
    cr_assert_str_eq(got->url, w->url);
    alsorn_webhook_free(got);

    alsorn_webhook_list *list = NULL;
    expect_ok(alsorn_webhooks_list(c, &list, &err), &err, "list");
    cr_assert_eq(list->count, 1);
    cr_assert_str_eq(list->items[0].id, w->id);
    alsorn_webhook_list_free(list);

    alsorn_webhook_test_result *res = NULL;
    expect_ok(alsorn_webhooks_test(c, w->id, &res, &err), &err, "test");
    cr_assert(res->success);
    cr_assert_eq(res->status_code, 200);
    cr_assert_null(res->error);
    alsorn_webhook_test_result_free(res);
    const struct received *r = receiver_get(rc, 0);
    cr_assert(alsorn_webhook_verify_signature(w->secret, r->body, r->body_len,
                                              received_header(r, "X-Alsorn-Signature")));

    alsorn_webhook_delivery_list *log = NULL;
    expect_ok(alsorn_webhooks_deliveries(c, w->id, 1, 10, &log, &err), &err, "deliveries");
    cr_assert_eq(log->count, 1);
    cr_assert_eq(log->total, 1);
    cr_assert_str_eq(log->items[0].event, "webhook.test");
    cr_assert_eq(log->items[0].attempt, 1);
    cr_assert_str_eq(log->items[0].delivery_id, received_header(r, "X-Alsorn-Delivery"));
    cr_assert_null(log->items[0].next_retry_at);
    alsorn_webhook_delivery_list_free(log);

    alsorn_webhook_update upd = {.active = ALSORN_WEBHOOK_DISABLE};
    alsorn_webhook *changed = NULL;
    expect_ok(alsorn_webhooks_update(c, w->id, &upd, &changed, &err), &err, "update");
    cr_assert_not(changed->active);
    alsorn_webhook_free(changed);

    const char *bad[] = {"agent.nope"};
    alsorn_webhook_update invalid = {.events = bad, .event_count = 1};
    cr_assert_eq(alsorn_webhooks_update(c, w->id, &invalid, NULL, &err), ALSORN_ERR_VALIDATION);
    cr_assert_eq(err.field_error_count, 1);
    cr_assert_str_eq(err.field_errors[0].field, "events[0]");

    expect_ok(alsorn_webhooks_delete(c, w->id, &err), &err, "delete");
    cr_assert_eq(alsorn_webhooks_get(c, w->id, NULL, &err), ALSORN_ERR_NOT_FOUND);

    alsorn_client *writer = alsorn_client_new(tkey(&T, KEY_WRITE), target_base_url(), 10);
    alsorn_client_set_max_retries(writer, 0);
    cr_assert_eq(alsorn_webhooks_list(writer, NULL, &err), ALSORN_ERR_FORBIDDEN);
    cr_assert_str_eq(err.code, "forbidden");
    alsorn_client_free(writer);

    alsorn_error_clear(&err);
    alsorn_webhook_free(w);
    alsorn_client_free(c);
    receiver_stop(rc);
}
#endif
