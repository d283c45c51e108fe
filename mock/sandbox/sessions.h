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

/* The checklist: [{"name", "level", "what"}...]. */
cJSON *sessions_checklist_json(void);
/* Registers a session for org_id; writes its id (ID_LEN).  -1 when SESSIONS_MAX are open. */
int sessions_add(const char *sdk, const char *version, const char *org_id, int64_t now, char *id_out);
/* The session graded now (open) or as closed: {"id", "sdk", "version", "org_id", "status",
 * "checks": [{"name", "level", "result", "violations", "what"}...], "counts"}; NULL: unknown. */
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
