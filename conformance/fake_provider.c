/* The vault tests' fake provider; see fake_provider.h. */
#include "fake_provider.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <cjson/cJSON.h>

#include "base64.h"
#include "harness.h"

#define HANG_MS 5000

static void send_json(struct mg_connection *c, int status, cJSON *body) {
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    mg_printf(c,
              "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nX-Provider: fake\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
              status, strlen(text), text);
    free(text);
}

static cJSON *read_echo(struct mg_connection *c, const struct mg_request_info *ri) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "method", ri->request_method);
    cJSON_AddStringToObject(o, "path", ri->local_uri);
    if (ri->query_string)
        cJSON_AddStringToObject(o, "query", ri->query_string);
    else
        cJSON_AddNullToObject(o, "query");
    const char *auth = mg_get_header(c, "Authorization");
    if (auth)
        cJSON_AddStringToObject(o, "authorization", auth);
    else
        cJSON_AddNullToObject(o, "authorization");
    cJSON *headers = cJSON_AddObjectToObject(o, "headers");
    for (int i = 0; i < ri->num_headers; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", ri->http_headers[i].name);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        cJSON_AddStringToObject(headers, name, ri->http_headers[i].value);
    }
    size_t cap = 4096, len = 0;
    unsigned char *body = malloc(cap);
    int got;
    while ((got = mg_read(c, body + len, cap - len)) > 0) {
        len += (size_t)got;
        if (len == cap) body = realloc(body, cap *= 2);
    }
    char *b64 = base64_encode(body, len);
    cJSON_AddStringToObject(o, "body_b64", b64);
    free(b64);
    free(body);
    return o;
}

static void sleep_ms(long ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int handle(struct mg_connection *c, void *data) {
    struct fake_provider *p = data;
    const struct mg_request_info *ri = mg_get_request_info(c);
    __atomic_add_fetch(&p->hits, 1, __ATOMIC_SEQ_CST);
    const char *path = ri->local_uri;
    if (!strncmp(path, "/echo", 5)) {
        const char *auth = mg_get_header(c, "Authorization");
        if (p->expected_authorization[0] && (!auth || strcmp(auth, p->expected_authorization))) {
            cJSON *err = cJSON_CreateObject();
            cJSON_AddStringToObject(err, "error", "bad_credential");
            send_json(c, 401, err);
            return 401;
        }
        send_json(c, 200, read_echo(c, ri));
        return 200;
    }
    if (!strcmp(path, "/hang")) {
        for (int waited = 0; waited < HANG_MS && !__atomic_load_n(&p->stopping, __ATOMIC_SEQ_CST);
             waited += 20)
            sleep_ms(20);
        send_json(c, 200, cJSON_CreateObject());
        return 200;
    }
    if (!strncmp(path, "/bytes/", 7)) {
        size_t n = strtoul(path + 7, NULL, 10);
        char *body = malloc(n + 1);
        memset(body, 'a', n);
        mg_printf(c,
                  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                  "Connection: close\r\n\r\n",
                  n);
        mg_write(c, body, n);
        free(body);
        return 200;
    }
    if (!strcmp(path, "/odd-headers")) { /* names that are no HTTP token, bytes not UTF-8 */
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                     "X-Name-\xff\xfe: a\r\nX Spaced: b\r\n(Paren): c\r\nX-Value: \xc3\x28\r\n"
                     "X-Good: yes\r\nConnection: close\r\n\r\n{}");
        return 200;
    }
    if (!strncmp(path, "/status/", 8)) {
        int status = atoi(path + 8);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "status", status);
        send_json(c, status, o);
        return status;
    }
    send_json(c, 404, cJSON_CreateObject());
    return 404;
}

void fake_provider_start(struct fake_provider *p, const char *expected_authorization) {
    memset(p, 0, sizeof *p);
    snprintf(p->expected_authorization, sizeof p->expected_authorization, "%s",
             expected_authorization ? expected_authorization : "");
    mg_init_library(0);
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "16", NULL};
    p->ctx = mg_start(NULL, NULL, options);
    cr_assert_not_null(p->ctx, "the fake provider did not start");
    mg_set_request_handler(p->ctx, "/", handle, p);
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(p->ctx, 4, ports);
    cr_assert(n > 0, "the fake provider has no port");
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", ports[0].port);
}

void fake_provider_stop(struct fake_provider *p) {
    if (!p->ctx) return;
    __atomic_store_n(&p->stopping, true, __ATOMIC_SEQ_CST);
    mg_stop(p->ctx);
    p->ctx = NULL;
}

int fake_provider_hits(struct fake_provider *p) {
    return __atomic_load_n(&p->hits, __ATOMIC_SEQ_CST);
}
