/* Sandbox data generator: POST /_mock/orgs/{id}/generate (see generate.c). */
#ifndef SANDBOX_GENERATE_H
#define SANDBOX_GENERATE_H

#include "core/http.h"

void mock_org_generate(struct req *r);

#endif
