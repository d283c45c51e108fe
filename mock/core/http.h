/* The request context every handler gets, and the replies it renders.
 *
 * A handler validates, calls the domain, then calls exactly one reply_* function; the
 * dispatcher (mock/dispatch.c) sends the reply afterwards, which is where the request id,
 * rate-limit headers, journal and idempotency store get their one chance to see every
 * response. */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/random.h"
#include "core/validate.h"

struct mg_connection;
struct mg_request_info;
struct route;
struct tenant;

enum api { API_ALSORN, API_ALTER, API_MOCK };

#define MAX_PATH_PARAMS  4
#define PATH_PARAM_MAX   160
#define REPLY_HEADERS_MAX 1024

#define RATE_KEY_MAX 128

/* Who is calling.  Filled by the api's authenticator before the handler runs. */
struct caller {
    struct tenant *tenant; /* one reference held for the request; NULL when unauthenticated */
    int level;             /* Alsorn: enum key_level; Alter: the app key's scope bits */
    char owner_id[ID_LEN]; /* user_... that owns the key */
    char key_hash[65];     /* hex SHA-256 of the key (Alter: its lookup index): rate limits and
                            * idempotency scope */
    /* Alter (alter/auth.c) */
    bool is_agent;         /* an agent key, or an app key acting through X-Alter-Caller */
    char agent_id[ID_LEN]; /* that agent */
    char key_prefix[25];   /* the key's key_prefix: type prefix + 8 characters (alter.md §4) */
    /* The org a presented key belongs to even when it was refused (revoked): the journal
     * attributes the failed call to it.  "" when the key identifies none. */
    char key_org_id[ID_LEN];
    /* The rate-limit bucket this request counts against, chosen by the authenticator even
     * when authentication fails (the dispatcher counts the request either way).  An empty
     * rate_key means the request is not limited and gets no X-RateLimit-* headers.  By
     * convention a tenant's buckets start with "<tenant id>/" so a tenant reset can drop them. */
    char rate_key[RATE_KEY_MAX];
    long rate_limit;         /* requests per window */
    int rate_window_seconds; /* fixed window length */
};

struct idem_entry;

/* What the dispatcher's sandbox steps decided for this request (mock/dispatch.c). */
struct sandbox_state {
    long rl_limit, rl_remaining; /* X-RateLimit-Limit / -Remaining; rl_limit 0: send none */
    int64_t rl_reset;            /* X-RateLimit-Reset, Unix seconds */
    long retry_after;            /* Retry-After sent with a 429, seconds; 0 when none */
    const char *fault;           /* action of the injected fault that fired, or NULL */
    int latency_ms;              /* injected latency, waited before the handler runs */
    struct idem_entry *idem;     /* the idempotency entry this request executes for, or NULL */
    bool replayed;               /* answered from the idempotency store */
    bool dropped;                /* connection dropped without an answer (fault "reset") */
    int64_t started_us;          /* monotonic, for the journal's duration */
    int64_t arrived_ms;          /* virtual Unix milliseconds when the request arrived */
    bool client_gone;            /* the client closed the connection before the answer */
};

struct reply {
    int status;
    char *body; /* owned, unless body_borrowed (the thread's print buffer: reply_json) */
    size_t body_len;
    bool body_borrowed;
    const char *content_type;
    char headers[REPLY_HEADERS_MAX]; /* extra "Name: value\r\n" lines */
    size_t headers_len;
    bool close; /* drop keep-alive after this reply */
    bool sent;  /* the handler streamed the response itself */
};

