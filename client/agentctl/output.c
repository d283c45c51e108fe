/* What agentctl prints: errors by kind (and their exit codes), tables, key/value lists, JSON;
 * and the helpers that turn options into a request body or a query string. */
#include "agentctl.h"

#include "alsorn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int exit_for_status(long status) {
    if (status == 401 || status == 403) return EXIT_AUTH;
    if (status == 404) return EXIT_NOT_FOUND;
    if (status == 429) return EXIT_RATE;
    return EXIT_API;
}

int exit_for_client_status(int status) {
    switch ((alsorn_status)status) {
    case ALSORN_OK:
        return EXIT_OK;
    case ALSORN_ERR_NOT_FOUND:
        return EXIT_NOT_FOUND;
    case ALSORN_ERR_RATE_LIMITED:
        return EXIT_RATE;
    case ALSORN_ERR_AUTH:
    case ALSORN_ERR_FORBIDDEN:
        return EXIT_AUTH;
    case ALSORN_ERR_CONNECTION:
        return EXIT_NETWORK;
    case ALSORN_ERR_DECODE:
        return EXIT_RESPONSE;
    case ALSORN_ERR_INVALID_ARGUMENT:
        return EXIT_USAGE;
    default:
        return EXIT_API;
    }
}

/* Both envelopes: Alsorn {"error": {"code", "message"}}, Alter and the sandbox
 * {"error": "code", "message"}. */
static void print_api_error(const struct reply *r, const cJSON *body) {
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
    const char *code = NULL, *message = NULL;
    if (cJSON_IsObject(err)) {
        code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "code"));
        message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message"));
        const cJSON *fields = cJSON_GetObjectItemCaseSensitive(err, "field_errors");
        fprintf(stderr, "agentctl: %ld %s: %s\n", r->status, code ? code : "error",
                message ? message : "");
        const cJSON *f;
        cJSON_ArrayForEach(f, fields) {
            fprintf(stderr, "  %s: %s\n",
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "field")),
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "message")));
        }
        return;
    }
    code = cJSON_GetStringValue(err);
    message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "message"));
    if (code || message) {
        fprintf(stderr, "agentctl: %ld %s: %s\n", r->status, code ? code : "error",
                message ? message : "");
    } else {
        fprintf(stderr, "agentctl: HTTP %ld: %.200s\n", r->status, r->body ? r->body : "");
    }
}

int reply_check(struct reply *r, cJSON **json) {
    *json = NULL;
    if (r->status == 0) {
        fprintf(stderr, "agentctl: no answer from %s\n", r->error);
        return EXIT_NETWORK;
    }
    cJSON *body = r->len ? cJSON_ParseWithLength(r->body, r->len) : NULL;
    if (r->status >= 400) {
        print_api_error(r, body);
        if (settings.json && r->len) {
            fwrite(r->body, 1, r->len, stdout);
            if (r->body[r->len - 1] != '\n') putchar('\n');
        }
        cJSON_Delete(body);
        return exit_for_status(r->status);
    }
    if (r->len && !body) {
        fprintf(stderr, "agentctl: HTTP %ld with a body that is not JSON: %.200s\n", r->status,
                r->body);
        return EXIT_RESPONSE;
    }
    *json = body;
    return EXIT_OK;
}

void print_json(const cJSON *json) {
    char *text = cJSON_Print(json);
    if (text) puts(text);
    free(text);
}

