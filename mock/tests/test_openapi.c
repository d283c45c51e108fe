/* The OpenAPI documents (mock/openapi/, served embedded at GET /_mock/openapi/{file}) against
 * the route table and the validators' constants: a route without an operation, an operation
 * without a route, a different path parameter, or a limit changed on one side only fails here. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "alsorn/limits.h"
#include "alter/agent_fields.h"
#include "alter/idempotency.h"
#include "alter/limits.h"
#include "alter/proxy_call.h"
#include "alter/trace.h"
#include "alter/vault.h"
#include "core/router.h"
#include "delivery/retry_schedule.h"
#include "sandbox/faults.h"
#include "sandbox/idempotency.h"
#include "sandbox/limits.h"
#include "sandbox/openapi.h"
#include "sandbox/sessions.h"
#include "store/dispute.h"

static const char *const doc_files[] = {
    [API_ALSORN] = "alsorn.json",
    [API_ALTER] = "alter.json",
    [API_MOCK] = "sandbox.json",
};
#define N_DOCS 3

static cJSON *doc_load(const char *file) {
    size_t len = 0;
    const char *text = openapi_document(file, &len);
    cr_assert(text, "no embedded document %s", file);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    cr_assert(doc, "the embedded %s is not JSON", file);
    return doc;
}

/* Follows one JSON pointer step at a time ("~1" is "/"), resolving local $refs on the way. */
static const cJSON *resolve(const cJSON *doc, const cJSON *node);

static const cJSON *pointer(const cJSON *doc, const char *ptr) {
    const cJSON *node = doc;
    const char *p = ptr;
    while (node && *p == '/') {
        p++;
        char token[256];
        size_t n = 0;
        while (*p && *p != '/' && n < sizeof token - 1) {
            if (p[0] == '~' && p[1] == '1') token[n++] = '/', p += 2;
            else if (p[0] == '~' && p[1] == '0') token[n++] = '~', p += 2;
            else token[n++] = *p++;
        }
        token[n] = '\0';
        node = resolve(doc, node);
        if (cJSON_IsArray(node) && isdigit((unsigned char)token[0]))
            node = cJSON_GetArrayItem(node, atoi(token));
        else
            node = cJSON_GetObjectItemCaseSensitive(node, token);
    }
    return node ? resolve(doc, node) : NULL;
}

static const cJSON *resolve(const cJSON *doc, const cJSON *node) {
    for (int hops = 0; hops < 16; hops++) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
        if (!cJSON_IsString(ref) || ref->valuestring[0] != '#') return node;
        node = pointer(doc, ref->valuestring + 1);
        if (!node) return NULL;
    }
    return NULL;
}

/* ---- the route table and the documents ----------------------------------------------------- */

static char problems[16384];

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...) {
    size_t used = strlen(problems);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problems + used, sizeof problems - used, fmt, ap);
    va_end(ap);
    used = strlen(problems);
    if (used + 1 < sizeof problems) strcat(problems, "\n");
}

/* The {param} names of a pattern, in order, as "id,key_id". */
static void pattern_params(const char *pattern, char *out, size_t size) {
    out[0] = '\0';
    for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) break;
        if (out[0]) strncat(out, ",", size - strlen(out) - 1);
        strncat(out, p + 1, (size_t)(end - p - 1) < size - strlen(out) - 1 ? (size_t)(end - p - 1)
                                                                         : size - strlen(out) - 1);
    }
}

/* The operation's parameters "in": "path" (its own and its path item's), in pattern order as
 * far as they appear there; names the pattern lacks are appended. */
