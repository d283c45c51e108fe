/* /_mock/state and /_mock/snapshot: export, import and save the whole state (snapshot.h). */
#ifndef SANDBOX_STATE_H
#define SANDBOX_STATE_H

#include "core/http.h"

void mock_state_export(struct req *r);
void mock_state_import(struct req *r);
void mock_snapshot_save(struct req *r);

#endif
