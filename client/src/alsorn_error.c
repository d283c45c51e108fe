/* Errors as values: the typed alsorn_error from a non-2xx answer or a client-side failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

void alsorn_error_clear(alsorn_error *err) {
    if (!err) return;
    for (size_t i = 0; i < err->field_error_count; i++) {
        free(err->field_errors[i].field);
        free(err->field_errors[i].message);
    }
    free(err->field_errors);
    *err = (alsorn_error)ALSORN_ERROR_INIT;
}

const char *alsorn_status_name(alsorn_status status) {
    switch (status) {
    case ALSORN_OK:
        return "ALSORN_OK";
    case ALSORN_ERR_NOT_FOUND:
        return "ALSORN_ERR_NOT_FOUND";
    case ALSORN_ERR_RATE_LIMIT:
        return "ALSORN_ERR_RATE_LIMIT";
    case ALSORN_ERR_AUTH:
        return "ALSORN_ERR_AUTH";
    case ALSORN_ERR_VALIDATION:
        return "ALSORN_ERR_VALIDATION";
    case ALSORN_ERR_API:
        return "ALSORN_ERR_API";
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
        return ALSORN_ERR_RATE_LIMIT;
    default:
        return ALSORN_ERR_API;
    }
}

static void copy_string_member(const cJSON *obj, const char *key, char *dst, size_t size) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(item)) snprintf(dst, size, "%s", item->valuestring);
}

/* Every {field, message} of the body; entries of the wrong shape are skipped rather than
 * failing the whole error, since the status and code already say what happened. */
static alsorn_status copy_field_errors(alsorn_error *err, const cJSON *list) {
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n <= 0) return ALSORN_OK;
    err->field_errors = calloc((size_t)n, sizeof *err->field_errors);
    if (!err->field_errors) return ALSORN_ERR_NOMEM;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(item, "field");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(item, "message");
        if (!cJSON_IsString(field)) continue;
        alsorn_field_error *fe = &err->field_errors[err->field_error_count];
        fe->field = strdup(field->valuestring);
        fe->message = strdup(cJSON_IsString(message) ? message->valuestring : "");
        if (!fe->field || !fe->message) {
            free(fe->field);
            free(fe->message);
            fe->field = fe->message = NULL;
            return ALSORN_ERR_NOMEM;
        }
        err->field_error_count++;
    }
    return ALSORN_OK;
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

    cJSON *doc = body && body_len ? cJSON_ParseWithLength(body, body_len) : NULL;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(doc, "error");
    if (cJSON_IsObject(error)) {
        copy_string_member(error, "code", err->code, sizeof err->code);
        copy_string_member(error, "message", err->message, sizeof err->message);
        copy_string_member(error, "request_id", err->request_id, sizeof err->request_id);
        copy_string_member(error, "transaction_id", err->transaction_id,
                           sizeof err->transaction_id);
        if (copy_field_errors(err, cJSON_GetObjectItemCaseSensitive(error, "field_errors")) !=
            ALSORN_OK) {
            cJSON_Delete(doc);
            /* the status must not claim a 422 whose fields we could not hand over */
            client_error(err, ALSORN_ERR_NOMEM, "out of memory reading HTTP %ld error",
                         http_status);
            err->http_status = http_status;
            return ALSORN_ERR_NOMEM;
        }
    } else {
        /* Not the contract's error object (a proxy's HTML page, say): keep its start. */
        snprintf(err->message, sizeof err->message, "HTTP %ld%s%.*s", http_status,
                 body_len ? ": " : "", (int)(body_len > 200 ? 200 : body_len), body ? body : "");
    }
    if (!err->message[0]) snprintf(err->message, sizeof err->message, "HTTP %ld", http_status);
    cJSON_Delete(doc);
    return status;
}
