/* One raw HTTP header line as libcurl hands it to a header callback ("Name: value\r\n", not
 * NUL-terminated), split into name and value.  The mock's proxy and the client's retrieve
 * mode both read provider answers this way (agentclient compiles this file too). */
#ifndef HEADER_LINE_H
#define HEADER_LINE_H

#include <stdbool.h>
#include <stddef.h>

/* true when the line starts an answer ("HTTP/1.1 200 OK"): headers read so far belong to an
 * interim (1xx) answer. */
bool header_line_is_status(const char *data, size_t n);
/* Name and value (blanks and the line end trimmed) as NUL-terminated strings; false for a
 * line that is not "Name: value" with a name that is an HTTP token, or does not fit. */
bool header_line_split(const char *data, size_t n, char *name, size_t name_size, char *value,
                       size_t value_size);

/* Authorization, Cookie, x-api-key or x-amz-security-token, in any case: headers that carry a
 * credential, which a caller of the vault must not send (the vault injects the grant's). */
bool header_is_credential(const char *name);
#define CREDENTIAL_HEADERS "Authorization, Cookie, x-api-key and x-amz-security-token"

#endif
