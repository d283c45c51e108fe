/* GET /_mock/openapi/{file}: the OpenAPI documents of both APIs and the sandbox, embedded in
 * the binary at build time (mock/openapi/embed.cmake), so no file is needed at run time. */
#ifndef SANDBOX_OPENAPI_H
#define SANDBOX_OPENAPI_H

#include <stddef.h>

#include "core/http.h"

/* The embedded document named `file` ("alsorn.json", "alter.json", "sandbox.json"), NUL-
 * terminated, or NULL.  Static storage: never freed. */
const char *openapi_document(const char *file, size_t *len);

void mock_openapi_get(struct req *r);

#endif
