/* Where webhooks may be sent (--webhook-allow).  The mock sends real HTTP requests to URLs its
 * users register, so it must never become a way to reach arbitrary hosts.  Registration takes
 * any http(s) URL, as the live service does; the list is checked before every delivery (an
 * event for a URL outside it is not sent: "blocked_by_sandbox") and when a forward target is
 * set (forward.h), which must be on it.
 *
 * The list is a comma-separated set of patterns:
 *   127.0.0.0/8, 10.1.0.0/16, ::1/128   CIDR blocks (IPv4 or IPv6)
 *   192.168.1.7, ::1, [::1]            one address
 *   localhost, hooks.test              one host name (case-insensitive, exact)
 *   *.hooks.test                       any name under that domain (not the domain itself)
 * An IP-literal host must fall in a CIDR or address pattern; a host name must match a name
 * pattern (names are trusted as the user listed them; numeric forms such as 2130706433 are
 * not names and match nothing).  Default: loopback only (127.0.0.0/8, ::1, localhost). */
#ifndef ALLOWLIST_H
#define ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#define ALLOWLIST_DEFAULT "127.0.0.0/8,::1,localhost"

/* Replaces the process's list (NULL: the default).  Call before serving.  Returns 0, or -1
 * with the reason in why (the list is then unchanged). */
int allowlist_configure(const char *spec, char *why, size_t why_size);
void allowlist_free(void);

enum url_check { URL_OK, URL_MALFORMED, URL_NOT_ALLOWED };
/* Checks that url is an absolute http(s) URL with a host, and that the host is allowed.
 * why receives a sentence for the user on failure. */
enum url_check allowlist_check_url(const char *url, char *why, size_t why_size);

#endif
