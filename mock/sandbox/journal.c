#include "sandbox/journal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "core/clock.h"
#include "sandbox/credentials.h"
#include "store/tenant.h"

#define PATH_MAX_KEPT    2048
#define QUERY_MAX_KEPT   2048
#define HEADER_VALUE_MAX 1024

/* One recorded request: the fixed fields, then its strings packed after it (one malloc). */
struct entry {
    atomic_int refs;
    int64_t at_ms; /* arrival, virtual Unix milliseconds */
    int status;    /* 0: connection dropped */
    bool client_gone;
    double duration_ms;
    const char *fault; /* static string or NULL */
    bool replayed;
    size_t body_bytes; /* as received */
    size_t response_bytes; /* as sent (0 for a streamed reply: not kept) */
    char method[16];
    char request_id[32];
    char org_id[ID_LEN];
    char key_fingerprint[FINGERPRINT_LEN]; /* "" when no key was sent */
    char *path, *query, *body; /* into data; query/body NULL when absent */
    char *response_body;        /* into data; NULL when the reply had none */
    int n_headers;
    char **header_names, **header_values; /* into data */
    char data[]; /* header pointer arrays, then the strings */
};
_Static_assert(offsetof(struct entry, data) % _Alignof(char *) == 0, "pointer arrays in data");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry **ring;
static _Atomic size_t capacity; /* written under lock; read without it to skip a disabled journal */
static size_t next;

void journal_init(size_t cap) {
    journal_shutdown();
    pthread_mutex_lock(&lock);
    ring = cap ? calloc(cap, sizeof *ring) : NULL;
    capacity = ring ? cap : 0;
    next = 0;
    pthread_mutex_unlock(&lock);
}

static void entry_release(struct entry *e) {
    if (e && atomic_fetch_sub(&e->refs, 1) == 1) free(e);
}

void journal_clear(void) {
    pthread_mutex_lock(&lock);
    size_t n = capacity;
    struct entry **old = n ? malloc(n * sizeof *old) : NULL;
    if (old) memcpy(old, ring, n * sizeof *old);
    if (ring) memset(ring, 0, n * sizeof *ring);
    next = 0;
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; old && i < n; i++) entry_release(old[i]);
    free(old);
}

void journal_shutdown(void) {
    journal_clear();
    pthread_mutex_lock(&lock);
    free(ring);
    ring = NULL;
    capacity = 0;
    pthread_mutex_unlock(&lock);
}

static bool is_secret_header(const char *name) {
    static const char *const secret[] = {"Authorization", "Proxy-Authorization", "x-api-key",
                                         "Cookie", "X-Mock-Admin-Token", NULL};
    char first = (char)(name[0] | 0x20); /* lower case of a letter; most headers stop here */
    if (first != 'a' && first != 'p' && first != 'x' && first != 'c') return false;
    for (int i = 0; secret[i]; i++)
        if (!strcasecmp(name, secret[i])) return true;
    return false;
}

/* Packs strings into an entry's data area. */
struct packer {
    char *at, *end;
};

/* Copies src as display-safe UTF-8 (at most max bytes) and returns the copy. */
static char *pack(struct packer *p, const char *src, size_t len, size_t max) {
    char *dst = p->at;
    size_t room = (size_t)(p->end - p->at);
    if (room > max + 1) room = max + 1;
    p->at += utf8_copy_lossy(dst, room, src, len) + 1; /* bytes copied = bytes written */
    return dst;
}

#define MASKED_MAX (FINGERPRINT_LEN + 20) /* a scheme word (< 16), its space, a fingerprint */

/* "Bearer als:1a2b3c4d": the header's scheme and its token's fingerprint fp, so two keys can
 * be told apart and none can be read back. */
static char *pack_masked(struct packer *p, const char *value, const char *token, const char *fp) {
    char masked[MASKED_MAX];
    size_t scheme = (size_t)(token - value), n = strlen(fp);
    memcpy(masked, value, scheme);
    memcpy(masked + scheme, fp, n + 1);
    return pack(p, masked, scheme + n, sizeof masked);
}

/* Replies that show a secret once (a new key, a webhook secret, a vaulted token) must not show
 * it again in the journal: each such member's string keeps its first characters, the rest
 * become '*'.  Replies are compact JSON (reply_json), so the member reads "name":"value".
 * One pass over the text: at each ":" (a member's name ends, its string value starts) the
 * name before it is compared with each secret's.  A masked value holds no '"', so masking one
 * never hides or makes another. */
