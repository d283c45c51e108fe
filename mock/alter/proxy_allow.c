#include "alter/proxy_allow.h"
#include "core/text_copy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ENTRIES_MAX  64
#define NAME_MAX_LEN 253

static struct {
    char spec[1024];
    struct cidr blocks[ENTRIES_MAX];
    size_t n_blocks;
    char names[ENTRIES_MAX][NAME_MAX_LEN + 1];
    size_t n_names;
    bool localhost; /* "localhost" may be called, but only reach the blocks */
    bool loaded;
} allow;

static bool name_valid(const char *s) {
    size_t n = strlen(s);
    if (!n || n > NAME_MAX_LEN) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.'))
            return false;
    return true;
}

int proxy_allow_set(const char *spec, char *err, size_t err_size) {
    if (strlen(spec) >= sizeof allow.spec) {
        snprintf(err, err_size, "the list is longer than %zu characters", sizeof allow.spec - 1);
        return -1;
    }
    char copy[sizeof allow.spec];
    text_copy(copy, sizeof copy, spec);
    memset(&allow, 0, sizeof allow);
    char *save = NULL;
    for (char *entry = strtok_r(copy, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
        while (*entry == ' ')
            entry++;
        char *end = entry + strlen(entry);
        while (end > entry && end[-1] == ' ')
            *--end = '\0';
        if (allow.n_blocks + 2 > ENTRIES_MAX || allow.n_names == ENTRIES_MAX) {
            snprintf(err, err_size, "more than %d entries", ENTRIES_MAX);
            return -1;
        }
        if (strcmp(entry, "loopback") == 0) {
            cidr_parse("127.0.0.0/8", &allow.blocks[allow.n_blocks++]);
            cidr_parse("::1", &allow.blocks[allow.n_blocks++]);
            allow.localhost = true;
        } else if (cidr_parse(entry, &allow.blocks[allow.n_blocks])) {
            allow.n_blocks++;
        } else if (name_valid(entry)) {
            snprintf(allow.names[allow.n_names++], NAME_MAX_LEN + 1, "%s", entry);
        } else {
            snprintf(err, err_size, "'%s' is not loopback, an address block or a host name", entry);
            return -1;
        }
    }
    text_copy(allow.spec, sizeof allow.spec, spec);
    allow.loaded = true;
    return 0;
}

static void load_default(void) {
    if (allow.loaded) return;
    char err[128];
    proxy_allow_set(PROXY_ALLOW_DEFAULT, err, sizeof err);
}

const char *proxy_allow_spec(void) {
    load_default();
    return allow.spec;
}

static bool listed_by_name(const char *host) {
    for (size_t i = 0; i < allow.n_names; i++)
        if (strcasecmp(allow.names[i], host) == 0) return true;
    return false;
}

static bool in_blocks(const struct ip_addr *addr) {
    for (size_t i = 0; i < allow.n_blocks; i++)
        if (cidr_contains(&allow.blocks[i], addr)) return true;
    return false;
}

bool proxy_allow_host(const char *host) {
    load_default();
    struct ip_addr addr;
    if (ip_parse(host, &addr)) return in_blocks(&addr);
    return listed_by_name(host) || (allow.localhost && strcasecmp(host, "localhost") == 0);
}

bool proxy_allow_connect(const char *host, const struct ip_addr *addr) {
    load_default();
    return listed_by_name(host) || in_blocks(addr);
}