const char *json_path_text(const cJSON *obj, const char *path, char *buf, size_t size) {
    char part[64];
    const cJSON *v = obj;
    for (const char *p = path; v && *p;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        snprintf(part, sizeof part, "%.*s", (int)len, p);
        v = cJSON_GetObjectItemCaseSensitive(v, part);
        p = dot ? dot + 1 : p + len;
    }
    buf[0] = 0;
    if (!v || cJSON_IsNull(v)) return buf;
    if (cJSON_IsString(v)) {
        snprintf(buf, size, "%s", v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        if (v->valuedouble == (double)(long long)v->valuedouble)
            snprintf(buf, size, "%lld", (long long)v->valuedouble);
        else
            snprintf(buf, size, "%.2f", v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else {
        char *text = cJSON_PrintUnformatted(v);
        snprintf(buf, size, "%s", text ? text : "");
        free(text);
    }
    return buf;
}

void print_table(const cJSON *array, const struct column *columns) {
    size_t ncol = 0;
    while (columns[ncol].heading)
        ncol++;
    size_t width[16] = {0};
    char cell[256];
    for (size_t c = 0; c < ncol && c < 16; c++)
        width[c] = strlen(columns[c].heading);
    const cJSON *row;
    cJSON_ArrayForEach(row, array) {
        for (size_t c = 0; c < ncol && c < 16; c++) {
            size_t len = strlen(json_path_text(row, columns[c].path, cell, sizeof cell));
            if (len > width[c]) width[c] = len;
        }
    }
    for (size_t c = 0; c < ncol && c < 16; c++)
        printf("%-*s%s", c + 1 < ncol ? (int)width[c] : 0, columns[c].heading,
               c + 1 < ncol ? "  " : "\n");
    cJSON_ArrayForEach(row, array) {
        for (size_t c = 0; c < ncol && c < 16; c++)
            printf("%-*s%s", c + 1 < ncol ? (int)width[c] : 0,
                   json_path_text(row, columns[c].path, cell, sizeof cell),
                   c + 1 < ncol ? "  " : "\n");
    }
}

void print_object(const cJSON *obj) {
    size_t width = 0;
    const cJSON *f;
    if (!cJSON_IsObject(obj)) {
        print_json(obj);
        return;
    }
    cJSON_ArrayForEach(f, obj) {
        if (strlen(f->string) > width) width = strlen(f->string);
    }
    char cell[1024];
    cJSON_ArrayForEach(f, obj) {
        printf("%-*s  %s\n", (int)width, f->string,
               json_path_text(obj, f->string, cell, sizeof cell));
    }
}

int call_and_print(enum api api, const char *method, const char *path, const char *body,
                   const char *array_field, const struct column *columns) {
    struct reply r;
    cJSON *json;
    http_call(api, method, path, body, false, &r);
    int rc = reply_check(&r, &json);
    if (rc == EXIT_OK) {
        if (settings.json) {
            if (json)
                print_json(json);
            else
                puts("{}"); /* 204: still something a JSON reader can parse */
        } else if (!json) {
            printf("done (HTTP %ld)\n", r.status);
        } else if (columns) {
            const cJSON *list =
                array_field ? cJSON_GetObjectItemCaseSensitive(json, array_field) : json;
            print_table(list, columns);
        } else {
            print_object(json);
        }
    }
    cJSON_Delete(json);
    reply_free(&r);
    return rc;
}

/* ---- options into requests ---------------------------------------------------------------- */

static void option_to_field(const char *option, char *field, size_t size) {
    snprintf(field, size, "%s", option);
    for (char *p = field; *p; p++)
        if (*p == '-') *p = '_';
}

int body_start(const struct command *cmd, const struct invocation *inv, cJSON **out) {
    const char *data = opt(inv, "data");
    *out = data ? cJSON_Parse(data) : cJSON_CreateObject();
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return usage_error(cmd, "--data must be a JSON object");
    }
    return EXIT_OK;
}

int body_text(const struct command *cmd, const struct invocation *inv, const char *strings,
              const char *numbers, char **text) {
    cJSON *body;
    int rc = body_start(cmd, inv, &body);
    if (rc == EXIT_OK) rc = body_from_options(cmd, inv, body, strings, numbers);
    *text = rc == EXIT_OK ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    return rc;
}

int body_from_options(const struct command *cmd, const struct invocation *inv, cJSON *obj,
                      const char *strings, const char *numbers) {
    char list[256], field[64];
    for (int pass = 0; pass < 2; pass++) {
        snprintf(list, sizeof list, "%s", pass == 0 ? strings : numbers);
        for (char *save = NULL, *o = strtok_r(list, ",", &save); o;
             o = strtok_r(NULL, ",", &save)) {
            const char *v = opt(inv, o);
            if (!v) continue;
            option_to_field(o, field, sizeof field);
            cJSON_DeleteItemFromObjectCaseSensitive(obj, field);
            if (pass == 0) {
                cJSON_AddStringToObject(obj, field, v);
                continue;
            }
            char *end;
            double d = strtod(v, &end);
            if (end == v || *end) return usage_error(cmd, "--%s wants a number, not '%s'", o, v);
            cJSON_AddNumberToObject(obj, field, d);
        }
    }
    return EXIT_OK;
}

void query_from_options(const struct invocation *inv, const char *names, char *path, size_t size) {
    char list[256], field[64], value[512];
    bool first = strchr(path, '?') == NULL;
    snprintf(list, sizeof list, "%s", names);
    for (char *save = NULL, *o = strtok_r(list, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        const char *v = opt(inv, o);
        if (!v) continue;
        option_to_field(o, field, sizeof field);
        size_t used = strlen(path);
        snprintf(path + used, size - used, "%c%s=%s", first ? '?' : '&', field,
                 path_escape(v, value, sizeof value));
        first = false;
    }
}