static void operation_path_params(const cJSON *doc, const cJSON *item, const cJSON *op,
                                  const char *pattern, char *out, size_t size) {
    const char *names[16];
    int n = 0;
    const cJSON *lists[2] = {cJSON_GetObjectItemCaseSensitive(item, "parameters"),
                             cJSON_GetObjectItemCaseSensitive(op, "parameters")};
    for (int l = 0; l < 2; l++) {
        const cJSON *p;
        cJSON_ArrayForEach(p, lists[l]) {
            const cJSON *param = resolve(doc, p);
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(param, "in");
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(param, "name");
            if (cJSON_IsString(in) && !strcmp(in->valuestring, "path") && cJSON_IsString(name) && n < 16)
                names[n++] = name->valuestring;
        }
    }
    out[0] = '\0';
    bool used[16] = {false};
    char want[256];
    pattern_params(pattern, want, sizeof want);
    for (char *save = NULL, *tok = strtok_r(want, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        for (int i = 0; i < n; i++)
            if (!used[i] && !strcmp(names[i], tok)) {
                used[i] = true;
                if (out[0]) strncat(out, ",", size - strlen(out) - 1);
                strncat(out, tok, size - strlen(out) - 1);
                break;
            }
    for (int i = 0; i < n; i++)
        if (!used[i]) {
            if (out[0]) strncat(out, ",", size - strlen(out) - 1);
            strncat(out, names[i], size - strlen(out) - 1);
        }
}

static const char *const http_methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace", NULL};

/* Lists in `problems` every disagreement between the routes and the documents. */
static void check_routes(cJSON *const docs[N_DOCS], const struct route *table, size_t n) {
    problems[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct route *rt = &table[i];
        const cJSON *doc = docs[rt->api];
        char method[16];
        snprintf(method, sizeof method, "%s", rt->method);
        for (char *c = method; *c; c++) *c = (char)tolower((unsigned char)*c);
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"), rt->pattern);
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(item, method);
        if (!op) {
            problem("route %s %s has no operation in %s", rt->method, rt->pattern, doc_files[rt->api]);
            continue;
        }
        char want[256], got[256];
        pattern_params(rt->pattern, want, sizeof want);
        operation_path_params(doc, item, op, rt->pattern, got, sizeof got);
        if (strcmp(want, got) != 0)
            problem("%s %s in %s: path parameters [%s], the route has [%s]", rt->method, rt->pattern,
                    doc_files[rt->api], got, want);
    }
    for (int d = 0; d < N_DOCS; d++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(docs[d], "paths")) {
            for (int m = 0; http_methods[m]; m++) {
                if (!cJSON_GetObjectItemCaseSensitive(item, http_methods[m])) continue;
                bool found = false;
                for (size_t i = 0; i < n && !found; i++)
                    found = (int)table[i].api == d && !strcasecmp(table[i].method, http_methods[m]) &&
                            !strcmp(table[i].pattern, item->string);
                if (!found)
                    problem("%s: operation %s %s has no route in mock/routes.c", doc_files[d],
                            http_methods[m], item->string);
            }
        }
    }
}

Test(openapi, every_route_has_an_operation_and_every_operation_a_route) {
    cJSON *docs[N_DOCS];
    for (int d = 0; d < N_DOCS; d++) docs[d] = doc_load(doc_files[d]);
    check_routes(docs, routes, n_routes);
    for (int d = 0; d < N_DOCS; d++) cJSON_Delete(docs[d]);
    cr_expect(problems[0] == '\0', "the route table and mock/openapi/ disagree:\n%s", problems);
}

/* The check above can fail, in each direction and on a renamed path parameter. */
Test(openapi, each_kind_of_disagreement_is_reported) {
    cJSON *docs[N_DOCS];
    for (int d = 0; d < N_DOCS; d++) docs[d] = doc_load(doc_files[d]);
    static const struct route table[] = {
        {"GET", "/agents/{id}/verify", NULL, 0, API_ALSORN, BODY_IGNORED},       /* agrees */
        {"GET", "/agents/{agent_id}/audit", NULL, 0, API_ALSORN, BODY_IGNORED},  /* no such path */
        {"PUT", "/agents/{id}", NULL, 0, API_ALSORN, BODY_IGNORED},              /* no such method */
        {"GET", "/sdk/agents/me", NULL, 0, API_ALSORN, BODY_IGNORED},            /* wrong document */
    };
    check_routes(docs, table, sizeof table / sizeof table[0]);
    cr_expect(strstr(problems, "route GET /agents/{agent_id}/audit has no operation in alsorn.json"), "%s", problems);
    cr_expect(strstr(problems, "route PUT /agents/{id} has no operation"), "%s", problems);
    cr_expect(strstr(problems, "route GET /sdk/agents/me has no operation in alsorn.json"), "%s", problems);
    cr_expect(strstr(problems, "alsorn.json: operation post /agents has no route"), "%s", problems);
    cr_expect(strstr(problems, "alter.json: operation get /sdk/agents/me has no route"), "%s", problems);
    cr_expect(!strstr(problems, "/agents/{id}/verify"), "%s", problems);

    /* an operation whose path parameter is named differently from the route's */
    cJSON *param = (cJSON *)pointer(docs[API_ALSORN], "/paths/~1agents~1{id}~1verify/get/parameters/0");
    cJSON *renamed = cJSON_CreateObject();
    cJSON_AddStringToObject(renamed, "name", "agent_id");
    cJSON_AddStringToObject(renamed, "in", "path");
    cr_assert(param);
    cJSON *params = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(docs[API_ALSORN], "paths"),
                                             "/agents/{id}/verify"), "get"), "parameters");
    cJSON_ReplaceItemInArray(params, 0, renamed);
    check_routes(docs, table, 1);
    cr_expect(strstr(problems, "GET /agents/{id}/verify in alsorn.json: path parameters [agent_id], the route has [id]"),
              "%s", problems);
    for (int d = 0; d < N_DOCS; d++) cJSON_Delete(docs[d]);
}

