#include "sandbox/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "sandbox/snapshot.h"
#include "core/text_copy.h"

#define READ_CHUNK  65536
#define WRITE_CHUNK 65536

/* GET /_mock/state: NDJSON.  The state is rendered first, each tenant under its lock, into a
 * temporary file, and sent from there once no lock is held: a client that stops reading
 * stalls only its own connection, never a tenant (nor a save, import or reset). */
void mock_state_export(struct req *r) {
    char err[256];
    FILE *f = snapshot_export_tmpfile(err, sizeof err);
    char *buf = f ? malloc(WRITE_CHUNK) : NULL;
    if (!buf) {
        if (f) fclose(f);
        return reply_error(r, 500, "internal_error", "%s", f ? "Out of memory" : err);
    }
    reply_header(r, "Content-Disposition", "attachment; filename=\"agentmock-state.ndjson\"");
    reply_stream_start(r, 200, "application/x-ndjson");
    bool sent = true;
    size_t got;
    while (sent && (got = fread(buf, 1, WRITE_CHUNK, f)) > 0)
        sent = reply_stream_chunk(r, buf, got);
    if (sent && !ferror(f)) reply_stream_end(r);
    else r->reply.close = true; /* the client sees a truncated body, never a complete-looking one */
    free(buf);
    fclose(f);
}

/* PUT /_mock/state: the body is a snapshot; nothing changes unless all of it loads. */
/* PUT /_mock/state[?audit_chains=verify|as_given] with NDJSON.  By default an audit chain that
 * does not verify refuses the whole snapshot; as_given keeps its entries with the hashes given,
 * so a sandbox can hold a broken chain for a verifier (an SDK's, the dashboard's) to catch. */
void mock_state_import(struct req *r) {
    static const char *const audit_modes[] = {"verify", "as_given", NULL};
    struct field_errors fe = {0};
    int audit_mode = req_query_enum(r, &fe, "audit_chains", audit_modes);
    if (field_errors_any(&fe)) {
        r->reply.close = true; /* the body is not read */
        return reply_validation(r, &fe);
    }
    struct snapshot_loader *l = snapshot_loader_new();
    if (l && audit_mode == 1) snapshot_loader_keep_audit_as_given(l);
    char err[512] = "";
    /* on the heap: CivetWeb's worker stacks are small (about 100 KB) */
    char *line = NULL, *buf = malloc(READ_CHUNK);
    size_t len = 0, cap = 0, lineno = 1;
    int rc = l && buf ? 0 : -1, got;
    if (rc != 0) snprintf(err, sizeof err, "out of memory");
    while (rc == 0 && (got = req_read(r, buf, READ_CHUNK)) > 0) {
        for (int i = 0; i < got && rc == 0; i++) {
            if (buf[i] == '\n') {
                rc = snapshot_loader_line(l, line ? line : "", len, err, sizeof err);
                len = 0;
                if (rc == 0) lineno++; /* a refused line is the one the error names */
                continue;
            }
            if (len + 1 >= cap) {
                cap = cap ? cap * 2 : 4096;
                char *nl = realloc(line, cap);
                if (!nl) {
                    rc = -1;
                    snprintf(err, sizeof err, "out of memory");
                    break;
                }
                line = nl;
            }
            line[len++] = buf[i];
        }
    }
    if (rc == 0 && got < 0) { /* a prefix of a snapshot is not the snapshot */
        rc = -1;
        snprintf(err, sizeof err, "the body ended before its Content-Length; nothing imported");
    }
    if (rc == 0 && len) rc = snapshot_loader_line(l, line, len, err, sizeof err);
    free(line);
    free(buf);
    if (rc == 0) rc = snapshot_loader_commit(l, err, sizeof err);
    else r->reply.close = true; /* the rest of the body was not read */
    snapshot_loader_free(l);
    if (rc != 0) {
        char why[600];
        text_copy(why, sizeof why, err);
        return reply_error(r, 422, "invalid_snapshot", "Line %zu: %s", lineno, why);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "imported", true);
    reply_json(r, 200, o);
}

/* POST /_mock/snapshot: saves to the --state file now. */
void mock_snapshot_save(struct req *r) {
    const char *path = snapshot_path();
    if (!path)
        return reply_error(r, 409, "conflict", "Start agentmock with --state FILE to save snapshots");
    char err[512];
    int64_t started = clock_now_ms();
    if (snapshot_save_file(path, err, sizeof err) != 0)
        return reply_error(r, 500, "internal_error", "%s", err);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddNumberToObject(o, "duration_ms", (double)(clock_now_ms() - started));
    reply_json(r, 200, o);
}
