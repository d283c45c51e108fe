/* IP addresses and CIDR blocks (IPv4 and IPv6): the policy rule ip_allowlist and the proxy's
 * allow-list both match addresses against blocks.  An IPv4-mapped IPv6 address
 * (::ffff:10.0.0.1) matches IPv4 blocks as the IPv4 address it carries. */
#ifndef CIDR_H
#define CIDR_H

#include <stdbool.h>

struct ip_addr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char bytes[16]; /* network order; IPv4 uses the first 4 */
};

struct cidr {
    struct ip_addr base;
    int bits; /* prefix length */
};

/* "127.0.0.1", "::1" (no brackets, no zone).  false when it is not an address. */
bool ip_parse(const char *s, struct ip_addr *out);
/* "10.0.0.0/8", "2001:db8::/32", or one address (a /32 or /128). */
bool cidr_parse(const char *s, struct cidr *out);
bool cidr_contains(const struct cidr *block, const struct ip_addr *addr);

#endif
