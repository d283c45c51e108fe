/* Whether the client of a request has already closed its end of the connection: it gave up
 * waiting (a client timeout shorter than the answer took) and will never read the reply. */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>

struct mg_connection;

/* CivetWeb does not hand out a connection's socket, so the socket is found by its addresses
 * (a scan of the process's descriptors): call it for slow requests only, where a client
 * timeout is plausible. */
bool peer_gone(const struct mg_connection *conn);

#endif
