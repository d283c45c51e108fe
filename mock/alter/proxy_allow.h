/* Which upstream hosts the vault's proxy may call (alter.md §7: "only URLs on the sandbox's
 * allow-list (loopback by default) are called").  Set once at start-up from --proxy-allow,
 * read-only afterwards.
 *
 * The list is comma-separated entries:
 *   loopback           127.0.0.0/8, ::1 and the name "localhost" (the default)
 *   10.0.0.0/8, ::1    an address block or one address
 *   api.example.test   one host name, matched without case
 * Checked twice: the URL's host before anything is sent (a refused one is a 422 on url), and
 * the address the connection actually goes to, so a name that is allowed only as loopback
 * ("localhost") cannot resolve somewhere else.  Only a host name listed by name may connect
 * to any address it resolves to. */
#ifndef PROXY_ALLOW_H
#define PROXY_ALLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cidr.h"

#define PROXY_ALLOW_DEFAULT "loopback"

/* Replaces the allow-list.  Returns 0, or -1 with the bad entry described in err. */
int proxy_allow_set(const char *spec, char *err, size_t err_size);
/* The allow-list as given ("loopback" by default). */
const char *proxy_allow_spec(void);
/* Whether a URL's host (an address without brackets, or a name) may be called. */
bool proxy_allow_host(const char *host);
/* Whether a connection for host may go to addr. */
bool proxy_allow_connect(const char *host, const struct ip_addr *addr);

#endif
