/* Alter's audit (alter.md §6): the row every authenticated call writes, and the endpoints that
 * read and verify the app's chain. */
#ifndef ALTER_AUDIT_H
#define ALTER_AUDIT_H

#include "alter/audit_log.h"
#include "core/http.h"

/* Appends the call's row to the caller's app chain: called once per request by the
 * dispatcher after the handler and before the reply is sent.  Calls whose key was not
 * recognised (401) have no app and write nothing.  A row that cannot be written turns the
 * reply into 500 internal_error. */
void alter_audit_record(struct req *r);

/* The row r would write now (its status so far), without r's details: the origin that later
 * steps of the request (an approval's decision and execution) copy.  NULL when out of memory. */
struct alter_audit_row *alter_audit_row_of_request(const struct req *r);

void alter_audit_list(struct req *r);
void alter_audit_verify(struct req *r);

#endif
