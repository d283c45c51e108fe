#include "delivery/allowlist.h"
#include "core/text_copy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define HOST_MAX 256

enum pattern_kind { PATTERN_NAME, PATTERN_SUFFIX, PATTERN_CIDR4, PATTERN_CIDR6 };

struct pattern {
    enum pattern_kind kind;
    char name[HOST_MAX];  /* NAME: the host; SUFFIX: ".domain" */
    unsigned char addr[16]; /* CIDR: network bytes (4 or 16) */
    int prefix;           /* CIDR: bits */
};

/* Written once at start-up, before any thread reads it. */
static struct pattern *patterns;
static size_t n_patterns;
static bool configured;

static bool valid_host_name(const char *s) {
    if (!*s || strlen(s) >= HOST_MAX) return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') return false;
    return true;
}

/* Parses an address, optionally "[v6]"; fills addr and the family's full prefix. */
static bool parse_address(const char *text, unsigned char addr[16], enum pattern_kind *kind,
                          int *bits) {
    char buf[HOST_MAX];
    size_t len = strlen(text);
    if (len >= sizeof buf) return false;
    if (text[0] == '[' && len > 2 && text[len - 1] == ']') {
        memcpy(buf, text + 1, len - 2);
        buf[len - 2] = '\0';
    } else {
        memcpy(buf, text, len + 1);
    }
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *kind = PATTERN_CIDR4;
        *bits = 32;
        return true;
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        *kind = PATTERN_CIDR6;
        *bits = 128;
        return true;
    }
    return false;
}

static int parse_pattern(const char *token, struct pattern *p, char *why, size_t why_size) {
    memset(p, 0, sizeof *p);
    char text[HOST_MAX];
    text_copy(text, sizeof text, token);
    char *slash = strchr(text, '/');
    if (slash) *slash = '\0';
    int full = 0;
    if (parse_address(text, p->addr, &p->kind, &full)) {
        p->prefix = full;
        if (slash) {
            char *end;
            long bits = strtol(slash + 1, &end, 10);
            if (!slash[1] || *end || bits < 0 || bits > full) {
                snprintf(why, why_size, "bad prefix length in \"%s\" (0 to %d)", token, full);
                return -1;
            }
            p->prefix = (int)bits;
        }
        return 0;
    }
    if (slash) {
        snprintf(why, why_size, "\"%s\" is not an IPv4 or IPv6 CIDR block", token);
        return -1;
    }
    bool wildcard = strncmp(text, "*.", 2) == 0;
    const char *name = wildcard ? text + 1 : text; /* keeps the dot: ".domain" */
    if (!valid_host_name(wildcard ? name + 1 : name)) {
        snprintf(why, why_size, "\"%s\" is not a host name, *.domain, address or CIDR block",
                 token);
        return -1;
    }
    p->kind = wildcard ? PATTERN_SUFFIX : PATTERN_NAME;
    text_copy(p->name, sizeof p->name, name);
    for (char *c = p->name; *c; c++) *c = (char)tolower((unsigned char)*c);
    return 0;
}

int allowlist_configure(const char *spec, char *why, size_t why_size) {
    if (!spec) spec = ALLOWLIST_DEFAULT;
    char *copy = strdup(spec);
    size_t cap = 1;
    for (const char *c = spec; *c; c++) cap += *c == ',';
    struct pattern *list = calloc(cap, sizeof *list);
    if (!copy || !list) {
        free(copy);
        free(list);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok)) tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1])) *--end = '\0';
        if (!*tok) continue;
        if (parse_pattern(tok, &list[n], why, why_size) != 0) {
            free(copy);
            free(list);
            return -1;
        }
        n++;
    }
    free(copy);
    if (n == 0) {
        free(list);
        snprintf(why, why_size, "the list is empty (give at least one host or CIDR block)");
        return -1;
    }
    free(patterns);
    patterns = list;
    n_patterns = n;
    configured = true;
    return 0;
}

void allowlist_free(void) {
    free(patterns);
    patterns = NULL;
    n_patterns = 0;
    configured = false;
}

static bool in_block(const unsigned char *addr, const struct pattern *p) {
    int whole = p->prefix / 8, rest = p->prefix % 8;
    if (memcmp(addr, p->addr, (size_t)whole) != 0) return false;
    if (!rest) return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (addr[whole] & mask) == (p->addr[whole] & mask);
}

static void configure_default(void) {
    char why[128];
    if (!configured) allowlist_configure(NULL, why, sizeof why);
}

static bool host_allowed(const char *host) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_default); /* a process that never called configure */
    unsigned char addr[16];
    enum pattern_kind family;
    int bits;
    bool is_address = parse_address(host, addr, &family, &bits);
    size_t host_len = strlen(host);
    for (size_t i = 0; i < n_patterns; i++) {
        const struct pattern *p = &patterns[i];
        if (is_address) {
            if (p->kind == family && in_block(addr, p)) return true;
            continue;
        }
        if (p->kind == PATTERN_NAME && strcasecmp(host, p->name) == 0) return true;
        size_t suffix_len = strlen(p->name);
        if (p->kind == PATTERN_SUFFIX && host_len > suffix_len &&
            strcasecmp(host + host_len - suffix_len, p->name) == 0)
            return true;
    }
    return false;
}

enum url_check allowlist_check_url(const char *url, char *why, size_t why_size) {
    CURLU *u = curl_url();
    if (!u) {
        snprintf(why, why_size, "cannot check the URL (out of memory)");
        return URL_MALFORMED;
    }
    enum url_check result = URL_MALFORMED;
    char *scheme = NULL, *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        snprintf(why, why_size, "must be an absolute http or https URL with a host");
    } else if (!host_allowed(host)) {
        snprintf(why, why_size,
                 "host %.100s is not allowed: this mock delivers only to hosts on its "
                 "--webhook-allow list (default: loopback)",
                 host);
        result = URL_NOT_ALLOWED;
    } else {
        result = URL_OK;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return result;
}
