/* Webhook delivery throughput: how many signed deliveries per second the dispatcher makes to a
 * receiver on this machine, and what emitting an event costs the API call that causes it.
 *
 * In-process: a CivetWeb receiver that answers 204 at once, the dispatcher, one organization
 * with E endpoints subscribed to "*", and N events emitted under the tenant lock as a handler
 * would.  Prints one line per endpoint count.  Usage: webhook_bench [events] */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "alsorn/events.h"
#include "delivery/allowlist.h"
#include "delivery/dispatcher.h"
#include "store/store.h"
#include "tenant_parts.h"

static atomic_long received;

/* tcp_nodelay: without it the receiver's Nagle and the sender's delayed ACK cap one
 * keep-alive connection at about 100 requests per second. */
static int on_hook(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    char buf[8192];
    while (mg_read(conn, buf, sizeof buf) > 0) {
    }
    mg_printf(conn, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
    atomic_fetch_add(&received, 1);
    return 204;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_endpoint(struct tenant *t, const char *url, int i) {
    struct webhook *w = calloc(1, sizeof *w);
    snprintf(w->id, sizeof w->id, "wh_bench%08d", i);
    snprintf(w->secret, sizeof w->secret, "whsec_00112233445566778899aabbccddeeff");
    w->url = strdup(url);
    w->active = true;
    const char *all[] = {"*"};
    webhook_set_events(w, all, 1);
    webhook_set_add(&t->webhooks, w);
}

static void run(const char *url, int endpoints, long events) {
    struct tenant *t = tenant_new("bench", PLAN_ENTERPRISE, false);
    store_tenant_add(t); /* the dispatcher delivers only for organizations in the store */
    for (int i = 0; i < endpoints; i++) add_endpoint(t, url, i);
    atomic_store(&received, 0);
    long want = events * endpoints;
    double emit_total = 0, start = now_s();
    for (long i = 0; i < events; i++) {
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "id", "agent_bench0000000000");
        cJSON_AddNumberToObject(data, "n", (double)i);
        double e0 = now_s();
        tenant_lock(t);
        events_emit(t, "agent.updated", data, 1767225600);
        tenant_unlock(t);
        emit_total += now_s() - e0;
    }
    while (atomic_load(&received) < want && now_s() - start < 120) usleep(1000);
    double took = now_s() - start;
    long got = atomic_load(&received);
    printf("%2d endpoint%s  %7ld deliveries in %6.2f s  = %8.0f deliveries/s   emit %.1f us/event\n",
           endpoints, endpoints == 1 ? " " : "s", got, took, got / took, emit_total / events * 1e6);
    fflush(stdout);
    tenant_lock(t);
    for (size_t i = 0; i < t->webhooks.n; i++) webhook_disable(t->webhooks.list[i]);
    tenant_unlock(t);
    store_tenant_remove(t->id);
    tenant_release(t);
}

int main(int argc, char **argv) {
    long events = argc > 1 ? atol(argv[1]) : 20000;
    /* a burst emits faster than one endpoint delivers: the queue must hold it all, or the run
     * waits out its timeout for events the cap refused */
    if (events > WEBHOOK_QUEUE_MAX_DEFAULT) webhook_set_caps(WEBHOOK_LOG_MAX_DEFAULT, (size_t)events);
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "64",
                             "enable_keep_alive", "yes", "tcp_nodelay", "1", NULL};
    mg_init_library(0);
    struct mg_callbacks callbacks = {0};
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) return 1;
    mg_set_request_handler(ctx, "/hook", on_hook, NULL);
    struct mg_server_port port;
    mg_get_server_ports(ctx, 1, &port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port.port);

    store_init(&tenant_parts);
    char why[128];
    allowlist_configure(NULL, why, sizeof why);
    struct delivery_config cfg = {.retry_base_ms = 60000};
    if (delivery_start(&cfg) != 0) return 1;
    events_set_sink(delivery_sink, delivery_wanted, NULL);
    int counts[] = {1, 4, 16, 64};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        run(url, counts[i], counts[i] == 1 ? events : events / counts[i] * 2);
    events_set_sink(NULL, NULL, NULL);
    delivery_stop();
    mg_stop(ctx);
    mg_exit_library();
    allowlist_free();
    store_clear();
    return 0;
}
