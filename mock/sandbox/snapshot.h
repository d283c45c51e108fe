/* State snapshots: the whole store as newline-delimited JSON records, so a million agents are
 * written and read one record at a time, never as one document in memory.
 *
 *   {"type":"meta","format":"agentmock-state","version":3,"saved_at":...,
 *    "clock_offset_seconds":N,"alter_key_pepper":"<64 hex>"}
 *   {"type":"org", ...organization..., "webhook_settings":{...},
 *    "keys":[{"sha256","level","revoked"}]}                     Alsorn keys as hashes only
 *   then the org's own records, each kind written and read by the module that owns it:
 *   agent (alsorn/agent_snapshot.h), transaction (alsorn/transaction_snapshot.h), dispute
 *   (alsorn/dispute_snapshot.h), webhook + webhook_delivery + webhook_pending
 *   (alsorn/webhook_snapshot.h), alter_app, alter_agent, alter_key, alter_idempotency,
 *   alter_audit (alter/app_snapshot.h).
 *
 * Records come after what they name (org → agents → transactions → disputes), each kind in
 * creation order, so every index rebuilds exactly as it was.  meta carries what is the
 * process's rather than an org's: the virtual clock's offset and the pepper the Alter key
 * index is keyed with.  Loading stages everything in a store of its own and swaps it in only
 * when every record was valid (store_replace, which installs the pepper and the clock in the
 * same step), so a bad import changes nothing and a good one is seen all at once.  Saving to
 * a file writes a temporary file of its own, fsyncs it and renames it over the old one: a
 * crash during a save leaves the previous file intact.  Save, export, import and the
 * sandbox's reset run one at a time (snapshot_ops_lock).
 *
 * A snapshot holds webhook secrets and the pepper in clear: treat a state file as a secret. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>

/* One state operation at a time: save, export, import (its commit) and reset hold this.
 * Never held while reading or writing a socket. */
void snapshot_ops_lock(void);
void snapshot_ops_unlock(void);

/* Receives the snapshot's bytes in order; returns 0, or -1 to stop.  Each tenant is written
 * under its lock (a consistent cut), so out must not block on a client: write to a file. */
typedef int (*snapshot_write_fn)(void *ctx, const char *data, size_t len);
int snapshot_export(snapshot_write_fn out, void *ctx);
/* The whole state in an unlinked temporary file, rewound for reading (caller fcloses), or
 * NULL with err: GET /_mock/state sends it once no lock is held. */
FILE *snapshot_export_tmpfile(char *err, size_t err_size);

struct snapshot_loader;
struct snapshot_loader *snapshot_loader_new(void);
/* Keeps Alsorn audit entries whose hash does not match as given (a chain broken on purpose,
 * to see a verifier catch it) instead of refusing the snapshot. */
void snapshot_loader_keep_audit_as_given(struct snapshot_loader *l);
/* One record (a line, without its newline; blank lines are skipped). 0, or -1 with err. */
int snapshot_loader_line(struct snapshot_loader *l, const char *line, size_t len, char *err,
                         size_t err_size);
/* Replaces the store's contents, the Alter key pepper and the clock with what was loaded, in
 * one step, and hands restored webhook queues to the dispatcher.  0, or -1 with err (store
 * unchanged).  A fuzzer feeds snapshot_loader_line any bytes: new, lines, free. */
int snapshot_loader_commit(struct snapshot_loader *l, char *err, size_t err_size);
void snapshot_loader_free(struct snapshot_loader *l);

/* The --state file.  Save: a temp file of its own (mkstemp beside it), fsync, rename, fsync
 * of the directory. */
void snapshot_set_path(const char *path); /* NULL: no file */
const char *snapshot_path(void);
void snapshot_set_write_delay_us(long us); /* crash tests: slows each record written */
int snapshot_save_file(const char *path, char *err, size_t err_size);
/* Whether path's directory exists and a save can write there (checked at start, so a state
 * is never lost at shutdown).  0, or -1 with err. */
int snapshot_path_check(const char *path, char *err, size_t err_size);
/* Loads a file.  1 = loaded, 0 = no such file, -1 = error (err, store unchanged). */
int snapshot_load_file(const char *path, char *err, size_t err_size);

#endif
