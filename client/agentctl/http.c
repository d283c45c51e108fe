/* One request with libcurl: the base URL and the key of the api it goes to, the body, and an
 * optional progress bar for long transfers (state export/import, generate, tx export). */
#include "agentctl.h"

#include "agentclient.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct buffer {
    char *data;
    size_t len, cap;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct buffer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) return 0; /* libcurl stops with CURLE_WRITE_ERROR */
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = 0;
    return n;
}

/* A bar of the bytes moved so far (upload, then download), redrawn in place on stderr. While
 * the size is unknown (a streamed export, a generate the server is still working on) a marker
 * moves with the time instead, so a long wait still shows life. userdata: the start time. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    const struct timespec *start = userdata;
    struct timespec now_ts;
    clock_gettime(CLOCK_MONOTONIC, &now_ts);
    long long ms =
        (now_ts.tv_sec - start->tv_sec) * 1000LL + (now_ts.tv_nsec - start->tv_nsec) / 1000000;
    bool uploading = ultotal > 0 && ulnow < ultotal;
    curl_off_t total = uploading ? ultotal : dltotal;
    curl_off_t now = uploading ? ulnow : dlnow;
    char bar[31];
    int at = total > 0 ? (int)(30 * now / total) : (int)((ms / 100) % 30);
    for (int i = 0; i < 30; i++)
        bar[i] = total > 0 ? (i < at ? '#' : '.') : (i == at ? '#' : '.');
    bar[30] = 0;
    if (total > 0)
        fprintf(stderr, "\r[%s] %3d%% %lld KiB %s", bar, (int)(100 * now / total),
                (long long)now / 1024, uploading ? "sent" : "received");
    else
        fprintf(stderr, "\r[%s] %lld KiB received, %lld.%lld s", bar, (long long)now / 1024,
                ms / 1000, (ms / 100) % 10);
    return 0;
}

static void perform(const char *method, const char *url, struct curl_slist *headers,
                    const char *body, bool progress, struct reply *out) {
    memset(out, 0, sizeof *out);
    CURL *curl = curl_easy_init();
    struct buffer b = {0};
    if (!curl) {
        snprintf(out->error, sizeof out->error, "libcurl could not start");
        return;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "agentctl/" AGENTCLIENT_VERSION);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(settings.timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    bool bar = progress && isatty(STDOUT_FILENO);
    struct timespec started;
    if (bar) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        clock_gettime(CLOCK_MONOTONIC, &started);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &started);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (bar) fputs("\r\033[K", stderr);
    if (rc != CURLE_OK) {
        /* a long URL is cut so that the reason always fits */
        snprintf(out->error, sizeof out->error, "%.200s: %s", url, curl_easy_strerror(rc));
        free(b.data);
    } else {
        char *ct = NULL;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        out->content_type = ct ? strdup(ct) : NULL;
        out->body = b.data ? b.data : calloc(1, 1);
        out->len = b.len;
    }
    curl_easy_cleanup(curl);
}

void http_call(enum api api, const char *method, const char *path, const char *body, bool progress,
               struct reply *out) {
    const char *base = api == API_ALSORN  ? settings.alsorn_url
                       : api == API_ALTER ? settings.alter_url
                                          : settings.mock_url;
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    char url[4096];
    snprintf(url, sizeof url, "%.*s%s", (int)blen, base, path);

    char auth[512];
    struct curl_slist *h = NULL;
    if (api == API_ALSORN && settings.alsorn_key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", settings.alsorn_key);
        h = curl_slist_append(h, auth);
    } else if (api == API_ALTER && settings.alter_key) {
        snprintf(auth, sizeof auth, "x-api-key: %s", settings.alter_key);
        h = curl_slist_append(h, auth);
    } else if (api == API_MOCK && settings.admin_token) {
        snprintf(auth, sizeof auth, "X-Mock-Admin-Token: %s", settings.admin_token);
        h = curl_slist_append(h, auth);
    }
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    /* Every Alsorn POST carries a key of its own, as the client's do: running the same command
     * twice is two requests, and the sandbox's report must not take it for a retry without one. */
    char idem[64];
    unsigned char raw[16];
    if (api == API_ALSORN && strcmp(method, "POST") == 0 && RAND_bytes(raw, sizeof raw) == 1) {
        int n = snprintf(idem, sizeof idem, "Idempotency-Key: agentctl-");
        for (size_t i = 0; i < sizeof raw; i++)
            n += snprintf(idem + n, sizeof idem - (size_t)n, "%02x", raw[i]);
        h = curl_slist_append(h, idem);
    }
    perform(method, url, h, body, progress, out);
    curl_slist_free_all(h);
}

void reply_free(struct reply *r) {
    free(r->body);
    free(r->content_type);
    r->body = r->content_type = NULL;
}

const char *path_escape(const char *in, char *out, size_t size) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~:@", *p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = 0;
    return out;
}