#define MASK_KEEP 8 /* characters of a secret a reply in the journal keeps */
static void mask_reply_secrets(char *text) {
    static const struct {
        const char *name; /* with its opening quote */
        size_t len;
    } members[] = {
#define MEMBER(s) {s, sizeof s - 1}
        MEMBER("\"api_key"), MEMBER("\"secret"), MEMBER("\"access_token"),
        MEMBER("\"upstream_token"), MEMBER("\"app_key"),
#undef MEMBER
    };
    for (char *at = strstr(text, "\":\""); at; at = strstr(at + 1, "\":\"")) {
        for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
            size_t n = members[i].len;
            if ((size_t)(at - text) < n || memcmp(at - n, members[i].name, n) != 0) continue;
            char *v = at + 3;
            for (size_t k = 0; v[k] && v[k] != '"'; k++)
                if (k >= MASK_KEEP) v[k] = '*';
            break; /* a name is one member's */
        }
    }
}

void journal_record(const struct req *r, double duration_ms) {
    if (r->api == API_MOCK || !atomic_load(&capacity)) return;
    const struct mg_request_info *ri = r->ri;
    int n_headers = ri->num_headers;
    size_t body_kept = r->body_len < JOURNAL_BODY_MAX ? r->body_len : JOURNAL_BODY_MAX;
    const char *response = r->reply.sent ? NULL : r->reply.body;
    size_t response_len = response ? r->reply.body_len : 0;
    size_t response_kept = response_len < JOURNAL_BODY_MAX ? response_len : JOURNAL_BODY_MAX;
    /* a query with credentials is kept with their values fingerprinted (the same length or
     * shorter than a key, plus room for short secrets) */
    char query[QUERY_MAX_KEPT + 1];
    const char *q = r->query;
    if (q && query_redact(q, query, sizeof query)) q = query;
    bool secret[sizeof ri->http_headers / sizeof *ri->http_headers]; /* looked up once */
    /* the key the request authenticated with (or tried to): the first Authorization's Bearer
     * token, else the first x-api-key */
    const char *key = NULL;
    bool bearer = false;
    /* room for every string at its maximum and a NUL each */
    size_t need = strlen(r->path) + 1 + (q ? strlen(q) + 1 : 0) + body_kept + 1 + response_kept + 1;
    for (int i = 0; i < n_headers; i++) {
        const char *name = ri->http_headers[i].name, *value = ri->http_headers[i].value;
        size_t v = strlen(value);
        secret[i] = is_secret_header(name);
        need += strlen(name) + 1 +
                (secret[i] ? MASKED_MAX : v < HEADER_VALUE_MAX ? v : HEADER_VALUE_MAX) + 1;
        if (!secret[i] || bearer) continue;
        if (!strcasecmp(name, "Authorization") && !strncasecmp(value, "Bearer ", 7))
            key = value + 7, bearer = true;
        else if (!key && !strcasecmp(name, "x-api-key"))
            key = value;
    }
    if (key && !*key) key = NULL;
    need += 2 * (size_t)n_headers * sizeof(char *);
    struct entry *e = malloc(sizeof *e + need);
    if (!e) return;
    atomic_init(&e->refs, 1);
    e->at_ms = r->sandbox.arrived_ms;
    e->status = r->sandbox.dropped ? 0 : r->reply.status;
    e->client_gone = r->sandbox.client_gone;
    /* fingerprinted once (a SHA-256): the key's header shows the same fingerprint */
    if (key) credential_fingerprint(key, strlen(key), e->key_fingerprint);
    else e->key_fingerprint[0] = '\0';
    e->duration_ms = duration_ms;
    e->fault = r->sandbox.fault;
    e->replayed = r->sandbox.replayed;
    e->body_bytes = r->body_len;
    e->response_bytes = response_len;
    const char *org_id = r->caller.tenant ? r->caller.tenant->id : r->caller.key_org_id;
    utf8_copy_lossy(e->method, sizeof e->method, r->method, strlen(r->method));
    utf8_copy_lossy(e->request_id, sizeof e->request_id, r->request_id, strlen(r->request_id));
    utf8_copy_lossy(e->org_id, sizeof e->org_id, org_id, strlen(org_id));
    e->header_names = (char **)e->data;
    e->header_values = e->header_names + n_headers;
    struct packer p = {(char *)(e->header_values + n_headers), e->data + need};
    e->path = pack(&p, r->path, strlen(r->path), PATH_MAX_KEPT);
    e->query = q ? pack(&p, q, strlen(q), QUERY_MAX_KEPT) : NULL;
    /* the whole length: the copy stops at the last whole character that fits */
    e->body = r->body ? pack(&p, r->body, r->body_len, JOURNAL_BODY_MAX) : NULL;
    e->response_body = response ? pack(&p, response, response_len, JOURNAL_BODY_MAX) : NULL;
    if (e->response_body) mask_reply_secrets(e->response_body);
    e->n_headers = n_headers;
    for (int i = 0; i < n_headers; i++) {
        const char *name = ri->http_headers[i].name, *value = ri->http_headers[i].value;
        e->header_names[i] = pack(&p, name, strlen(name), 256);
        if (!secret[i]) {
            e->header_values[i] = pack(&p, value, strlen(value), HEADER_VALUE_MAX);
            continue;
        }
        const char *token = credential_header_token(value);
        char own[FINGERPRINT_LEN];
        if (token != key) credential_fingerprint(token, strlen(token), own);
        e->header_values[i] =
            pack_masked(&p, value, token, token == key ? e->key_fingerprint : own);
    }

    pthread_mutex_lock(&lock);
    struct entry *old = NULL;
    if (capacity) {
        old = ring[next];
        ring[next] = e;
        next = (next + 1) % capacity;
        e = NULL;
    }
    pthread_mutex_unlock(&lock);
    entry_release(old);
    entry_release(e); /* journal turned off meanwhile */
}

