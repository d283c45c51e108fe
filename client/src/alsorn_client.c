/* Client lifetime and settings. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

static pthread_once_t curl_started = PTHREAD_ONCE_INIT;
static CURLcode curl_start_result = CURLE_FAILED_INIT;

/* libcurl's global set-up is not safe to race with other threads' first calls; doing it
 * once here means users need not know.  It is never undone: the process may hold other
 * clients, and the OS reclaims it at exit. */
static void start_curl(void) {
    curl_start_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *base_url_without_trailing_slash(const char *base_url) {
    char *copy = strdup(base_url);
    if (!copy) return NULL;
    size_t len = strlen(copy);
    while (len > 0 && copy[len - 1] == '/')
        copy[--len] = '\0';
    return copy;
}

alsorn_client *alsorn_client_new(const char *api_key, const char *base_url,
                                 double timeout_seconds) {
    if (!api_key) api_key = getenv("ALSORN_API_KEY");
    if (!api_key || !*api_key) return NULL;
    if (!base_url) base_url = getenv("ALSORN_BASE_URL");
    if (!base_url || !*base_url) base_url = ALSORN_DEFAULT_BASE_URL;
    if (!(timeout_seconds > 0)) timeout_seconds = ALSORN_DEFAULT_TIMEOUT_SECONDS;

    pthread_once(&curl_started, start_curl);
    if (curl_start_result != CURLE_OK) return NULL;

    alsorn_client *client = calloc(1, sizeof *client);
    if (!client) return NULL;
    client->curl = curl_easy_init();
    client->api_key = strdup(api_key);
    client->base_url = base_url_without_trailing_slash(base_url);
    if (!client->curl || !client->api_key || !client->base_url) {
        alsorn_client_free(client);
        return NULL;
    }
    double timeout_ms = timeout_seconds * 1000.0;
    client->timeout_ms = timeout_ms > 86400000.0 ? 86400000L : (long)timeout_ms;
    if (client->timeout_ms < 1) client->timeout_ms = 1;
    client->max_retries = ALSORN_DEFAULT_MAX_RETRIES;
    client->backoff_base_seconds = ALSORN_DEFAULT_BACKOFF_BASE_SECONDS;
    client->backoff_cap_seconds = ALSORN_DEFAULT_BACKOFF_CAP_SECONDS;
    return client;
}

void alsorn_client_free(alsorn_client *client) {
    if (!client) return;
    if (client->curl) curl_easy_cleanup(client->curl);
    if (client->api_key) {
        /* the key is a credential: do not leave it in freed memory */
        memset(client->api_key, 0, strlen(client->api_key));
        free(client->api_key);
    }
    free(client->base_url);
    free(client);
}

alsorn_status alsorn_client_set_max_retries(alsorn_client *client, int n) {
    if (!client || n < 0) return ALSORN_ERR_INVALID_ARGUMENT;
    client->max_retries = n;
    return ALSORN_OK;
}

alsorn_status alsorn_client_set_backoff(alsorn_client *client, double base_seconds,
                                        double cap_seconds) {
    if (!client || !(base_seconds >= 0) || !(cap_seconds >= base_seconds)) {
        return ALSORN_ERR_INVALID_ARGUMENT;
    }
    client->backoff_base_seconds = base_seconds;
    client->backoff_cap_seconds = cap_seconds;
    return ALSORN_OK;
}

bool alsorn_client_last_rate_limit(const alsorn_client *client, long *limit, long *remaining,
                                   long long *reset) {
    if (!client) return false;
    if (limit) *limit = client->rate_limit;
    if (remaining) *remaining = client->rate_remaining;
    if (reset) *reset = client->rate_reset;
    return client->has_rate_limit;
}

const char *alsorn_client_last_request_id(const alsorn_client *client) {
    return client ? client->last_request_id : "";
}
