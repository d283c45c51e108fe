/* A fake upstream provider for the vault tests (alter.md §7), served by CivetWeb inside the
 * test process on a free loopback port (the allow-list's default), so the credential the vault
 * injects can be seen arriving.
 *
 *   ANY /echo...     401 {"error": "bad_credential"} unless Authorization is the expected
 *                    value; else 200 {method, path, query, authorization, headers {lowercase
 *                    name: value}, body_b64} with X-Provider: fake
 *   ANY /hang        answers only after 5 s (longer than any test's timeout)
 *   GET /bytes/N     200 with N bytes of 'a'
 *   ANY /status/N    status N with {"status": N}
 * Criterion runs each test in its own process: each test starts its own provider. */
#ifndef CONFORMANCE_FAKE_PROVIDER_H
#define CONFORMANCE_FAKE_PROVIDER_H

#include <stdbool.h>

struct mg_context;

struct fake_provider {
    struct mg_context *ctx;
    char url[64];                     /* "http://127.0.0.1:PORT" */
    char expected_authorization[256]; /* what /echo accepts; "" accepts anything */
    int hits;                         /* requests served (atomically updated) */
    bool stopping;
};

/* Starts one, or fails the test. */
void fake_provider_start(struct fake_provider *p, const char *expected_authorization);
void fake_provider_stop(struct fake_provider *p);
int fake_provider_hits(struct fake_provider *p);

#endif
