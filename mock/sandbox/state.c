#include "sandbox/state.h"

#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

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
void mock_state_import(struct req *r) {
    struct snapshot_loader *l = snapshot_loader_new();
    char err[512] = "";
    /* on the heap: CivetWeb's worker stacks are small (about 100 KB) */
    char *line = NULL, *buf = malloc(READ_CHUNK);
    size_t len = 0, cap = 0, lineno = 1;
    int rc = l && buf ? 0 : -1, got;
    if (rc != 0) snprintf(err, sizeof err, "out of memory");
    while (rc == 0 && (got = mg_read(r->conn, buf, READ_CHUNK)) > 0) {
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
