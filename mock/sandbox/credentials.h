/* Credentials as the journal and the report see them: a short fingerprint that tells keys
 * apart without revealing them, and credentials sent in a query string (where proxies and
 * access logs keep them), found and redacted. */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

/* "<type>:<8 hex>": the key's type prefix ("als", "alter_key_app", ...; "secret" when it has
 * none) and the first 8 hex digits of the SHA-256 of the whole value.  32 bits of a hash of a
 * 256-bit key: enough to tell two keys apart in a journal, useless to recover one. */
#define FINGERPRINT_LEN 48
void credential_fingerprint(const char *value, size_t len, char out[FINGERPRINT_LEN]);

/* Where the credential an Authorization / x-api-key / Cookie header value carries starts:
 * after a one-word scheme and its space ("Bearer <token>", "Basic <...>"), else at the value.
 * A header is shown as the text before it (the scheme) and the token's fingerprint:
 * "Bearer als:1a2b3c4d". */
const char *credential_header_token(const char *value);

/* True when the query string has a parameter that carries a credential: a credential name
 * (api_key, token, access_token, key, secret, password, ...) or a value that is a key. */
bool query_has_credentials(const char *query);
/* Copies query into out with every credential parameter's value replaced by its fingerprint
 * ("api_key=als:1a2b3c4d"); true when one was replaced. */
bool query_redact(const char *query, char *out, size_t size);

#endif
