/* Graded sessions (/_mock/sessions): an SDK (name, version) gets its own org and a checklist
 * of required, recommended and optional checks; closing the session grades each check from
 * the org's report: failed (the SDK did it wrong), passed (exercised, never wrong), and when
 * it was never exercised, incomplete (a required check: the session cannot pass) or declined.
 * Never a silent green.  Exports: JSON, JUnit XML, a self-contained HTML page. */
#ifndef SESSIONS_H
#define SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define SESSIONS_MAX 256

/* The checklist: [{"name", "level", "graded_from", "what"}...]. */
cJSON *sessions_checklist_json(void);
/* The checks the SDK's own tests report (graded_from "sdk_tests"), NULL-terminated. */
const char *const *sessions_reported_checks(void);
/* What the SDK's tests saw for such a check (detail may be NULL).  0, -1 unknown session,
 * -2 closed, -3 not a check the tests report.  Passed only counts once the org's traffic
 * shows the case was met (the statuses served, a verified: false answer). */
int sessions_report(const char *id, const char *check, bool passed, const char *detail);
/* Whether id is a session still open. */
bool sessions_open(const char *id);
/* The webhook receiver probe's verdict for the session (webhook_receiver).  0, -1, -2. */
int sessions_record_probe(const char *id, bool passed, const char *detail);
/* Registers a session for org_id; writes its id (ID_LEN).  -1 when SESSIONS_MAX are open. */
int sessions_add(const char *sdk, const char *version, const char *org_id, int64_t now, char *id_out);
/* The session graded now (open) or as closed: {"id", "sdk", "version", "org_id", "status",
 * "fields_probe": {"method", "path", "body"}, "checks": [{"name", "level", "result",
 * "violations", "what", "detail"?}...], "counts"}; NULL: unknown. */
cJSON *sessions_get_json(const char *id, int64_t now_ms);
/* Grades and closes it.  0, -1 unknown id, -2 already closed. */
int sessions_close(const char *id, int64_t now, int64_t now_ms);
/* {"data": [summary per session, newest first]}: sessions side by side. */
cJSON *sessions_summary_json(int64_t now_ms);
/* A graded session (sessions_get_json) as JUnit XML / a self-contained HTML page (malloc'd). */
char *sessions_junit(const cJSON *graded);
char *sessions_html(const cJSON *graded);
void sessions_clear(void);

#endif
