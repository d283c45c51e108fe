/* Alter's errors as values: one status per §2 code, named after the SDK's exceptions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alter_internal.h"
#include "field_errors.h"
#include "json_parse.h"

/* clang-format off */
static const struct {
    alter_status status;
    const char *code;  /* wire code; NULL for statuses that have none */
    const char *name;
    const char *sdk_class;
} statuses[] = {
    {ALTER_OK, NULL, "ALTER_OK", ""},
    {ALTER_ERR_MISSING_KEY, "missing_key", "ALTER_ERR_MISSING_KEY", "InvalidKeyError"},
    {ALTER_ERR_INVALID_KEY, "invalid_key", "ALTER_ERR_INVALID_KEY", "InvalidKeyError"},
    {ALTER_ERR_KEY_REVOKED, "key_revoked", "ALTER_ERR_KEY_REVOKED", "KeyRevokedError"},
    {ALTER_ERR_INSUFFICIENT_SCOPE, "insufficient_scope", "ALTER_ERR_INSUFFICIENT_SCOPE",
     "InsufficientScopeError"},
    {ALTER_ERR_AGENT_CANNOT_MINT_SUBAGENTS, "agent_cannot_mint_subagents",
     "ALTER_ERR_AGENT_CANNOT_MINT_SUBAGENTS", "AgentCannotMintSubagentsError"},
    {ALTER_ERR_ME_REQUIRES_AGENT_KEY, "me_requires_agent_key", "ALTER_ERR_ME_REQUIRES_AGENT_KEY",
     "MeRequiresAgentKeyError"},
    {ALTER_ERR_AGENT_NOT_FOUND, "agent_not_found", "ALTER_ERR_AGENT_NOT_FOUND",
     "AgentNotFoundError"},
    {ALTER_ERR_KEY_NOT_FOUND, "key_not_found", "ALTER_ERR_KEY_NOT_FOUND", "KeyNotFoundError"},
    {ALTER_ERR_AGENT_NAME_EXISTS, "agent_name_exists", "ALTER_ERR_AGENT_NAME_EXISTS",
     "AgentNameExistsError"},
    {ALTER_ERR_AGENT_REVOKED, "agent_revoked", "ALTER_ERR_AGENT_REVOKED", "AgentRevokedError"},
    {ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED, "agent_scope_narrowing_not_supported",
     "ALTER_ERR_AGENT_SCOPE_NARROWING_NOT_SUPPORTED", "AgentScopeNarrowingNotSupportedError"},
    {ALTER_ERR_LAST_ACTIVE_KEY, "last_active_key", "ALTER_ERR_LAST_ACTIVE_KEY",
     "LastActiveKeyError"},
    {ALTER_ERR_KEY_ALREADY_REVOKED, "key_already_revoked", "ALTER_ERR_KEY_ALREADY_REVOKED",
     "KeyAlreadyRevokedError"},
    {ALTER_ERR_IDEMPOTENCY_KEY_BODY_MISMATCH, "idempotency_key_body_mismatch",
     "ALTER_ERR_IDEMPOTENCY_KEY_BODY_MISMATCH", "IdempotencyKeyBodyMismatchError"},
    {ALTER_ERR_IDEMPOTENCY_KEY_AGENT_REVOKED, "idempotency_key_agent_revoked",
     "ALTER_ERR_IDEMPOTENCY_KEY_AGENT_REVOKED", "IdempotencyKeyAgentRevokedError"},
    {ALTER_ERR_VALIDATION, "validation_error", "ALTER_ERR_VALIDATION", "AlterValueError"},
    {ALTER_ERR_INVALID_JSON, "invalid_json", "ALTER_ERR_INVALID_JSON", "BackendError"},
    {ALTER_ERR_RATE_LIMITED, "rate_limited", "ALTER_ERR_RATE_LIMITED", "BackendError"},
    {ALTER_ERR_POLICY_VIOLATION, "policy_violation", "ALTER_ERR_POLICY_VIOLATION",
     "PolicyViolationError"},
    {ALTER_ERR_GRANT_NOT_FOUND, "grant_not_found", "ALTER_ERR_GRANT_NOT_FOUND",
     "GrantNotFoundError"},
    {ALTER_ERR_GRANT_REVOKED, "grant_revoked", "ALTER_ERR_GRANT_REVOKED", "GrantRevokedError"},
    {ALTER_ERR_NO_DELEGATED_GRANT, "no_delegated_grant", "ALTER_ERR_NO_DELEGATED_GRANT",
     "NoDelegatedGrantError"},
    {ALTER_ERR_APPROVAL_NOT_FOUND, "approval_not_found", "ALTER_ERR_APPROVAL_NOT_FOUND",
     "BackendError"},
    {ALTER_ERR_APPROVAL_NOT_EXECUTED, "approval_not_executed", "ALTER_ERR_APPROVAL_NOT_EXECUTED",
     "BackendError"},
    {ALTER_ERR_UPSTREAM, "upstream_error", "ALTER_ERR_UPSTREAM", "BackendError"},
    {ALTER_ERR_TIMEOUT, NULL, "ALTER_ERR_TIMEOUT", "TimeoutError"},
    {ALTER_ERR_INTERNAL, "internal_error", "ALTER_ERR_INTERNAL", "BackendError"},
    {ALTER_ERR_HTTP, NULL, "ALTER_ERR_HTTP", "BackendError"},
    {ALTER_ERR_CONNECTION, NULL, "ALTER_ERR_CONNECTION", "BackendError"},
    {ALTER_ERR_DECODE, NULL, "ALTER_ERR_DECODE", "BackendError"},
    {ALTER_ERR_INVALID_ARGUMENT, NULL, "ALTER_ERR_INVALID_ARGUMENT", "AlterValueError"},
    {ALTER_ERR_NOMEM, NULL, "ALTER_ERR_NOMEM", "MemoryError"},
};
/* clang-format on */
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

