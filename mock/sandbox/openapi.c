#include "sandbox/openapi.h"

#include <stdlib.h>
#include <string.h>

/* openapi_docs.c, generated at build time */
extern const unsigned char openapi_alsorn[], openapi_alter[], openapi_sandbox[];
extern const size_t openapi_alsorn_len, openapi_alter_len, openapi_sandbox_len;

static const struct {
    const char *file;
    const unsigned char *text;
    const size_t *len;
} documents[] = {
    {"alsorn.json", openapi_alsorn, &openapi_alsorn_len},
    {"alter.json", openapi_alter, &openapi_alter_len},
    {"sandbox.json", openapi_sandbox, &openapi_sandbox_len},
};

const char *openapi_document(const char *file, size_t *len) {
    for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++) {
        if (strcmp(file, documents[i].file) != 0) continue;
        *len = *documents[i].len;
        return (const char *)documents[i].text;
    }
    return NULL;
}

void mock_openapi_get(struct req *r) {
    size_t len = 0;
    const char *text = openapi_document(r->params[0], &len);
    if (!text)
        return reply_error(r, 404, "not_found",
                           "No document %s; there are alsorn.json, alter.json and sandbox.json",
                           r->params[0]);
    char *body = malloc(len);
    if (!body) return reply_error(r, 500, "internal_error", "Out of memory");
    memcpy(body, text, len);
    reply_raw(r, 200, "application/json", body, len);
}