Test(openapi, served_documents_are_openapi_3_1) {
    for (int d = 0; d < N_DOCS; d++) {
        cJSON *doc = doc_load(doc_files[d]);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "openapi");
        cr_expect(cJSON_IsString(v) && !strcmp(v->valuestring, "3.1.0"), "%s: openapi 3.1.0", doc_files[d]);
        cJSON_Delete(doc);
    }
    size_t len;
    cr_expect_null(openapi_document("nope.json", &len));
}

/* ---- limits: the documents state what the validators enforce ------------------------------- */

struct limit {
    int doc;           /* enum api */
    const char *where; /* JSON pointer */
    double number;     /* expected number, or */
    const char *text;  /* expected string (when not NULL) */
};

#define NUM(d, w, v) {d, w, (double)(v), NULL}
#define STR(d, w, v) {d, w, 0, v}
#define S_ALSORN "/components/schemas/"
#define XSTR(x) #x
#define DIGITS(x) XSTR(x)

static const struct limit limits[] = {
    /* Alsorn (alsorn/limits.h) */
    NUM(API_ALSORN, S_ALSORN "AgentRegister/properties/name/minLength", AGENT_NAME_MIN),
    NUM(API_ALSORN, S_ALSORN "AgentRegister/properties/name/maxLength", AGENT_NAME_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentRegister/properties/description/maxLength", AGENT_DESCRIPTION_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentRegister/properties/authorized_actions/maxItems", AGENT_ACTIONS_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentRegister/properties/spending_limit/maximum", ALSORN_MONEY_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentUpdate/properties/name/minLength", AGENT_NAME_MIN),
    NUM(API_ALSORN, S_ALSORN "AgentUpdate/properties/name/maxLength", AGENT_NAME_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentUpdate/properties/description/maxLength", AGENT_DESCRIPTION_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentUpdate/properties/authorized_actions/maxItems", AGENT_ACTIONS_MAX),
    NUM(API_ALSORN, S_ALSORN "AgentUpdate/properties/spending_limit/maximum", ALSORN_MONEY_MAX),
    STR(API_ALSORN, S_ALSORN "AgentRegister/properties/authorized_actions/items/pattern",
        "^[a-z][a-z0-9_.:-]{0," DIGITS(ALSORN_ACTION_MAX) "}$"), /* see the check below */
    NUM(API_ALSORN, "/paths/~1agents/get/parameters/2/schema/maxLength", AGENT_NAME_MAX),
    NUM(API_ALSORN, "/components/parameters/Limit/schema/maximum", ALSORN_PAGE_LIMIT_MAX),
    NUM(API_ALSORN, "/components/parameters/Limit/schema/default", ALSORN_PAGE_LIMIT_DEFAULT),
    NUM(API_ALSORN, "/components/parameters/IdempotencyKey/schema/maxLength", IDEM_KEY_MAX),
    NUM(API_ALSORN, S_ALSORN "TransactionCreate/properties/amount/maximum", ALSORN_MONEY_MAX),
    NUM(API_ALSORN, S_ALSORN "TransactionCreate/properties/agent_id/maxLength", ALSORN_ID_ARG_MAX),
    NUM(API_ALSORN, S_ALSORN "TransactionCreate/properties/counterparty_id/maxLength", ALSORN_ID_ARG_MAX),
    NUM(API_ALSORN, S_ALSORN "TransactionCreate/properties/notes/maxLength", TX_NOTES_MAX),
    NUM(API_ALSORN, S_ALSORN "Reverse/properties/reason/maxLength", TX_REASON_MAX),
    NUM(API_ALSORN, S_ALSORN "DisputeReport/properties/agent_id/maxLength", ALSORN_ID_ARG_MAX),
    NUM(API_ALSORN, S_ALSORN "DisputeReport/properties/reason/maxLength", DISPUTE_REASON_MAX),
    NUM(API_ALSORN, S_ALSORN "DisputeReport/properties/evidence/maxLength", DISPUTE_EVIDENCE_MAX),
    NUM(API_ALSORN, S_ALSORN "DisputeReport/properties/evidence_ids/maxItems", DISPUTE_MAX_EVIDENCE),
    NUM(API_ALSORN, S_ALSORN "TrustQuery/properties/agent_ids/maxItems", TRUST_QUERY_MAX),
    NUM(API_ALSORN, S_ALSORN "TrustEvaluate/properties/amount/maximum", ALSORN_MONEY_MAX),
    NUM(API_ALSORN, S_ALSORN "TrustEvaluate/properties/action/maxLength", ALSORN_ACTION_MAX),
    NUM(API_ALSORN, "/paths/~1trust~1{agent_id}~1history/get/parameters/1/schema/maximum", TRUST_HISTORY_DAYS_MAX),
    NUM(API_ALSORN, "/paths/~1trust~1{agent_id}~1history/get/parameters/1/schema/default", TRUST_HISTORY_DAYS),
    NUM(API_ALSORN, S_ALSORN "WebhookCreate/properties/url/maxLength", WEBHOOK_URL_MAX),
    NUM(API_ALSORN, S_ALSORN "WebhookCreate/properties/events/oneOf/0/maxItems", WEBHOOK_EVENTS_MAX),
    NUM(API_ALSORN, S_ALSORN "WebhookUpdate/properties/url/maxLength", WEBHOOK_URL_MAX),
    NUM(API_ALSORN, S_ALSORN "WebhookEvents/oneOf/0/maxItems", WEBHOOK_EVENTS_MAX),
    /* Alter (alter/limits.h and the headers it names) */
    NUM(API_ALTER, S_ALSORN "AgentCreate/properties/name/maxLength", ALTER_NAME_MAX),
    STR(API_ALTER, S_ALSORN "AgentCreate/properties/name/pattern", "^[a-z0-9][a-z0-9_-]{1," DIGITS(ALTER_NAME_MAX) "}$"),
    NUM(API_ALTER, S_ALSORN "AgentCreate/properties/display_name/maxLength", ALTER_DISPLAY_NAME_MAX),
    NUM(API_ALTER, S_ALSORN "AgentUpdate/properties/display_name/maxLength", ALTER_DISPLAY_NAME_MAX),
    NUM(API_ALTER, S_ALSORN "AgentCreate/properties/metadata/x-max-bytes", ALTER_METADATA_MAX),
    NUM(API_ALTER, S_ALSORN "AgentUpdate/properties/metadata/x-max-bytes", ALTER_METADATA_MAX),
    NUM(API_ALTER, S_ALSORN "ScopeMap/maxProperties", ALTER_PROVIDERS_MAX),
    NUM(API_ALTER, S_ALSORN "ScopeMap/propertyNames/maxLength", ALTER_PROVIDER_NAME_MAX),
    NUM(API_ALTER, S_ALSORN "ScopeMap/additionalProperties/maxItems", ALTER_SCOPES_PER_PROVIDER),
    NUM(API_ALTER, S_ALSORN "ScopeMap/additionalProperties/items/maxLength", ALTER_SCOPE_NAME_MAX),
    NUM(API_ALTER, S_ALSORN "Policy/properties/rate_limit_rpm/maximum", POLICY_RATE_LIMIT_MAX),
    NUM(API_ALTER, S_ALSORN "Policy/properties/ip_allowlist/maxItems", POLICY_ALLOWLIST_MAX),
    NUM(API_ALTER, S_ALSORN "KeyMint/properties/name/maxLength", ALTER_KEY_NAME_MAX),
    NUM(API_ALTER, "/components/parameters/ListLimit/schema/maximum", ALTER_LIST_LIMIT_MAX),
    NUM(API_ALTER, "/components/parameters/ListLimit/schema/default", ALTER_LIST_LIMIT_DEFAULT),
    NUM(API_ALTER, "/components/parameters/AuditLimit/schema/maximum", ALTER_AUDIT_LIMIT_MAX),
    NUM(API_ALTER, "/components/parameters/AuditLimit/schema/default", ALTER_AUDIT_LIMIT_DEFAULT),
    NUM(API_ALTER, "/components/parameters/IdempotencyKey/schema/maxLength", IDEMPOTENCY_KEY_MAX),
    NUM(API_ALTER, "/components/parameters/RunId/schema/maxLength", TRACE_VALUE_MAX),
    NUM(API_ALTER, S_ALSORN "VaultRequest/properties/url/maxLength", VAULT_URL_MAX),
    NUM(API_ALTER, S_ALSORN "VaultRequest/properties/reason/maxLength", VAULT_REASON_MAX),
    NUM(API_ALTER, S_ALSORN "VaultRequest/properties/context/x-max-bytes", VAULT_CONTEXT_MAX),
    NUM(API_ALTER, S_ALSORN "GrantRevoke/properties/reason/maxLength", VAULT_REASON_MAX),
    NUM(API_ALTER, S_ALSORN "ProxyRequest/allOf/1/properties/headers/maxProperties", PROXY_HEADERS_MAX),
    NUM(API_ALTER, S_ALSORN "ProxyRequest/allOf/1/properties/headers/additionalProperties/maxLength", PROXY_HEADER_VALUE_MAX),
    /* Sandbox (sandbox/limits.h) */
    NUM(API_MOCK, S_ALSORN "OrgSettings/properties/rate_limit/maximum", ORG_RATE_LIMIT_MAX),
    NUM(API_MOCK, S_ALSORN "OrgSettings/properties/alter_rate_limit_rpm/maximum", ORG_RATE_LIMIT_MAX),
    NUM(API_MOCK, S_ALSORN "OrgSettings/properties/rate_window_seconds/maximum", ORG_RATE_WINDOW_MAX),
    NUM(API_MOCK, S_ALSORN "OrgSettings/properties/max_agents/maximum", ORG_MAX_AGENTS_MAX),
    NUM(API_MOCK, S_ALSORN "FaultCreate/properties/latency_ms/maximum", FAULT_LATENCY_MAX_MS),
    NUM(API_MOCK, S_ALSORN "FaultCreate/properties/retry_after/maximum", FAULT_RETRY_AFTER_MAX),
    NUM(API_MOCK, S_ALSORN "WebhookSettingsUpdate/properties/retry_base_ms/maximum", WEBHOOK_RETRY_BASE_MS_MAX),
    NUM(API_MOCK, S_ALSORN "WebhookSettingsUpdate/properties/max_attempts/maximum", WEBHOOK_MAX_ATTEMPTS_LIMIT),
    NUM(API_MOCK, S_ALSORN "WebhookSettingsUpdate/properties/timeout_ms/maximum", WEBHOOK_TIMEOUT_MS_MAX),
    NUM(API_MOCK, S_ALSORN "Generate/properties/agents/maximum", MAX_GENERATED_AGENTS),
    NUM(API_MOCK, S_ALSORN "Generate/properties/transactions/maximum", MAX_GENERATED_TRANSACTIONS),
    NUM(API_MOCK, S_ALSORN "SequenceCreate/properties/steps/maxItems", SEQUENCE_STEPS_MAX),
    NUM(API_MOCK, S_ALSORN "SequenceStepCreate/properties/latency_ms/maximum", FAULT_LATENCY_MAX_MS),
    NUM(API_MOCK, S_ALSORN "SequenceStepCreate/properties/retry_after/maximum", FAULT_RETRY_AFTER_MAX),
    NUM(API_MOCK, S_ALSORN "SequenceCreate/properties/retry_within_ms/maximum", FAULT_RETRY_WITHIN_MAX_MS),
    NUM(API_MOCK, S_ALSORN "FaultCreate/properties/retry_within_ms/maximum", FAULT_RETRY_WITHIN_MAX_MS),
};

