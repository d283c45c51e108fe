/* Whether a request's length is told one way only (RFC 9112 §6.3).  CivetWeb reads the first
 * Content-Length as far as its digits go and lets Transfer-Encoding win over it, so a request
 * whose framing headers disagree is served as one reading of it while the bytes left over are
 * taken as the next request: what a proxy in front of the mock may read another way.  Such a
 * request is refused before its body is read. */
#ifndef HTTP_FRAMING_H
#define HTTP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

#include <civetweb.h>

/* true when the headers give the body's length one way: every Content-Length element (headers
 * and comma lists) is digits and all are the same number, or Transfer-Encoding is `chunked`
 * alone.  Otherwise false, with why in a sentence.  Transfer-Encoding beside Content-Length
 * is read as chunked (the coding wins, RFC 9112 §6.3; proxies such as Prism send both), and
 * sets *must_close: the connection must end after the answer (§6.1). */
bool http_framing_ok(const struct mg_header *headers, int n, bool *must_close, char *why,
                     size_t why_size);

#endif
