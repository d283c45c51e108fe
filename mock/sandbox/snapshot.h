/* State snapshots: the whole store as newline-delimited JSON records, so a million agents are
 * written and read one record at a time, never as one document in memory.
 *
 *   {"type":"meta","format":"agentmock-state","version":1,"saved_at":...,"clock_offset_seconds":N}
 *   {"type":"org", ...organization..., "keys":[{"sha256","level","revoked"}]}   keys as hashes only
 *   {"type":"agent","org_id", ...agent..., "audit":[...]}
 *
 * Loading stages everything first and replaces the store only when every record was valid,
 * so a bad import changes nothing.  Saving to a file writes a temporary file, fsyncs it and
 * renames it over the old one: a crash during a save leaves the previous file intact. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stddef.h>

/* Receives the snapshot's bytes in order; returns 0, or -1 to stop. */
typedef int (*snapshot_write_fn)(void *ctx, const char *data, size_t len);
int snapshot_export(snapshot_write_fn out, void *ctx);

struct snapshot_loader;
struct snapshot_loader *snapshot_loader_new(void);
/* One record (a line, without its newline; blank lines are skipped). 0, or -1 with err. */
int snapshot_loader_line(struct snapshot_loader *l, const char *line, size_t len, char *err,
                         size_t err_size);
/* Replaces the store's contents with what was loaded.  0, or -1 with err (store unchanged). */
int snapshot_loader_commit(struct snapshot_loader *l, char *err, size_t err_size);
void snapshot_loader_free(struct snapshot_loader *l);

/* The --state file.  Save: temp file, fsync, rename, fsync of the directory. */
void snapshot_set_path(const char *path); /* NULL: no file */
const char *snapshot_path(void);
void snapshot_set_write_delay_us(long us); /* crash tests: slows each record written */
int snapshot_save_file(const char *path, char *err, size_t err_size);
/* Loads a file.  1 = loaded, 0 = no such file, -1 = error (err, store unchanged). */
int snapshot_load_file(const char *path, char *err, size_t err_size);

#endif
