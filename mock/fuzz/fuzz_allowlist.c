/* Where the mock may send requests: the webhook allow-list (delivery/allowlist.c) and the
 * vault proxy's (alter/proxy_allow.c).  Input: an allow-list spec, a newline, a URL or host.
 * Any spec and URL are handled; and under the default lists (loopback only) nothing the
 * checks accept may lead anywhere but loopback: the host libcurl itself reads out of an
 * accepted URL is 127.0.0.0/8, ::1 or localhost. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "alter/proxy_allow.h"
#include "core/cidr.h"
#include "delivery/allowlist.h"

static bool is_loopback_host(const char *host) {
    if (strcasecmp(host, "localhost") == 0) return true;
    char bare[256];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        host = bare;
    }
    struct ip_addr a;
    if (!ip_parse(host, &a)) return false;
    static const unsigned char v6_loopback[16] = {[15] = 1};
    if (a.family == AF_INET) return a.bytes[0] == 127;
    return memcmp(a.bytes, v6_loopback, 16) == 0 ||
           (memcmp(a.bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && a.bytes[12] == 127);
}

static void check_default(const char *url) {
    char why[512];
    char err[256];
    allowlist_configure(NULL, why, sizeof why);
    proxy_allow_set(PROXY_ALLOW_DEFAULT, err, sizeof err);
    if (allowlist_check_url(url, why, sizeof why) == URL_OK) {
        CURLU *u = curl_url();
        char *host = NULL;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !is_loopback_host(host)) {
            fprintf(stderr, "webhook URL accepted off loopback: %s (host %s)\n", url,
                    host ? host : "?");
            abort();
        }
        curl_free(host);
        curl_url_cleanup(u);
    }
    if (proxy_allow_host(url) && !is_loopback_host(url)) {
        fprintf(stderr, "proxy host accepted off loopback: %s\n", url);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = strndup((const char *)data, size);
    char *nl = strchr(text, '\n');
    const char *spec = text, *url = "";
    if (nl) {
        *nl = '\0';
        url = nl + 1;
    }
    char why[512];
    allowlist_configure(spec, why, sizeof why);
    allowlist_check_url(url, why, sizeof why);
    if (proxy_allow_set(spec, why, sizeof why) == 0) {
        proxy_allow_host(url);
        struct ip_addr a;
        if (ip_parse(url, &a)) proxy_allow_connect(url, &a);
    }
    struct cidr block;
    cidr_parse(spec, &block);
    check_default(url);
    free(text);
    return 0;
}
