#include "delivery/request.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/random.h"
#include "delivery/allowlist.h"
#include "delivery/signature.h"
#include "core/text_copy.h"

#define USER_AGENT "agentmock-webhooks/" AGENTMOCK_VERSION

void delivery_uuid(char out[WEBHOOK_UUID_LEN]) {
    /* Straight from OpenSSL, not core/random: under --seed, drawing from the seeded stream on
     * the delivery thread would shift every id the requests draw after it, so a seeded run
     * would stop being reproducible.  Delivery ids depend on timing anyway (retries). */
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, WEBHOOK_UUID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* The receiver's answer body is not kept: only its status counts. */
static size_t discard(char *data, size_t size, size_t nmemb, void *ud) {
    (void)data;
    (void)ud;
    return size * nmemb;
}

static struct curl_slist *add_header(struct curl_slist *list, bool *failed, const char *fmt,
                                     const char *value) {
    char line[WEBHOOK_URL_MAX + 64]; /* the longest value is a URL (X-Alsorn-Forwarded-From) */
    snprintf(line, sizeof line, fmt, value);
    struct curl_slist *grown = *failed ? NULL : curl_slist_append(list, line);
    if (!grown) *failed = true;
    return grown ? grown : list;
}

static void fail(struct delivery_result *r, const char *fmt, const char *detail) {
    r->success = false;
    r->blocked = false;
    r->status_code = 0;
    r->duration_ms = 0;
    snprintf(r->error, sizeof r->error, fmt, detail);
}

int delivery_request_init(struct delivery_request *rq, const struct delivery_message *m,
                          struct delivery_result *failed) {
    memset(rq, 0, sizeof *rq);
    delivery_uuid(rq->delivery_id);
    rq->timeout_ms = m->timeout_ms;
    char why[256];
    enum url_check check = allowlist_check_url(m->url, why, sizeof why);
    if (check == URL_NOT_ALLOWED) {
        fail(failed, "%s", DELIVERY_BLOCKED);
        failed->blocked = true;
        return -1;
    }
    if (check != URL_OK) {
        fail(failed, "not sent: url %s", why);
        return -1;
    }
    char signature[SIGNATURE_LEN], timestamp[24];
    webhook_signature(m->secret, m->body, m->body_len, signature);
    snprintf(timestamp, sizeof timestamp, "%" PRId64, m->timestamp);
    bool oom = false;
    struct curl_slist *h = NULL;
    h = add_header(h, &oom, "%s", "Content-Type: application/json");
    h = add_header(h, &oom, "X-Alsorn-Event: %s", m->event);
    h = add_header(h, &oom, "X-Alsorn-Delivery: %s", rq->delivery_id);
    h = add_header(h, &oom, "X-Alsorn-Timestamp: %s", timestamp);
    h = add_header(h, &oom, "X-Alsorn-Signature: %s", signature);
    if (m->forwarded_from) h = add_header(h, &oom, "X-Alsorn-Forwarded-From: %s", m->forwarded_from);
    h = add_header(h, &oom, "%s", "Expect:"); /* no 100-continue round trip */
    CURL *c = oom ? NULL : curl_easy_init();
    if (!c) {
        curl_slist_free_all(h);
        fail(failed, "not sent: %s", "out of memory");
        return -1;
    }
    rq->easy = c;
    rq->headers = h;
    curl_easy_setopt(c, CURLOPT_URL, m->url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->body_len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* "" = no proxy, whatever the environment says */
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rq->curl_error);
    return 0;
}

void delivery_request_result(struct delivery_request *rq, CURLcode rc, struct delivery_result *out) {
    long code = 0;
    curl_easy_getinfo(rq->easy, CURLINFO_RESPONSE_CODE, &code);
    out->status_code = (int)code;
    curl_off_t total_us = 0;
    curl_easy_getinfo(rq->easy, CURLINFO_TOTAL_TIME_T, &total_us);
    out->duration_ms = (int64_t)(total_us / 1000);
    out->success = rc == CURLE_OK && code >= 200 && code <= 299;
    out->blocked = false;
    out->error[0] = '\0';
    if (out->success) return;
    if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(out->error, sizeof out->error, "timed out after %ld ms", rq->timeout_ms);
    else if (rc != CURLE_OK)
        text_copy(out->error, sizeof out->error, rq->curl_error[0] ? rq->curl_error : curl_easy_strerror(rc));
    else
        snprintf(out->error, sizeof out->error, "HTTP %ld", code);
}

void delivery_request_cleanup(struct delivery_request *rq) {
    curl_easy_cleanup(rq->easy);
    curl_slist_free_all(rq->headers);
    rq->easy = NULL;
    rq->headers = NULL;
}

void delivery_send_now(const struct delivery_message *m, char delivery_id[WEBHOOK_UUID_LEN],
                       struct delivery_result *out) {
    struct delivery_request rq;
    int ready = delivery_request_init(&rq, m, out);
    memcpy(delivery_id, rq.delivery_id, WEBHOOK_UUID_LEN);
    if (ready != 0) return;
    delivery_request_result(&rq, curl_easy_perform(rq.easy), out);
    delivery_request_cleanup(&rq);
}
