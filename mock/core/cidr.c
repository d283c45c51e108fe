#include "cidr.h"
#include "core/text_copy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ip_parse(const char *s, struct ip_addr *out) {
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->bytes) != 1) return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(out->bytes, mapped, sizeof mapped) == 0) { /* ::ffff:a.b.c.d is a.b.c.d */
        memmove(out->bytes, out->bytes + 12, 4);
        memset(out->bytes + 4, 0, 12);
        out->family = AF_INET;
        return true;
    }
    out->family = AF_INET6;
    return true;
}

bool cidr_parse(const char *s, struct cidr *out) {
    char addr[INET6_ADDRSTRLEN + 8];
    if (strlen(s) >= sizeof addr) return false;
    text_copy(addr, sizeof addr, s);
    char *slash = strchr(addr, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        if (slash[1] < '0' || slash[1] > '9') return false;
        bits = strtol(slash + 1, &end, 10);
        if (*end) return false;
    }
    if (!ip_parse(addr, &out->base)) return false;
    long max = out->base.family == AF_INET ? 32 : 128;
    if (bits > max) return false;
    out->bits = bits < 0 ? (int)max : (int)bits;
    return true;
}

bool cidr_contains(const struct cidr *block, const struct ip_addr *addr) {
    if (block->base.family != addr->family) return false;
    int full = block->bits / 8, rest = block->bits % 8;
    if (memcmp(block->base.bytes, addr->bytes, (size_t)full) != 0) return false;
    if (!rest) return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (block->base.bytes[full] & mask) == (addr->bytes[full] & mask);
}
