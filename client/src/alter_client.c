/* Alter handles (App, Agent) and the one function every Alter call goes through. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alter_internal.h"
#include "json_parse.h"

/* A connection of the shared transport that sends the key as x-api-key. */
static bool conn_open(struct alter_conn *c, const char *key, const char *key_env,
                      const char *base_url, const char *caller) {
    memset(c, 0, sizeof *c);
    if (!key && key_env) key = getenv(key_env);
    if (!key || !*key) return false;
    if (!base_url) base_url = getenv("ALTER_BASE_URL");
    if (!base_url || !*base_url) base_url = ALTER_DEFAULT_BASE_URL;
    c->http = alsorn_client_new(key, base_url, 0);
    if (!c->http) return false;
    c->http->key_in_x_api_key = true;
    if (caller && !(c->caller = strdup(caller))) {
        alsorn_client_free(c->http);
        return false;
    }
    return true;
}

static void conn_close(struct alter_conn *c) {
    alter_trace_close_all(c);
    alsorn_client_free(c->http);
    free(c->caller);
}

alter_app *alter_app_new(const char *api_key, const char *base_url) {
    alter_app *app = malloc(sizeof *app);
    if (app && conn_open(&app->conn, api_key, "ALTER_API_KEY", base_url, NULL)) return app;
    free(app);
    return NULL;
}

void alter_app_free(alter_app *app) {
    if (!app) return;
    conn_close(&app->conn);
    free(app);
}

alter_agent *alter_app_get_agent(alter_app *app, const char *agent_id) {
    if (!app || !agent_id || !*agent_id) return NULL;
    alter_agent *agent = malloc(sizeof *agent);
    if (agent && conn_open(&agent->conn, app->conn.http->api_key, NULL, app->conn.http->base_url,
                           agent_id)) {
        agent->conn.http->max_retries = app->conn.http->max_retries;
        return agent;
    }
    free(agent);
    return NULL;
}

alter_agent *alter_agent_new(const char *agent_key, const char *base_url) {
    alter_agent *agent = malloc(sizeof *agent);
    if (agent && conn_open(&agent->conn, agent_key, "ALTER_AGENT_KEY", base_url, NULL))
        return agent;
    free(agent);
    return NULL;
}

void alter_agent_free(alter_agent *agent) {
    if (!agent) return;
    conn_close(&agent->conn);
    free(agent);
}

alter_status alter_app_set_max_retries(alter_app *app, int n) {
    return app && alsorn_client_set_max_retries(app->conn.http, n) == ALSORN_OK
               ? ALTER_OK
               : ALTER_ERR_INVALID_ARGUMENT;
}

alter_status alter_agent_set_max_retries(alter_agent *agent, int n) {
    return agent && alsorn_client_set_max_retries(agent->conn.http, n) == ALSORN_OK
               ? ALTER_OK
               : ALTER_ERR_INVALID_ARGUMENT;
}

const char *alter_app_last_request_id(const alter_app *app) {
    return app ? alsorn_client_last_request_id(app->conn.http) : "";
}

const char *alter_agent_last_request_id(const alter_agent *agent) {
    return agent ? alsorn_client_last_request_id(agent->conn.http) : "";
}

bool alter_app_last_key_deprecated(const alter_app *app) {
    return app && app->conn.last_key_deprecated;
}

bool alter_agent_last_key_deprecated(const alter_agent *agent) {
    return agent && agent->conn.last_key_deprecated;
}

static bool header_is_true(alsorn_client *http, const char *name) {
    const char *v = transport_last_header(http, name);
    return v && strcasecmp(v, "true") == 0;
}

/* Every Alter call: transport_send with the caller and trace headers, the answer turned into
 * JSON or the typed error. */
static alter_status call(struct alter_conn *c, alter_route_id route_id, const char *const *params,
                         size_t param_count, const query_param *query, size_t query_count,
                         const cJSON *body, const char *idempotency_key, bool send_once,
                         cJSON **json, long *http_status, alter_error *err) {
    if (json) *json = NULL;
    if (http_status) *http_status = 0;
    const alter_route *route = alter_route_get(route_id);
    if (!route) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no such route");
    /* X-Alter-Caller first, then the trace headers of the open scopes */
    char **trace = alter_trace_headers(c);
    char *caller = NULL;
    if (!trace || (c->caller && asprintf(&caller, "X-Alter-Caller: %s", c->caller) < 0)) {
        alter_trace_headers_free(trace);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    size_t n_trace = 0;
    while (trace[n_trace])
        n_trace++;
    const char **headers = calloc(n_trace + 2, sizeof *headers);
    if (!headers) {
        free(caller);
        alter_trace_headers_free(trace);
        return alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    }
    size_t h = 0;
    if (caller) headers[h++] = caller;
    for (size_t i = 0; i < n_trace; i++)
        headers[h++] = trace[i];

    const transport_request req = {.method = route->method,
                                   .path_template = route->path_template,
                                   .path_params = params,
                                   .path_param_count = param_count,
                                   .query = query,
                                   .query_count = query_count,
                                   .body = body,
                                   .headers = headers,
                                   .idempotency_key = idempotency_key,
                                   .send_once = send_once};
    transport_response resp;
    alsorn_error transport_err = ALSORN_ERROR_INIT;
    alter_status status = ALTER_OK;
    if (transport_send(c->http, &req, &resp, &transport_err) != ALSORN_OK) {
        status = alter_error_from_alsorn(err, &transport_err);
        c->last_key_deprecated = c->last_replayed = false;
    } else {
        c->last_key_deprecated = header_is_true(c->http, "X-Alter-Key-Deprecated");
        c->last_replayed = header_is_true(c->http, "Idempotent-Replayed");
        if (http_status) *http_status = resp.http_status;
        if (resp.http_status < 200 || resp.http_status > 299) {
            status = alter_http_error(err, resp.http_status, resp.body, resp.body_len,
                                      alsorn_client_last_request_id(c->http), resp.retry_after);
        } else if (json && resp.body_len) {
            *json = json_parse_guarded(resp.body, resp.body_len, JSON_REPLY_MAX_DEPTH, NULL);
            if (!*json) {
                status = alter_client_error(err, ALTER_ERR_DECODE, "HTTP %ld answer is not JSON",
                                            resp.http_status);
                if (err) err->http_status = resp.http_status;
            }
        }
    }
    transport_response_free(&resp);
    alsorn_error_clear(&transport_err);
    free(headers);
    free(caller);
    alter_trace_headers_free(trace);
    return status;
}

alter_status alter_call(struct alter_conn *c, alter_route_id route, const char *const *params,
                        size_t param_count, const query_param *query, size_t query_count,
                        const cJSON *body, const char *idempotency_key, cJSON **json,
                        alter_error *err) {
    return call(c, route, params, param_count, query, query_count, body, idempotency_key, false,
                json, NULL, err);
}

alter_status alter_call_once(struct alter_conn *c, alter_route_id route, const cJSON *body,
                             cJSON **json, long *http_status, alter_error *err) {
    return call(c, route, NULL, 0, NULL, 0, body, NULL, true, json, http_status, err);
}
