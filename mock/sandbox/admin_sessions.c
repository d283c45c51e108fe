/* /_mock/sessions: graded sessions for an SDK (sandbox/sessions.h). */
#include "sandbox/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/fields_probe.h"
#include "sandbox/provision.h"
#include "sandbox/report.h"
#include "sandbox/sessions.h"
#include "store/store.h"

/* POST /_mock/sessions {"sdk", "version"} → 201 the session (open), its org with the keys
 * (shown once) and the checklist. */
void mock_session_create(struct req *r) {
    struct field_errors fe = {0};
    const char *sdk = NULL, *version = NULL;
    v_require(&fe, v_string(&fe, r->json, "sdk", 1, 79, false, &sdk), "sdk");
    v_require(&fe, v_string(&fe, r->json, "version", 1, 39, false, &version), "version");
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    char name[160];
    snprintf(name, sizeof name, "SDK session: %s %s", sdk, version);
    struct org_spec spec = {.name = name, .plan = PLAN_ENTERPRISE, .max_agents = -1};
    struct tenant *t = provision_org(&spec);
    if (!t) return reply_error(r, 500, "internal_error", "Could not create the organization");
    char id[ID_LEN];
    if (sessions_add(sdk, version, t->id, r->now, id) != 0) {
        store_tenant_remove(t->id); /* a refused session leaves no organization behind */
        tenant_release(t);
        return reply_error(r, 409, "conflict", "At most %d sessions; POST /_mock/reset first", SESSIONS_MAX);
    }
    report_expect_fields(t->report, fields_probe_body(id)); /* before anyone has the keys */
    tenant_lock(t);
    cJSON *org = provision_org_json(t, &spec);
    tenant_unlock(t);
    tenant_release(t);
    cJSON *o = sessions_get_json(id, r->sandbox.arrived_ms);
    cJSON_AddItemToObject(o, "org", org);
    cJSON_AddItemToObject(o, "checklist", sessions_checklist_json());
    reply_json(r, 201, o);
}

/* GET /_mock/sessions → every session side by side (status, counts, result per check). */
void mock_session_list(struct req *r) { reply_json(r, 200, sessions_summary_json(r->sandbox.arrived_ms)); }

/* GET /_mock/sessions/{id}?format=json|junit|html */
void mock_session_get(struct req *r) {
    char format[8] = "json";
    struct field_errors fe = {0};
    static const char *const formats[] = {"json", "junit", "html", NULL};
    int has = req_query(r, "format", format, sizeof format);
    bool known = false;
    for (int i = 0; formats[i]; i++) known |= !strcmp(format, formats[i]);
    if (has < 0 || !known) field_error_choices(&fe, "format", formats);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    cJSON *g = sessions_get_json(r->params[0], r->sandbox.arrived_ms);
    if (!g) return reply_error(r, 404, "not_found", "No session %s", r->params[0]);
    if (!strcmp(format, "json")) return reply_json(r, 200, g);
    char *text = !strcmp(format, "junit") ? sessions_junit(g) : sessions_html(g);
    cJSON_Delete(g);
    if (!text) return reply_error(r, 500, "internal_error", "Out of memory");
    reply_raw(r, 200, !strcmp(format, "junit") ? "application/xml" : "text/html; charset=utf-8", text,
              strlen(text));
}

/* POST /_mock/sessions/{id}/close → 200 the graded session; 409 when already closed. */
void mock_session_close(struct req *r) {
    int rc = sessions_close(r->params[0], r->now, r->sandbox.arrived_ms);
    if (rc == -1) return reply_error(r, 404, "not_found", "No session %s", r->params[0]);
    if (rc == -2) return reply_error(r, 409, "conflict", "Session %s is already closed", r->params[0]);
    reply_json(r, 200, sessions_get_json(r->params[0], r->sandbox.arrived_ms));
}

/* POST /_mock/sessions/{id}/results {"check", "result": "passed"|"failed", "detail"?} → 200 the
 * session graded as of now: what the SDK's tests saw for a check only they can see. */
void mock_session_result(struct req *r) {
    struct field_errors fe = {0};
    int check = -1, result = -1;
    const char *detail = NULL;
    static const char *const results[] = {"passed", "failed", NULL};
    v_require(&fe, v_enum(&fe, r->json, "check", sessions_reported_checks(), &check), "check");
    v_require(&fe, v_enum(&fe, r->json, "result", results, &result), "result");
    v_string(&fe, r->json, "detail", 1, 199, false, &detail);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    int rc = sessions_report(r->params[0], sessions_reported_checks()[check], result == 0, detail);
    if (rc == -1) return reply_error(r, 404, "not_found", "No session %s", r->params[0]);
    if (rc == -2) return reply_error(r, 409, "conflict", "Session %s is already closed", r->params[0]);
    reply_json(r, 200, sessions_get_json(r->params[0], r->sandbox.arrived_ms));
}