static cJSON *entry_json(const struct entry *e) {
    cJSON *o = cJSON_CreateObject();
    char at[RFC3339_MS_LEN];
    clock_format_ms(e->at_ms, at);
    cJSON_AddStringToObject(o, "request_id", e->request_id);
    cJSON_AddStringToObject(o, "at", at);
    cJSON_AddStringToObject(o, "method", e->method);
    cJSON_AddStringToObject(o, "path", e->path);
    if (e->query) cJSON_AddStringToObject(o, "query", e->query);
    else cJSON_AddNullToObject(o, "query");
    cJSON *h = cJSON_AddObjectToObject(o, "headers");
    for (int i = 0; i < e->n_headers; i++)
        if (!cJSON_GetObjectItem(h, e->header_names[i])) /* a repeated header: the first */
            cJSON_AddStringToObject(h, e->header_names[i], e->header_values[i]);
    if (e->body) cJSON_AddStringToObject(o, "body", e->body);
    else cJSON_AddNullToObject(o, "body");
    cJSON_AddNumberToObject(o, "body_bytes", (double)e->body_bytes);
    cJSON_AddBoolToObject(o, "body_truncated", e->body_bytes > JOURNAL_BODY_MAX);
    if (e->response_body) cJSON_AddStringToObject(o, "response_body", e->response_body);
    else cJSON_AddNullToObject(o, "response_body");
    cJSON_AddNumberToObject(o, "response_bytes", (double)e->response_bytes);
    cJSON_AddBoolToObject(o, "response_truncated", e->response_bytes > JOURNAL_BODY_MAX);
    if (e->status) cJSON_AddNumberToObject(o, "status", e->status);
    else cJSON_AddNullToObject(o, "status"); /* the connection was dropped */
    cJSON_AddNumberToObject(o, "duration_ms", (double)(int64_t)(e->duration_ms * 1000) / 1000);
    if (e->org_id[0]) cJSON_AddStringToObject(o, "org_id", e->org_id);
    else cJSON_AddNullToObject(o, "org_id");
    if (e->fault) cJSON_AddStringToObject(o, "fault", e->fault);
    else cJSON_AddNullToObject(o, "fault");
    cJSON_AddBoolToObject(o, "idempotent_replayed", e->replayed);
    cJSON_AddBoolToObject(o, "client_gone", e->client_gone);
    if (e->key_fingerprint[0]) cJSON_AddStringToObject(o, "key_fingerprint", e->key_fingerprint);
    else cJSON_AddNullToObject(o, "key_fingerprint");
    return o;
}

cJSON *journal_json(long limit, const char *org_id, const char *path_prefix) {
    size_t prefix_len = path_prefix ? strlen(path_prefix) : 0;
    struct entry **picked = limit > 0 ? calloc((size_t)limit, sizeof *picked) : NULL;
    size_t n = 0, cap;
    pthread_mutex_lock(&lock);
    cap = capacity;
    for (size_t i = 0; picked && i < capacity && n < (size_t)limit; i++) {
        struct entry *e = ring[(next + capacity - 1 - i) % capacity];
        if (!e) break; /* the ring is filled from next backwards: nothing older */
        if (org_id && strcmp(e->org_id, org_id) != 0) continue;
        if (prefix_len && strncmp(e->path, path_prefix, prefix_len) != 0) continue;
        atomic_fetch_add(&e->refs, 1);
        picked[n++] = e;
    }
    pthread_mutex_unlock(&lock);
    cJSON *o = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(data, entry_json(picked[i]));
        entry_release(picked[i]);
    }
    free(picked);
    cJSON_AddNumberToObject(o, "capacity", (double)cap);
    return o;
}
