#include "alter/proxy_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alter/proxy_allow.h"
#include "core/base64.h"
#include "core/header_line.h"
#include "core/text_copy.h"

#define HEADER_NAME_MAX 128

long proxy_timeout_ms = 10000;

/* Framing the proxy sets itself from the body and the URL. */
static const char *const framing_headers[] = {"Host",       "Content-Length", "Transfer-Encoding",
                                              "Connection", "Expect",         NULL};

static bool listed(const char *const *names, const char *name) {
    for (int i = 0; names[i]; i++)
        if (strcasecmp(names[i], name) == 0) return true;
    return false;
}

/* RFC 9110 token characters. */
static bool header_name_valid(const char *s) {
    size_t n = strlen(s);
    if (!n || n > HEADER_NAME_MAX) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", *p)) return false;
    return true;
}

/* No control characters (a CR or LF would start a header of its own). */
static bool header_value_valid(const char *s) {
    if (strlen(s) > PROXY_HEADER_VALUE_MAX) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) return false;
    return true;
}

static void check_headers(const cJSON *headers, struct field_errors *fe) {
    if (!cJSON_IsObject(headers) || cJSON_GetArraySize(headers) > PROXY_HEADERS_MAX) {
        field_error_add(fe, "headers", "must be an object of at most %d string values",
                        PROXY_HEADERS_MAX);
        return;
    }
    for (const cJSON *it = headers->child; it; it = it->next) {
        char field[HEADER_NAME_MAX + 16];
        snprintf(field, sizeof field, "headers.%.*s", HEADER_NAME_MAX, it->string);
        if (!header_name_valid(it->string))
            field_error_add(fe, field, "is not a valid header name");
        else if (header_is_credential(it->string))
            field_error_add(
                fe, field,
                "must not be sent: the vault injects the grant's credential, so " CREDENTIAL_HEADERS
                " are refused");
        else if (listed(framing_headers, it->string))
            field_error_add(fe, field, "is set by the proxy");
        else if (!cJSON_IsString(it) || !header_value_valid(it->valuestring))
            field_error_add(fe, field,
                            "must be a string of at most %d characters without "
                            "control characters",
                            PROXY_HEADER_VALUE_MAX);
    }
    for (const cJSON *it = headers->child; it; it = it->next)
        for (const cJSON *later = it->next; later; later = later->next)
            if (strcasecmp(it->string, later->string) == 0) {
                char field[HEADER_NAME_MAX + 16];
                snprintf(field, sizeof field, "headers.%.*s", HEADER_NAME_MAX, later->string);
                field_error_add(fe, field, "is given twice (names ignore case)");
            }
}

int proxy_call_parse(const cJSON *body, const struct vault_target *target, struct proxy_call *out,
                     struct field_errors *fe) {
    memset(out, 0, sizeof *out);
    if (target->url && !proxy_allow_host(target->host))
        field_error_add(fe, "url",
                        "is not on the sandbox's proxy allow-list (%s): host %s is not called",
                        proxy_allow_spec(), target->host);
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(body, "headers");
    if (headers && !cJSON_IsNull(headers)) check_headers(headers, fe);
    const char *body_b64 = NULL;
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (v_string(fe, body, "body_b64", 0, (size_t)-1, true, &body_b64) == V_OK &&
        !base64_decode(body_b64, &raw, &raw_len))
        field_error_add(fe, "body_b64", "must be standard padded base64");
    out->timeout_ms = proxy_timeout_ms;
    const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(body, "timeout_ms");
    if (timeout && !cJSON_IsNull(timeout)) {
        double v = timeout->valuedouble;
        if (!cJSON_IsNumber(timeout) || v != (double)(long)v || v < 1 || v > proxy_timeout_ms)
            field_error_add(fe, "timeout_ms", "must be an integer from 1 to %ld", proxy_timeout_ms);
        else
            out->timeout_ms = (long)v;
    }
    if (field_errors_any(fe)) {
        free(raw);
        return 0;
    }
    text_copy(out->method, sizeof out->method, target->method);
    memcpy(out->host, target->host, sizeof out->host);
    out->body = raw;
    out->body_len = raw_len;
    out->url = strdup(target->url);
    out->headers = cJSON_IsObject(headers) ? cJSON_Duplicate(headers, true) : cJSON_CreateObject();
    if (!out->url || !out->headers) {
        proxy_call_free(out);
        return -1;
    }
    return 0;
}

void proxy_call_free(struct proxy_call *call) {
    free(call->url);
    cJSON_Delete(call->headers);
    free(call->body);
    memset(call, 0, sizeof *call);
}
