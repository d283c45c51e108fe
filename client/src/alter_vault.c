/* The vault's two modes (contract §7): retrieve (the caller fetches the grant's credential and
 * calls the provider itself) and proxy (the server calls the provider).  An agent handle calls
 * as its agent; an app handle as the app itself (App.request(), App.proxy_request()). */
#include <stdlib.h>
#include <string.h>

#include "alter_internal.h"
#include "base64.h"
#include "header_line.h"
#include "provider_call.h"
#include "json_parse.h"

/* What both modes send: {grant_id, method, url, reason?, context?}.  NULL after filling err. */
static cJSON *target_body(const alter_request_params *p, alter_error *err) {
    if (!p || !p->method || !p->url || !p->grant_id || (p->header_count && !p->headers) ||
        (p->body_len && !p->body)) {
        alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                           "method, url and grant_id are required (and headers or body when "
                           "their count or length is set)");
        return NULL;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *context =
        p->context_json
            ? json_parse_guarded(p->context_json, strlen(p->context_json), JSON_MAX_DEPTH, NULL)
            : NULL;
    if (p->context_json && !cJSON_IsObject(context)) {
        cJSON_Delete(context);
        cJSON_Delete(body);
        alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "context_json is not a JSON object");
        return NULL;
    }
    bool ok = body && cJSON_AddStringToObject(body, "grant_id", p->grant_id) &&
              cJSON_AddStringToObject(body, "method", p->method) &&
              cJSON_AddStringToObject(body, "url", p->url) &&
              (!p->reason || cJSON_AddStringToObject(body, "reason", p->reason)) &&
              (!context || cJSON_AddItemToObject(body, "context", context));
    if (!ok) {
        if (!body || !cJSON_GetObjectItem(body, "context")) cJSON_Delete(context);
        cJSON_Delete(body);
        alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return body;
}

static alter_status conn_token(struct alter_conn *conn, const alter_request_params *params,
                               alter_token **out, alter_error *err) {
    alter_error_clear(err);
    if (!conn) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app or agent");
    cJSON *body = target_body(params, err);
    if (!body) return err ? err->status : ALTER_ERR_INVALID_ARGUMENT;
    cJSON *json = NULL;
    alter_status status =
        alter_call(conn, ALTER_ROUTE_TOKEN, NULL, 0, NULL, 0, body, NULL, &json, err);
    cJSON_Delete(body);
    alter_token *token = NULL;
    if (status == ALTER_OK) status = token_decode(json, &token, err);
    cJSON_Delete(json);
    if (status != ALTER_OK) return status;
    if (out)
        *out = token;
    else
        alter_token_free(token);
    return ALTER_OK;
}

static alter_status conn_request(struct alter_conn *conn, const alter_request_params *params,
                                 alter_response **out, alter_error *err) {
    alter_error_clear(err);
    for (size_t i = 0; params && params->headers && i < params->header_count; i++)
        if (!params->headers[i].name || !params->headers[i].value ||
            header_is_credential(params->headers[i].name))
            return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                                      "header %s: " CREDENTIAL_HEADERS
                                      " are never sent: the vault injects the grant's credential",
                                      params->headers[i].name ? params->headers[i].name : "(null)");
    alter_token *token = NULL;
    alter_status status = conn_token(conn, params, &token, err);
    if (status != ALTER_OK) return status;
    alter_response *response = NULL;
    status = provider_call(params, token->inject_headers, token->inject_header_count,
                           conn->http->timeout_ms, &response, err);
    alter_token_free(token);
    if (status != ALTER_OK) return status;
    if (out)
        *out = response;
    else
        alter_response_free(response);
    return ALTER_OK;
}

/* The target plus {headers, body_b64, timeout_ms}. */
static cJSON *proxy_body(const alter_request_params *p, alter_error *err) {
    cJSON *body = target_body(p, err);
    if (!body) return NULL;
    cJSON *headers = cJSON_AddObjectToObject(body, "headers");
    bool ok = headers != NULL;
    for (size_t i = 0; ok && i < p->header_count; i++)
        ok = p->headers[i].name && p->headers[i].value &&
             cJSON_AddStringToObject(headers, p->headers[i].name, p->headers[i].value);
    char *b64 = ok && p->body ? base64_encode(p->body, p->body_len) : NULL;
    if (p->body) ok = ok && b64 && cJSON_AddStringToObject(body, "body_b64", b64);
    free(b64);
    if (ok && p->timeout_ms > 0)
        ok = cJSON_AddNumberToObject(body, "timeout_ms", (double)p->timeout_ms) != NULL;
    if (!ok) {
        cJSON_Delete(body);
        alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT,
                           "a header without name or value, or "
                           "out of memory");
        return NULL;
    }
    return body;
}

static alter_status conn_proxy_request(struct alter_conn *conn,
                                       const alter_request_params *params,
                                       alter_proxy_result **out, alter_error *err) {
    alter_error_clear(err);
    if (!conn) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no app or agent");
    cJSON *body = proxy_body(params, err);
    if (!body) return err ? err->status : ALTER_ERR_INVALID_ARGUMENT;
    cJSON *json = NULL;
    long http_status = 0;
    alter_status status =
        alter_call_once(conn, ALTER_ROUTE_PROXY, body, &json, &http_status, err);
    cJSON_Delete(body);
    alter_proxy_result *result = NULL;
    if (status == ALTER_OK && !(result = calloc(1, sizeof *result)))
        status = alter_client_error(err, ALTER_ERR_NOMEM, "out of memory");
    if (status == ALTER_OK)
        status = http_status == 202 ? approval_decode(json, &result->approval, err)
                                    : response_decode(json, &result->response, err);
    cJSON_Delete(json);
    if (status != ALTER_OK) {
        alter_proxy_result_free(result);
        return status;
    }
    if (out)
        *out = result;
    else
        alter_proxy_result_free(result);
    return ALTER_OK;
}

alter_status alter_agent_token(alter_agent *agent, const alter_request_params *params,
                               alter_token **out, alter_error *err) {
    return conn_token(agent ? &agent->conn : NULL, params, out, err);
}

alter_status alter_agent_request(alter_agent *agent, const alter_request_params *params,
                                 alter_response **out, alter_error *err) {
    return conn_request(agent ? &agent->conn : NULL, params, out, err);
}

alter_status alter_agent_proxy_request(alter_agent *agent, const alter_request_params *params,
                                       alter_proxy_result **out, alter_error *err) {
    return conn_proxy_request(agent ? &agent->conn : NULL, params, out, err);
}

alter_status alter_app_token(alter_app *app, const alter_request_params *params,
                             alter_token **out, alter_error *err) {
    return conn_token(app ? &app->conn : NULL, params, out, err);
}

alter_status alter_app_request(alter_app *app, const alter_request_params *params,
                               alter_response **out, alter_error *err) {
    return conn_request(app ? &app->conn : NULL, params, out, err);
}

alter_status alter_app_proxy_request(alter_app *app, const alter_request_params *params,
                                     alter_proxy_result **out, alter_error *err) {
    return conn_proxy_request(app ? &app->conn : NULL, params, out, err);
}
