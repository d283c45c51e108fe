/* agentctl listen: prints webhook events as they arrive, like `stripe listen`.
 *
 * It serves a receiver on 127.0.0.1 (CivetWeb), points the organization's forward target at
 * it (PATCH /_mock/orgs/{id}/webhook-settings forward_to: every delivery of the org comes
 * here, signed with its endpoint's secret), checks each signature with the client's
 * alsorn_webhook_verify_signature, and on exit puts the forward target back (and removes the
 * endpoint it registered, if it made one). */
#include "agentctl.h"

#include "alsorn.h"

#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EVENT_BYTES (1024 * 1024)

static struct {
    pthread_mutex_t lock;
    const char *secret; /* NULL: signatures cannot be checked */
    long events, bad_signatures;
    long max_events; /* 0: no end */
} listener = {.lock = PTHREAD_MUTEX_INITIALIZER};

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static int on_delivery(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    char *body = malloc(MAX_EVENT_BYTES + 1);
    size_t len = 0;
    int n;
    while (body && len < MAX_EVENT_BYTES &&
           (n = mg_read(conn, body + len, MAX_EVENT_BYTES - len)) > 0)
        len += (size_t)n;
    if (!body) {
        mg_send_http_error(conn, 500, "out of memory");
        return 500;
    }
    body[len] = 0;
    const char *event = mg_get_header(conn, "X-Alsorn-Event");
    const char *signature = mg_get_header(conn, "X-Alsorn-Signature");
    const char *from = mg_get_header(conn, "X-Alsorn-Forwarded-From");
    cJSON *json = cJSON_ParseWithLength(body, len);
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "id"));
    const char *verified = "unknown"; /* no secret to check with */
    if (listener.secret)
        verified =
            alsorn_webhook_verify_signature(listener.secret, body, len, signature) ? "yes" : "no";

    pthread_mutex_lock(&listener.lock);
    if (listener.max_events && listener.events >= listener.max_events) {
        /* past --max-events: refused, so the mock keeps the event and retries it */
        pthread_mutex_unlock(&listener.lock);
        cJSON_Delete(json);
        free(body);
        mg_send_http_error(conn, 503, "agentctl listen is stopping");
        return 503;
    }
    listener.events++;
    if (strcmp(verified, "no") == 0) listener.bad_signatures++;
    if (settings.json) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "event", event ? event : "");
        cJSON_AddStringToObject(line, "id", id ? id : "");
        cJSON_AddStringToObject(line, "verified", verified);
        cJSON_AddStringToObject(line, "forwarded_from", from ? from : "");
        if (json) cJSON_AddItemToObject(line, "body", cJSON_Duplicate(json, true));
        char *text = cJSON_PrintUnformatted(line);
        puts(text ? text : "{}");
        free(text);
        cJSON_Delete(line);
    } else {
        char at[32];
        time_t now = time(NULL);
        strftime(at, sizeof at, "%H:%M:%S", localtime(&now));
        printf("%s  %-24s %-24s verified %s\n", at, event ? event : "?", id ? id : "?", verified);
    }
    fflush(stdout);
    pthread_mutex_unlock(&listener.lock);

    cJSON_Delete(json);
    free(body);
    static const char ok[] = "{\"received\": true}";
    mg_send_http_ok(conn, "application/json", (long long)strlen(ok));
    mg_write(conn, ok, strlen(ok));
    return 200;
}

/* A request whose answer's JSON is wanted (errors printed, as every command does). */
static int fetch_json(enum api api, const char *method, const char *path, const char *body,
                      cJSON **out) {
    struct reply r;
    http_call(api, method, path, body, false, &r);
    int rc = reply_check(&r, out);
    reply_free(&r);
    return rc;
}

static int set_forward(const char *org, const cJSON *target) {
    char path[600], esc[512];
    snprintf(path, sizeof path, "/_mock/orgs/%s/webhook-settings",
             path_escape(org, esc, sizeof esc));
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "forward_to", cJSON_Duplicate(target, true));
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    cJSON *reply = NULL;
    int rc = fetch_json(API_MOCK, "PATCH", path, text, &reply);
    free(text);
    cJSON_Delete(reply);
    return rc;
}

