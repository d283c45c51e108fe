/* The test half of scripted_server.h: programs the runner's server over HTTP. */
#include "scripted_server.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

static int server_port(void) {
    const char *port = getenv("CLIENT_TEST_SERVER_PORT");
    cr_assert(port, "scripted server not running (CLIENT_TEST_SERVER_PORT unset)");
    return atoi(port);
}

const char *script_base_url(const char *name) {
    static char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ns/%s", server_port(), name);
    return url;
}

typedef struct {
    char *data;
    size_t len;
} text_buffer;

static size_t collect(char *chunk, size_t size, size_t nmemb, void *userdata) {
    text_buffer *buf = userdata;
    size_t n = size * nmemb;
    buf->data = realloc(buf->data, buf->len + n + 1);
    memcpy(buf->data + buf->len, chunk, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* One control request; returns the answer body (caller frees). */
static char *control(const char *method, const char *path, const char *body) {
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", server_port(), path);
    CURL *curl = curl_easy_init();
    text_buffer buf = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    cr_assert_eq(rc, CURLE_OK, "control request %s failed: %s", path, curl_easy_strerror(rc));
    cr_assert_eq(status, 200, "control request %s answered %ld: %s", path, status,
                 buf.data ? buf.data : "");
    return buf.data;
}

void script_program(const char *name, const scripted_response *responses, size_t count) {
    cJSON *script = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++) {
        cJSON *answer = cJSON_CreateObject();
        cJSON_AddNumberToObject(answer, "status", (double)responses[i].status);
        if (responses[i].headers) cJSON_AddStringToObject(answer, "headers", responses[i].headers);
        cJSON_AddStringToObject(answer, "body", responses[i].body ? responses[i].body : "");
        cJSON_AddNumberToObject(answer, "delay_ms", responses[i].delay_ms);
        cJSON_AddItemToArray(script, answer);
    }
    char *text = cJSON_PrintUnformatted(script);
    cJSON_Delete(script);
    char path[192];
    snprintf(path, sizeof path, "/_script/%s", name);
    free(control("POST", path, text));
    free(text);
}

cJSON *script_requests(const char *name) {
    char path[192];
    snprintf(path, sizeof path, "/_script/%s/requests", name);
    char *text = control("GET", path, NULL);
    cJSON *log = cJSON_Parse(text);
    free(text);
    cr_assert(cJSON_IsArray(log), "request log is not an array");
    return log;
}

const char *request_header(const cJSON *request, const char *name) {
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(request, "headers");
    const cJSON *h;
    cJSON_ArrayForEach(h, headers) {
        if (strcasecmp(h->string, name) == 0) return h->valuestring;
    }
    return NULL;
}

alsorn_client *script_client(const char *name) {
    alsorn_client *client = alsorn_client_new("als_test_key", script_base_url(name), 5);
    cr_assert(client);
    cr_assert_eq(alsorn_client_set_backoff(client, 0.001, 0.02), ALSORN_OK);
    return client;
}

int closed_port(void) {
    /* Bind to an ephemeral port, learn it, close it: nothing listens there afterwards. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    cr_assert(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    cr_assert(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}

const char *request_member(const cJSON *request, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(request, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

const cJSON *only_request(const cJSON *log, const char *method, const char *path) {
    cr_assert_eq(cJSON_GetArraySize(log), 1);
    const cJSON *request = cJSON_GetArrayItem(log, 0);
    cr_assert_str_eq(request_member(request, "method"), method);
    cr_assert_str_eq(request_member(request, "path"), path);
    return request;
}

void assert_request_body(const cJSON *request, const char *expected_json) {
    const char *body = request_member(request, "body");
    cJSON *actual = cJSON_Parse(body);
    cJSON *expected = cJSON_Parse(expected_json);
    cr_assert(expected, "bad expectation %s", expected_json);
    cr_assert(cJSON_Compare(actual, expected, true), "body %s, expected %s", body, expected_json);
    cr_assert_str_eq(request_header(request, "Content-Type"), "application/json");
    cJSON_Delete(actual);
    cJSON_Delete(expected);
}

char *decoded_query(const cJSON *request) {
    const char *query = request_member(request, "query");
    if (!query) return NULL;
    char *plain = curl_easy_unescape(NULL, query, 0, NULL);
    char *copy = strdup(plain);
    curl_free(plain);
    return copy;
}

const cJSON *assert_request_at(const cJSON *log, int i, const char *method, const char *path,
                               const char *body_json) {
    const cJSON *request = cJSON_GetArrayItem(log, i);
    cr_assert_not_null(request, "request %d was not sent", i);
    cr_assert_str_eq(request_member(request, "method"), method, "request %d", i);
    cr_assert_str_eq(request_member(request, "path"), path, "request %d", i);
    if (!body_json) return request;
    cJSON *actual = cJSON_Parse(request_member(request, "body"));
    cJSON *expected = cJSON_Parse(body_json);
    cr_assert(cJSON_Compare(actual, expected, true), "request %d body %s, expected %s", i,
              request_member(request, "body"), body_json);
    cJSON_Delete(actual);
    cJSON_Delete(expected);
    return request;
}