const char *alter_status_name(alter_status status) {
    for (size_t i = 0; i < N_STATUSES; i++)
        if (statuses[i].status == status) return statuses[i].name;
    return "ALTER_ERR_UNKNOWN";
}

const char *alter_error_class(alter_status status) {
    for (size_t i = 0; i < N_STATUSES; i++)
        if (statuses[i].status == status) return statuses[i].sdk_class;
    return "BackendError";
}

void alter_error_clear(alter_error *err) {
    if (!err) return;
    FIELD_ERRORS_RELEASE(alter_field_error, err->field_errors, err->field_error_count);
    free(err->details_json);
    *err = (alter_error)ALTER_ERROR_INIT;
}

alter_status alter_client_error(alter_error *err, alter_status status, const char *fmt, ...) {
    if (!err) return status;
    alter_error_clear(err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

alter_status alter_error_from_alsorn(alter_error *err, const alsorn_error *from) {
    alter_status status;
    switch (from->status) {
    case ALSORN_ERR_CONNECTION:
        status = ALTER_ERR_CONNECTION;
        break;
    case ALSORN_ERR_DECODE:
        status = ALTER_ERR_DECODE;
        break;
    case ALSORN_ERR_NOMEM:
        status = ALTER_ERR_NOMEM;
        break;
    default:
        status = ALTER_ERR_INVALID_ARGUMENT;
        break;
    }
    alter_client_error(err, status, "%s", from->message);
    if (err) {
        err->http_status = from->http_status;
        snprintf(err->request_id, sizeof err->request_id, "%s", from->request_id);
    }
    return status;
}

/* When the body names no §2 code: the class the HTTP status implies. */
static alter_status status_for_http(long http_status) {
    switch (http_status) {
    case 401:
        return ALTER_ERR_INVALID_KEY;
    case 422:
        return ALTER_ERR_VALIDATION;
    case 429:
        return ALTER_ERR_RATE_LIMITED;
    default:
        return http_status >= 500 ? ALTER_ERR_INTERNAL : ALTER_ERR_HTTP;
    }
}

static alter_status status_for_code(const char *code, long http_status) {
    for (size_t i = 0; code && i < N_STATUSES; i++)
        if (statuses[i].code && strcmp(statuses[i].code, code) == 0) return statuses[i].status;
    return status_for_http(http_status);
}

alter_status alter_http_error(alter_error *err, long http_status, const char *body, size_t body_len,
                              const char *header_request_id, long retry_after) {
    cJSON *doc =
        body && body_len ? json_parse_guarded(body, body_len, JSON_REPLY_MAX_DEPTH, NULL) : NULL;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "error");
    alter_status status =
        status_for_code(cJSON_IsString(code) ? code->valuestring : NULL, http_status);
    if (!err) {
        cJSON_Delete(doc);
        return status;
    }
    alter_error_clear(err);
    err->status = status;
    err->http_status = http_status;
    err->retry_after = retry_after > 0 ? retry_after : 0;
    snprintf(err->request_id, sizeof err->request_id, "%s",
             header_request_id ? header_request_id : "");
    if (cJSON_IsString(code)) {
        /* {"error": code, "message", "details", "request_id"} */
        snprintf(err->code, sizeof err->code, "%s", code->valuestring);
        copy_string_member(doc, "message", err->message, sizeof err->message);
        copy_string_member(doc, "request_id", err->request_id, sizeof err->request_id);
        const cJSON *details = cJSON_GetObjectItemCaseSensitive(doc, "details");
        bool ok =
            !cJSON_IsObject(details) ||
            ((err->details_json = cJSON_PrintUnformatted(details)) &&
             FIELD_ERRORS_COPY(cJSON_GetObjectItemCaseSensitive(details, "fields"),
                               alter_field_error, &err->field_errors, &err->field_error_count));
        if (!ok) {
            cJSON_Delete(doc);
            alter_client_error(err, ALTER_ERR_NOMEM, "out of memory reading HTTP %ld error",
                               http_status);
            err->http_status = http_status;
            return ALTER_ERR_NOMEM;
        }
    } else {
        message_from_foreign_body(err->message, sizeof err->message, http_status, body, body_len);
    }
    if (!err->message[0]) snprintf(err->message, sizeof err->message, "HTTP %ld", http_status);
    cJSON_Delete(doc);
    return status;
}
