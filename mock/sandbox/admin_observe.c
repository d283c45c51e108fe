/* What the sandbox saw: the request journal and the SDK report. */
#include "sandbox/admin.h"

#include <stdlib.h>

#include "sandbox/journal.h"
#include "sandbox/report.h"
#include "store/store.h"

/* GET /_mock/requests?limit=1..10000 (default 100)&org_id=&path_prefix= → {"data": [...]}
 * newest first. */
void mock_requests_list(struct req *r) {
    struct field_errors fe = {0};
    long limit;
    char org[ID_LEN], prefix[512];
    req_query_int(r, &fe, "limit", 1, JOURNAL_DEFAULT_SIZE, 100, &limit);
    int has_org = req_query(r, "org_id", org, sizeof org);
    int has_prefix = req_query(r, "path_prefix", prefix, sizeof prefix);
    if (has_org < 0) field_error_add(&fe, "org_id", "must be at most %d characters", ID_LEN - 1);
    if (has_prefix < 0) field_error_add(&fe, "path_prefix", "must be at most %zu characters", sizeof prefix - 1);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    reply_json(r, 200, journal_json(limit, has_org > 0 ? org : NULL, has_prefix > 0 ? prefix : NULL));
}

/* DELETE /_mock/requests → 204 */
void mock_requests_clear(struct req *r) {
    journal_clear();
    reply_empty(r, 204);
}

static cJSON *org_report(struct tenant *t, int64_t now_ms) {
    cJSON *o = report_org_json(t, now_ms);
    cJSON_AddStringToObject(o, "org_id", t->id);
    return o;
}

/* GET /_mock/report?org_id= → that org's {"org_id", "coverage", "violations"}; without org_id
 * {"organizations": [...], "unauthenticated": {...}} (requests that had no valid key). */
void mock_report(struct req *r) {
    char org[ID_LEN];
    int has_org = req_query(r, "org_id", org, sizeof org);
    if (has_org != 0) {
        struct tenant *t = has_org > 0 ? store_tenant_get(org) : NULL;
        if (!t) return reply_error(r, 404, "not_found", "No such organization");
        cJSON *o = org_report(t, r->sandbox.arrived_ms);
        tenant_release(t);
        return reply_json(r, 200, o);
    }
    size_t n = 0;
    struct tenant **list = store_tenants_retain(&n); /* rendered outside the directory lock */
    cJSON *o = cJSON_CreateObject();
    cJSON *orgs = cJSON_AddArrayToObject(o, "organizations");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(orgs, org_report(list[i], r->sandbox.arrived_ms));
        tenant_release(list[i]);
    }
    free(list);
    cJSON_AddItemToObject(o, "unauthenticated", report_json(report_unauthenticated()));
    reply_json(r, 200, o);
}
