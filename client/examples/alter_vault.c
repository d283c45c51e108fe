/* Alter's vaulted access in C: an agent calls a provider with a grant's credential, inside a
 * trace scope, in both modes -- the SDK document's
 *
 *     async with agent.trace(run_id="run-abc"):
 *         await agent.request("GET", url, grant_id=g)
 *
 *   ALTER_AGENT_KEY=alter_key_agent_... ALTER_GRANT_ID=<uuid> \
 *   [ALTER_BASE_URL=http://127.0.0.1:4010] ./alter_vault
 *
 * Without the variables it uses the seeded research-bot and its Google grant
 * (fixtures/seed.json) on a local agentmock.  The "provider" is a small CivetWeb server this
 * program starts on a free loopback port (the sandbox's proxy only calls loopback by
 * default): it answers with the Authorization header it received, so you can see the vault's
 * credential arrive.  In retrieve mode the program calls it itself; in proxy mode agentmock
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "alter.h"

#define EXAMPLE_BASE_URL "http://127.0.0.1:4010"
#define SEEDED_AGENT_KEY "alter_key_agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc" /* research-bot */
#define SEEDED_GRANT     "5b0c2a8e-3f1d-4c7a-9e2b-6d8f1a4c3e70"             /* its Google grant */

/* The fake provider: {"path": ..., "authorization": ...} for every request. */
static int provider(struct mg_connection *conn, void *data) {
    (void)data;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *auth = mg_get_header(conn, "Authorization");
    char body[512];
    int n = snprintf(body, sizeof body, "{\"path\": \"%s\", \"authorization\": \"%s\"}",
                     ri->local_uri, auth ? auth : "(none)");
    mg_printf(conn,
              "HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
              "Connection: close\r\n\r\n%s",
              auth ? 200 : 401, n, body);
    return 200;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static int fail(const char *what, const alter_error *err) {
    fprintf(stderr, "%s failed: %s (%s, HTTP %ld) %s: %s\n", what, alter_status_name(err->status),
            alter_error_class(err->status), err->http_status, err->code[0] ? err->code : "-",
            err->message);
    if (err->details_json) fprintf(stderr, "  details: %s\n", err->details_json);
    return 1;
}

static void show(const char *mode, const alter_response *r) {
    printf("%-8s provider answered %ld: %.*s\n", mode, r->status_code, (int)r->body_len,
           (const char *)r->body);
}

int main(void) {
    mg_init_library(0);
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
    struct mg_context *ctx = mg_start(NULL, NULL, options);
    struct mg_server_port port;
    if (!ctx || mg_get_server_ports(ctx, 1, &port) < 1) {
        fprintf(stderr, "could not start the local fake provider\n");
        return 1;
    }
    mg_set_request_handler(ctx, "/", provider, NULL);
    char url[128];

    alter_agent *agent = alter_agent_new(env_or("ALTER_AGENT_KEY", SEEDED_AGENT_KEY),
                                         env_or("ALTER_BASE_URL", EXAMPLE_BASE_URL));
    const char *grant = env_or("ALTER_GRANT_ID", SEEDED_GRANT);
    alter_error err = ALTER_ERROR_INIT;
    int rc = 1;
    alter_trace run = {.run_id = "run-abc"};
    if (!agent || alter_trace_begin(agent, &run) != ALTER_OK) {
        fprintf(stderr, "no agent handle\n");
        goto done;
    }

    /* retrieve mode: the vault hands out the credential, this program calls the provider */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/gmail/v1/users/me/messages", port.port);
    alter_request_params get = {
        .method = "GET", .url = url, .grant_id = grant, .reason = "list the inbox"};
    alter_response *resp = NULL;
    if (alter_agent_request(agent, &get, &resp, &err) != ALTER_OK) {
        rc = fail("request (retrieve mode)", &err);
        goto done;
    }
    show("retrieve", resp);
    alter_response_free(resp);

    /* proxy mode: agentmock calls the provider with the credential; the agent never sees it */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/calendar/v3/events", port.port);
    const alter_header_param json[] = {{"Content-Type", "application/json"}};
    const char *event = "{\"summary\": \"sync\"}";
    alter_request_params post = {.method = "POST",
                                 .url = url,
                                 .grant_id = grant,
                                 .headers = json,
                                 .header_count = 1,
                                 .body = event,
                                 .body_len = strlen(event),
                                 .reason = "book the sync"};
    alter_proxy_result *proxied = NULL;
    if (alter_agent_proxy_request(agent, &post, &proxied, &err) != ALTER_OK) {
        rc = fail("proxy_request (proxy mode)", &err);
        goto done;
    }
    if (proxied->approval) { /* the agent's policy has require_approval */
        printf("proxy    waiting for approval: POST %s/approve\n", proxied->approval->approval_url);
        alter_approval *decided = NULL;
        alter_status st = alter_await_approval(agent, proxied->approval->approval_id, 60000, 1000,
                                               &decided, &err);
        if (st == ALTER_OK && !strcmp(decided->status, "executed") &&
            alter_approval_result(agent, decided->approval_id, &resp, &err) == ALTER_OK) {
            show("proxy", resp);
            alter_response_free(resp);
        } else {
            printf("proxy    approval ended %s\n", decided ? decided->status : "without an answer");
        }
        alter_approval_free(decided);
    } else {
        show("proxy", proxied->response);
    }
    alter_proxy_result_free(proxied);
    alter_trace_end(agent);
    printf("both calls are on the app's audit log under run_id run-abc "
           "(GET /sdk/audit?run_id=run-abc with the app key)\n");
    rc = 0;
done:
    alter_error_clear(&err);
    alter_agent_free(agent);
    mg_stop(ctx);
    mg_exit_library();
    return rc;
}