struct req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    const struct route *route;
    enum api api;
    const char *method;
    const char *path;
    const char *query; /* may be NULL */
    char params[MAX_PATH_PARAMS][PATH_PARAM_MAX];
    int n_params;
    char *body; /* owned, NUL-terminated; NULL when the request had none */
    size_t body_len;
    size_t body_read; /* bytes of the body read so far (req_read) */
    cJSON *json; /* parsed body, owned; NULL when there was none */
    char request_id[32];
    int64_t now; /* virtual clock, read once per request */
    struct caller caller;
    char subject_id[ID_LEN]; /* the object the call acted on, for Alter's audit row; "" = none */
    /* What a handler adds to its Alter audit row (alter/audit.c): an action other than the
     * route's ("policy.denied"), the grant it used, and details (owned; the row takes it). */
    const char *audit_action; /* static string; NULL = the route's */
    char grant_id[UUID_LEN];  /* "" = none */
    cJSON *audit_details;     /* NULL = {} */
    struct reply reply;
    struct sandbox_state sandbox;
};

/* --- replies ------------------------------------------------------------------------ */
void reply_json(struct req *r, int status, cJSON *body); /* takes ownership of body */
/* The most a worker thread keeps, between requests, of the buffer reply_json prints into: a
 * list page fits; a larger reply is printed into memory of its own, freed with the reply.
 * reply_buffer_size: this thread's buffer now (0 = none). */
#define REPLY_BUFFER_KEEP (256 * 1024)
size_t reply_buffer_size(void);
void reply_raw(struct req *r, int status, const char *content_type, char *body, size_t len);
/* Frees the body unless borrowed; the reply keeps its status and headers. */
void reply_body_free(struct reply *rep);
void reply_empty(struct req *r, int status);
/* The api's error envelope with the contract's code. */
void reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* reply_error with more members in the error object (Alsorn: {"error": {code, message,
 * request_id, ...extra}}); consumes extra, a JSON object. */
void reply_error_extra(struct req *r, int status, const char *code, cJSON *extra,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* reply_error with a details object (taken; NULL = {}): Alter's details, or Alsorn's
 * error.details. */
void reply_error_details(struct req *r, int status, const char *code, cJSON *details,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 422 validation_error listing every field error (consumes fe). */
void reply_validation(struct req *r, struct field_errors *fe);
void reply_not_found(struct req *r);
void reply_header(struct req *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Forgets a reply already rendered (status, body, extra headers), so another can replace it. */
void reply_reset(struct req *r);
/* Sends the reply in r->reply over the connection (called once, by the dispatcher), with the
 * rate-limit headers in r->sandbox. */
void reply_send(struct req *r);
/* Ends the connection without an answer (the "reset" fault): the client sees an empty reply.
 * The connection is shut when the reply would have been sent (reply_send), so the request is
 * in the journal and the report before the client sees the drop. */
void reply_drop_connection(struct req *r);

/* Streaming a large body instead of building it: the handler sends the status line and the
 * headers reply_send would (X-Request-Id, the reply_header lines) with Transfer-Encoding:
 * chunked, then chunks, then the end; the dispatcher then sends nothing more.  A chunk write
 * returns false when the client has gone (stop producing). */
void reply_stream_start(struct req *r, int status, const char *content_type);
bool reply_stream_chunk(struct req *r, const char *data, size_t len);
void reply_stream_end(struct req *r);

/* --- request data --------------------------------------------------------------------- */
const char *req_header(const struct req *r, const char *name);
/* Reads the next bytes of a body a handler streams itself (mg_read's counterpart): bytes read,
 * 0 at the body's end, -1 when it ended before its Content-Length (the client went away or
 * stalled past the request timeout) or a read failed.  What arrived is then a prefix of
 * another request: a handler must not act on it. */
int req_read(struct req *r, char *buf, size_t size);
/* Query value, URL-decoded into buf (as sent when the decoding would hold a NUL).  1 = present,
 * 0 = absent, -1 = too long. */
int req_query(const struct req *r, const char *name, char *buf, size_t size);
/* Integer query parameter in [min, max]; absent → def.  Adds a field error when invalid. */
void req_query_int(const struct req *r, struct field_errors *fe, const char *name, long min,
                   long max, long def, long *out);
/* A query string value from a fixed list; absent → -1. Adds a field error when invalid. */
int req_query_enum(const struct req *r, struct field_errors *fe, const char *name,
                   const char *const *choices);

#endif