int listen_run(const struct command *cmd, const struct invocation *inv) {
    const char *port = opt(inv, "port"), *max = opt(inv, "max-events");
    long max_events = 0;
    if (max) {
        char *end;
        max_events = strtol(max, &end, 10);
        if (*end || max_events < 1) return usage_error(cmd, "--max-events wants a positive count");
    }
    char org[128] = "", webhook_id[128] = "", secret[128] = "";
    snprintf(org, sizeof org, "%s", opt(inv, "org-id") ? opt(inv, "org-id") : "");
    if (opt(inv, "secret")) snprintf(secret, sizeof secret, "%s", opt(inv, "secret"));

    /* The receiver first: its URL is what the org forwards to. */
    char listening[64];
    snprintf(listening, sizeof listening, "127.0.0.1:%s", port ? port : "0");
    const char *options[] = {"listening_ports", listening, "num_threads", "4", NULL};
    mg_init_library(0);
    struct mg_context *ctx = mg_start(NULL, NULL, options);
    struct mg_server_port ports[1];
    if (!ctx || mg_get_server_ports(ctx, 1, ports) < 1) {
        if (ctx) mg_stop(ctx);
        mg_exit_library();
        return usage_error(cmd, "cannot listen on %s", listening);
    }
    mg_set_request_handler(ctx, "/", on_delivery, NULL);
    char local[64];
    snprintf(local, sizeof local, "http://127.0.0.1:%d/hook", ports[0].port);

    int rc = EXIT_OK;
    cJSON *j = NULL, *previous = NULL;
    const char *register_url = opt(inv, "register");
    if (register_url) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "url", register_url);
        cJSON *events = cJSON_AddArrayToObject(body, "events");
        cJSON_AddItemToArray(events,
                             cJSON_CreateString(opt(inv, "events") ? opt(inv, "events") : "*"));
        char *text = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        rc = fetch_json(API_ALSORN, "POST", "/webhooks", text, &j);
        free(text);
        if (rc == EXIT_OK) {
            snprintf(webhook_id, sizeof webhook_id, "%s",
                     cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")));
            snprintf(secret, sizeof secret, "%s",
                     cJSON_GetStringValue(cJSON_GetObjectItem(j, "secret")));
            if (!*org)
                snprintf(org, sizeof org, "%s",
                         cJSON_GetStringValue(cJSON_GetObjectItem(j, "org_id")));
        }
        cJSON_Delete(j);
        j = NULL;
    }
    if (rc == EXIT_OK && !*org) {
        /* the org of the key: its first endpoint says it */
        rc = fetch_json(API_ALSORN, "GET", "/webhooks", NULL, &j);
        const char *found = cJSON_GetStringValue(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0), "org_id"));
        if (rc == EXIT_OK && !found)
            rc = usage_error(cmd, "the key's organization has no endpoint to learn its id from: "
                                  "pass --org-id, or --register URL");
        if (found) snprintf(org, sizeof org, "%s", found);
        cJSON_Delete(j);
        j = NULL;
    }
    if (rc == EXIT_OK) {
        char path[600], esc[512];
        snprintf(path, sizeof path, "/_mock/orgs/%s/webhook-settings",
                 path_escape(org, esc, sizeof esc));
        rc = fetch_json(API_MOCK, "GET", path, NULL, &j);
        if (rc == EXIT_OK) previous = cJSON_DetachItemFromObject(j, "forward_to");
        cJSON_Delete(j);
    }
    bool forwarding = false;
    if (rc == EXIT_OK) {
        cJSON *target = cJSON_CreateString(local);
        rc = set_forward(org, target);
        cJSON_Delete(target);
        forwarding = rc == EXIT_OK;
    }
    if (rc == EXIT_OK) {
        listener.secret = *secret ? secret : NULL;
        listener.max_events = max_events;
        fprintf(stderr, "Ready: %s's webhook deliveries go to %s%s%s (Ctrl-C to stop)\n", org,
                local, *webhook_id ? "; registered endpoint " : "", webhook_id);
        if (*webhook_id && !settings.json) printf("secret %s\n", secret);
        if (!listener.secret)
            fprintf(stderr, "no --secret and no --register: signatures are not checked\n");
        fflush(stdout);
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        for (;;) {
            pthread_mutex_lock(&listener.lock);
            bool done = max_events && listener.events >= max_events;
            pthread_mutex_unlock(&listener.lock);
            if (done || stop_requested) break;
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* Put things back whatever happened above. */
    if (forwarding) {
        cJSON *restore = previous ? previous : cJSON_CreateNull();
        if (set_forward(org, restore) != EXIT_OK)
            fprintf(stderr, "agentctl: could not restore %s's forward target\n", org);
        if (restore != previous) cJSON_Delete(restore);
    }
    if (*webhook_id) {
        char path[600], esc[512];
        snprintf(path, sizeof path, "/webhooks/%s", path_escape(webhook_id, esc, sizeof esc));
        cJSON *ignored = NULL;
        if (fetch_json(API_ALSORN, "DELETE", path, NULL, &ignored) != EXIT_OK)
            fprintf(stderr, "agentctl: could not remove the endpoint %s\n", webhook_id);
        cJSON_Delete(ignored);
    }
    cJSON_Delete(previous);
    mg_stop(ctx);
    mg_exit_library();
    if (rc == EXIT_OK && listener.bad_signatures) rc = EXIT_RESPONSE;
    return rc;
}
