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

/* true when the headers give the body's length at most one way: every Content-Length element
 * (headers and comma lists) is digits and all are the same number, or Transfer-Encoding is
 * `chunked` alone with no Content-Length.  Otherwise false, with why in a sentence. */
bool http_framing_ok(const struct mg_header *headers, int n, char *why, size_t why_size);

#endif
