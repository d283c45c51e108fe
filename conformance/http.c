/* Raw HTTP for the checks (libcurl, one easy handle per call, no retries) and the contract's
 * error-shape assertions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"
#include "json_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

/* ---- target ---------------------------------------------------------------------------- */

static char url[512];

void target_set_base_url(const char *base) {
    url[0] = '\0';
    if (base) snprintf(url, sizeof url, "%s", base);
}

const char *target_base_url(void) {
    if (!url[0]) {
        const char *b = getenv("ALSORN_BASE_URL");
        cr_assert(b && *b, "ALSORN_BASE_URL is not set (the runner sets it when it starts the mock)");
        snprintf(url, sizeof url, "%s", b);
        size_t n = strlen(url);
        while (n && url[n - 1] == '/') url[--n] = '\0';
    }
    return url;
}

const char *alter_base_url(void) {
    static char alter[512];
    const char *b = getenv("ALTER_BASE_URL");
    if (!b || !*b) return target_base_url(); /* which a test's own mock may have moved */
    if (!alter[0]) {
        snprintf(alter, sizeof alter, "%s", b);
        size_t n = strlen(alter);
        while (n && alter[n - 1] == '/') alter[--n] = '\0';
    }
    return alter;
}

bool target_is_mock(void) {
    static int cached = -1;
    if (cached < 0) {
        const char *t = getenv("CONFORMANCE_TARGET");
        if (t && *t) {
            cached = !strcmp(t, "mock");
        } else {
            struct http_resp r;
            cached = 0;
            if (http_call("GET", "/_mock/health", NULL, NULL, NULL, &r) == 0 && r.status == 200 &&
                r.json) {
                const cJSON *svc = cJSON_GetObjectItemCaseSensitive(r.json, "service");
                cached = cJSON_IsString(svc) && !strcmp(svc->valuestring, "agentmock");
            }
            http_resp_free(&r);
        }
    }
    return cached == 1;
}

void require_mock(void) {
    if (!target_is_mock()) cr_skip_test("needs agentmock sandbox controls (/_mock); target is live");
}

bool ext_skipped(void) {
    const char *s = getenv("CONFORMANCE_SKIP_EXT");
    return !target_is_mock() && s && !strcmp(s, "1");
}

void require_ext(void) {
    if (ext_skipped()) cr_skip_test("contract row marked ext; CONFORMANCE_SKIP_EXT=1 and target is live");
}

/* ---- raw HTTP ----------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const char *data, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        cr_assert(p, "out of memory");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
    buf_add(ud, data, size * nmemb);
    return size * nmemb;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
    struct http_resp *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) { /* a new response (100 Continue, redirect) */
        for (size_t i = 0; i < r->n_headers; i++) free(r->headers[i]);
        r->n_headers = 0;
        return n;
    }
    size_t len = n;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r')) len--;
    if (!len) return n;
    char **h = realloc(r->headers, (r->n_headers + 1) * sizeof *h);
    cr_assert(h, "out of memory");
    r->headers = h;
    r->headers[r->n_headers++] = strndup(data, len);
    return n;
}

int http_do(const struct http_req *req, struct http_resp *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->request, sizeof out->request, "%s %.140s", req->method, req->path);
    struct buf body = {0};
    buf_add(&body, "", 0);

    CURL *c = curl_easy_init();
    cr_assert(c, "curl_easy_init failed");
    char url[4096];
    if (strncmp(req->path, "http://", 7) == 0) snprintf(url, sizeof url, "%s", req->path);
    else
        snprintf(url, sizeof url, "%s%s",
                 strncmp(req->path, "/sdk/", 5) == 0 ? alter_base_url() : target_base_url(),
                 req->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    /* like any real client (the mock's report flags requests without one); a test can drop
     * it with the header line "User-Agent:" */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "agentmock-conformance/0.1");
    if (!strcmp(req->method, "HEAD")) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);

    struct curl_slist *hl = NULL;
    char line[8192];
    if (req->authorization) {
        snprintf(line, sizeof line, "Authorization: %s", req->authorization);
        if (!*req->authorization) snprintf(line, sizeof line, "Authorization;"); /* empty value */
        hl = curl_slist_append(hl, line);
    } else if (req->api_key) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", req->api_key);
        hl = curl_slist_append(hl, line);
    }
    if (req->body) {
        size_t len = req->body_len ? req->body_len : strlen(req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (req->content_type && !*req->content_type) {
        hl = curl_slist_append(hl, "Content-Type:"); /* suppress curl's form default */
    } else if (req->content_type || req->body) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 req->content_type ? req->content_type : "application/json");
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    for (const char *const *h = req->headers; h && *h; h++) hl = curl_slist_append(hl, *h);
    /* a mock started with --admin-token: the sandbox controls need it (tests of the token
     * itself send their own headers and leave the variable unset) */
    const char *admin = getenv("AGENTMOCK_ADMIN_TOKEN");
    if (admin && *admin && !strncmp(req->path, "/_mock/", 7)) {
        snprintf(line, sizeof line, "X-Mock-Admin-Token: %s", admin);
        hl = curl_slist_append(hl, line);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);

    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    } else {
        snprintf(out->curl_error, sizeof out->curl_error, "%s", curl_easy_strerror(rc));
        out->curl_code = (int)rc;
        out->status = 0;
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);

    out->body = body.p;
    out->body_len = body.n;
    /* a live target's reply is outside text: the guarded parse, as the client reads it */
    if (out->body_len)
        out->json = json_parse_guarded(out->body, out->body_len, JSON_REPLY_MAX_DEPTH, NULL);
    return rc == CURLE_OK ? 0 : -1;
}

