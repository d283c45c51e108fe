/* CORS, so a browser page on another origin (a dashboard on another port, a playground) can
 * call the mock with its auth headers.  A local sandbox allows any origin by default, as Prism
 * does; --cors-origin ORIGIN allows that one origin only; --no-cors sends nothing (browsers
 * then refuse cross-origin calls, as they would for a server that knows nothing of CORS).
 *
 * Two hooks: the dispatcher answers a preflight before routing (a browser sends no key with
 * it, so it must not reach authentication), and the reply path adds the response headers to
 * every answer, errors and streamed bodies included. */
#ifndef CORS_H
#define CORS_H

#include <stdbool.h>
#include <stddef.h>

struct req;

/* origin "*" allows any origin (the default), another value allows that origin only
 * (scheme://host[:port]), NULL turns CORS off.  Call before serving.  Returns 0,
 * or -1 with why (the setting is then unchanged). */
int cors_configure(const char *origin, char *why, size_t why_size);

/* When r is a preflight (OPTIONS with Origin and Access-Control-Request-Method) and CORS is
 * on, renders 204 with the Access-Control-Allow-* headers and returns true. */
bool cors_preflight(struct req *r);

/* The "Name: value\r\n" lines every response carries ("" when CORS is off). */
const char *cors_response_headers(void);

#endif
