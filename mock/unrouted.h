/* Requests CivetWeb stops before the dispatcher sees them: `OPTIONS *`, a request line in
 * absolute form for another server, and what CivetWeb refuses itself (a malformed request
 * line or header).  Each gets an answer in the API's error envelope instead of a closed
 * connection or CivetWeb's plain text. */
#ifndef UNROUTED_H
#define UNROUTED_H

struct mg_connection;

/* CivetWeb's connection_close callback: answers a request CivetWeb dropped unanswered. */
void unrouted_connection_close(const struct mg_connection *conn);
/* CivetWeb's http_error callback: renders CivetWeb's own errors in the envelope.  Returns 0
 * (handled). */
int unrouted_http_error(struct mg_connection *conn, int status, const char *message);

#endif
