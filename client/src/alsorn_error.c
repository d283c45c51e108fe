/* Errors as values: the typed alsorn_error from a non-2xx answer or a client-side failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "field_errors.h"
#include "json_parse.h"

void alsorn_error_clear(alsorn_error *err) {
    if (!err) return;
    FIELD_ERRORS_RELEASE(alsorn_field_error, err->field_errors, err->field_error_count);
    *err = (alsorn_error)ALSORN_ERROR_INIT;
}

const char *alsorn_status_name(alsorn_status status) {
    switch (status) {
    case ALSORN_OK:
        return "ALSORN_OK";
    case ALSORN_ERR_NOT_FOUND:
        return "ALSORN_ERR_NOT_FOUND";
    case ALSORN_ERR_RATE_LIMITED:
        return "ALSORN_ERR_RATE_LIMITED";
    case ALSORN_ERR_AUTH:
        return "ALSORN_ERR_AUTH";
    case ALSORN_ERR_VALIDATION:
        return "ALSORN_ERR_VALIDATION";
    case ALSORN_ERR_HTTP:
        return "ALSORN_ERR_HTTP";
    case ALSORN_ERR_CONNECTION:
        return "ALSORN_ERR_CONNECTION";
    case ALSORN_ERR_DECODE:
        return "ALSORN_ERR_DECODE";
    case ALSORN_ERR_INVALID_ARGUMENT:
        return "ALSORN_ERR_INVALID_ARGUMENT";
    case ALSORN_ERR_NOMEM:
        return "ALSORN_ERR_NOMEM";
    case ALSORN_ERR_FORBIDDEN:
        return "ALSORN_ERR_FORBIDDEN";
    }
    return "ALSORN_ERR_UNKNOWN";
}

alsorn_status client_error(alsorn_error *err, alsorn_status status, const char *fmt, ...) {
    if (!err) return status;
    alsorn_error_clear(err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

/* The SDK's exception classes, as statuses. */
static alsorn_status status_for_http(long http_status) {
    switch (http_status) {
    case 401:
        return ALSORN_ERR_AUTH;
    case 403:
        return ALSORN_ERR_FORBIDDEN;
    case 404:
        return ALSORN_ERR_NOT_FOUND;
    case 422:
        return ALSORN_ERR_VALIDATION;
    case 429:
        return ALSORN_ERR_RATE_LIMITED;
    default:
        return ALSORN_ERR_HTTP;
    }
}

alsorn_status client_http_error(alsorn_error *err, long http_status, const char *body,
                                size_t body_len, const char *header_request_id, long retry_after) {
    alsorn_status status = status_for_http(http_status);
    if (!err) return status;
    alsorn_error_clear(err);
    err->status = status;
    err->http_status = http_status;
    err->retry_after = retry_after > 0 ? retry_after : 0;
    snprintf(err->request_id, sizeof err->request_id, "%s",
             header_request_id ? header_request_id : "");

    cJSON *doc =
        body && body_len ? json_parse_guarded(body, body_len, JSON_REPLY_MAX_DEPTH, NULL) : NULL;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(doc, "error");
    if (cJSON_IsObject(error)) {
        copy_string_member(error, "code", err->code, sizeof err->code);
        copy_string_member(error, "message", err->message, sizeof err->message);
        copy_string_member(error, "request_id", err->request_id, sizeof err->request_id);
        copy_string_member(error, "transaction_id", err->transaction_id,
                           sizeof err->transaction_id);
        if (!FIELD_ERRORS_COPY(cJSON_GetObjectItemCaseSensitive(error, "field_errors"),
                               alsorn_field_error, &err->field_errors, &err->field_error_count)) {
            cJSON_Delete(doc);
            /* the status must not claim a 422 whose fields we could not hand over */
            client_error(err, ALSORN_ERR_NOMEM, "out of memory reading HTTP %ld error",
                         http_status);
            err->http_status = http_status;
            return ALSORN_ERR_NOMEM;
        }
    } else {
        message_from_foreign_body(err->message, sizeof err->message, http_status, body, body_len);
    }
    if (!err->message[0]) snprintf(err->message, sizeof err->message, "HTTP %ld", http_status);
    cJSON_Delete(doc);
    return status;
}