int http_call(const char *method, const char *path, const char *api_key, const char *body,
              const char *content_type, struct http_resp *out) {
    struct http_req req = {
        .method = method, .path = path, .api_key = api_key, .body = body, .content_type = content_type};
    return http_do(&req, out);
}

void http_resp_free(struct http_resp *r) {
    free(r->body);
    cJSON_Delete(r->json);
    for (size_t i = 0; i < r->n_headers; i++) free(r->headers[i]);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

const char *resp_header(const struct http_resp *r, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *h = r->headers[i];
        if (!strncasecmp(h, name, n) && h[n] == ':') {
            const char *v = h + n + 1;
            while (*v == ' ' || *v == '\t') v++;
            return v;
        }
    }
    return NULL;
}

#define ROTATE 16
static char *rotating(void) {
    static char bufs[ROTATE][8192];
    static int next;
    return bufs[next++ % ROTATE];
}

const char *resp_excerpt(const struct http_resp *r) {
    char *b = rotating();
    if (r->status == 0) {
        snprintf(b, 8192, "[transfer failed: %s]", r->curl_error);
        return b;
    }
    snprintf(b, 8192, "%.400s%s", r->body ? r->body : "", r->body_len > 400 ? "..." : "");
    return b;
}

const char *fmt(const char *format, ...) {
    char *b = rotating();
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(b, 8192, format, ap);
    va_end(ap);
    cr_assert(n >= 0 && n < 8192, "fmt: path too long");
    return b;
}

const char *urlenc(const char *s) {
    char *b = rotating();
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o < 8180; p++) {
        if (isalnum(*p) || strchr("-._~", *p)) b[o++] = (char)*p;
        else o += (size_t)snprintf(b + o, 4, "%%%02X", *p);
    }
    b[o] = '\0';
    return b;
}

/* ---- assertions ---------------------------------------------------------------------------- */

void expect_status_at(const char *file, int line, const struct http_resp *r, long status) {
    cr_assert(r->status == status, "%s:%d: %s: expected HTTP %ld, got %ld: %s", file, line,
              r->request, status, r->status, resp_excerpt(r));
}