Test(openapi, field_limits_are_the_validators_constants) {
    cJSON *docs[N_DOCS];
    for (int d = 0; d < N_DOCS; d++) docs[d] = doc_load(doc_files[d]);
    problems[0] = '\0';
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        const struct limit *l = &limits[i];
        const cJSON *v = pointer(docs[l->doc], l->where);
        if (l->text) {
            /* A pattern's {0,N} counts the characters after the first: N is the max - 1. */
            char want[128];
            snprintf(want, sizeof want, "%s", l->text);
            char *brace = strstr(want, ",");
            if (brace) {
                long max = strtol(brace + 1, NULL, 10);
                char tail[64];
                snprintf(tail, sizeof tail, "%s", strchr(brace, '}'));
                snprintf(brace + 1, sizeof want - (size_t)(brace + 1 - want), "%ld%s", max - 1, tail);
            }
            if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
                problem("%s %s: %s, the validator's is %s", doc_files[l->doc], l->where,
                        cJSON_IsString(v) ? v->valuestring : "(missing)", want);
        } else if (!cJSON_IsNumber(v) || v->valuedouble != l->number) {
            problem("%s %s: %s%.17g, the validator's is %.17g", doc_files[l->doc], l->where,
                    cJSON_IsNumber(v) ? "" : "(missing) ", cJSON_IsNumber(v) ? v->valuedouble : 0.0,
                    l->number);
        }
    }
    for (int d = 0; d < N_DOCS; d++) cJSON_Delete(docs[d]);
    cr_expect(problems[0] == '\0', "mock/openapi/ and the validators' limits disagree:\n%s", problems);
}

/* The checks a session takes from the SDK's tests are the document's enum, in both directions:
 * a check added to the table and not to the document would be refused by a validating proxy. */
Test(openapi, reported_session_checks_are_the_documents_enum) {
    cJSON *doc = doc_load(doc_files[API_MOCK]);
    const cJSON *choices = pointer(doc, S_ALSORN "SessionResult/properties/check/enum");
    cr_assert(cJSON_IsArray(choices), "SessionResult.check has no enum");
    const char *const *names = sessions_reported_checks();
    int n = 0;
    for (; names[n]; n++) {
        bool found = false;
        const cJSON *c;
        cJSON_ArrayForEach(c, choices) found = found || !strcmp(c->valuestring, names[n]);
        cr_expect(found, "check %s is reported by the SDK's tests but not in SessionResult.check", names[n]);
    }
    cr_expect_eq(cJSON_GetArraySize(choices), n, "SessionResult.check has %d entries, the table %d",
                 cJSON_GetArraySize(choices), n);
    cJSON_Delete(doc);
}