static bool req_id_ok(const char *v) {
    if (!v || strncmp(v, "req_", 4) != 0 || !v[4]) return false;
    for (const char *p = v + 4; *p; p++)
        if (!(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

const char *expect_request_id_at(const char *file, int line, const struct http_resp *r) {
    const char *v = resp_header(r, "X-Request-Id");
    cr_assert(v, "%s:%d: %s (HTTP %ld): no X-Request-Id header", file, line, r->request, r->status);
    cr_assert(req_id_ok(v), "%s:%d: %s: X-Request-Id \"%s\" is not req_<hex>", file, line,
              r->request, v);
    return v;
}

void expect_error_at(const char *file, int line, const struct http_resp *r, long status,
                     const char *code) {
    cr_assert(r->status == status, "%s:%d: %s: expected HTTP %ld %s, got %ld: %s", file, line,
              r->request, status, code, r->status, resp_excerpt(r));
    cr_assert(r->json && cJSON_IsObject(r->json), "%s:%d: %s: error body is not a JSON object: %s",
              file, line, r->request, resp_excerpt(r));
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    cr_assert(cJSON_IsObject(e), "%s:%d: %s: no \"error\" object: %s", file, line, r->request,
              resp_excerpt(r));
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
    cr_assert(cJSON_IsString(c) && !strcmp(c->valuestring, code),
              "%s:%d: %s: expected error.code \"%s\": %s", file, line, r->request, code,
              resp_excerpt(r));
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
    cr_assert(cJSON_IsString(m) && m->valuestring[0], "%s:%d: %s: error.message empty/missing: %s",
              file, line, r->request, resp_excerpt(r));
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(e, "request_id");
    cr_assert(cJSON_IsString(rid) && req_id_ok(rid->valuestring),
              "%s:%d: %s: error.request_id is not req_<hex>: %s", file, line, r->request,
              resp_excerpt(r));
    const char *hdr = expect_request_id_at(file, line, r);
    cr_assert(!strcmp(hdr, rid->valuestring),
              "%s:%d: %s: error.request_id \"%s\" differs from X-Request-Id \"%s\"", file, line,
              r->request, rid->valuestring, hdr);
    const cJSON *fe = cJSON_GetObjectItemCaseSensitive(e, "field_errors");
    if (strcmp(code, "validation_error") != 0)
        cr_assert(!fe || cJSON_IsNull(fe), "%s:%d: %s: field_errors only belongs on validation_error: %s",
                  file, line, r->request, resp_excerpt(r));
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && !strncasecmp(ct, "application/json", 16),
              "%s:%d: %s: error Content-Type is \"%s\", not application/json", file, line,
              r->request, ct ? ct : "(none)");
}

void expect_field_error_at(const char *file, int line, const struct http_resp *r,
                           const char *field) {
    expect_error_at(file, line, r, 422, "validation_error");
    const cJSON *fe = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r->json, "error"), "field_errors");
    cr_assert(cJSON_IsArray(fe) && cJSON_GetArraySize(fe) > 0,
              "%s:%d: %s: validation_error without a non-empty field_errors array: %s", file, line,
              r->request, resp_excerpt(r));
    const cJSON *it;
    cJSON_ArrayForEach(it, fe) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "field");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
        cr_assert(cJSON_IsString(f) && cJSON_IsString(m) && m->valuestring[0],
                  "%s:%d: %s: field_errors entry without string field/message: %s", file, line,
                  r->request, resp_excerpt(r));
        if (!strcmp(f->valuestring, field)) return;
    }
    cr_assert_fail("%s:%d: %s: field_errors does not name \"%s\": %s", file, line, r->request,
                   field, resp_excerpt(r));
}

/* ---- JSON accessors ------------------------------------------------------------------------ */

static const cJSON *member(const cJSON *obj, const char *key) {
    cr_assert(cJSON_IsObject(obj), "expected a JSON object holding \"%s\"", key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        char *s = cJSON_PrintUnformatted(obj);
        cr_assert_fail("missing member \"%s\" in %.600s", key, s ? s : "?");
    }
    return v;
}

static void type_fail(const cJSON *obj, const char *key, const char *want) {
    char *s = cJSON_PrintUnformatted(obj);
    cr_assert_fail("member \"%s\" is not %s in %.600s", key, want, s ? s : "?");
}

const char *jstr(const cJSON *obj, const char *key) {
    const cJSON *v = member(obj, key);
    if (!cJSON_IsString(v)) type_fail(obj, key, "a string");
    return v->valuestring;
}

double jnum(const cJSON *obj, const char *key) {
    const cJSON *v = member(obj, key);
    if (!cJSON_IsNumber(v)) type_fail(obj, key, "a number");
    return v->valuedouble;
}

const cJSON *jobj(const cJSON *obj, const char *key) {
    const cJSON *v = member(obj, key);
    if (!cJSON_IsObject(v)) type_fail(obj, key, "an object");
    return v;
}

const cJSON *jarr(const cJSON *obj, const char *key) {
    const cJSON *v = member(obj, key);
    if (!cJSON_IsArray(v)) type_fail(obj, key, "an array");
    return v;
}

bool jnull(const cJSON *obj, const char *key) { return cJSON_IsNull(member(obj, key)); }

bool jbool(const cJSON *obj, const char *key) {
    const cJSON *v = member(obj, key);
    if (!cJSON_IsBool(v)) type_fail(obj, key, "a boolean");
    return cJSON_IsTrue(v);
}

bool is_rfc3339_utc_seconds(const char *s) {
    if (!s || strlen(s) != 20) return false;
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    for (int i = 0; i < 20; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i]) return false;
    }
    struct tm tm = {0};
    if (!strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) return false;
    struct tm check = tm;
    time_t t = timegm(&check);
    struct tm back;
    gmtime_r(&t, &back);
    return back.tm_mday == tm.tm_mday && back.tm_mon == tm.tm_mon && tm.tm_hour < 24 &&
           tm.tm_min < 60 && tm.tm_sec < 61;
}

bool has_prefix_alnum(const char *s, const char *prefix) {
    size_t n = strlen(prefix);
    if (!s || strncmp(s, prefix, n) != 0 || !s[n]) return false;
    for (const char *p = s + n; *p; p++)
        if (!(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z'))) return false;
    return true;
}

bool is_sha256_tagged(const char *s) {
    if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71) return false;
    for (const char *p = s + 7; *p; p++)
        if (!(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}
