/* Reads a snapshot file ahead of its loader: a thread of its own reads lines and parses them
 * into records, in batches, while the caller's thread loads the records parsed before, and
 * frees each batch once the loader is done with it.  Parsing and freeing JSON is a third of
 * the work of loading a million agents; on two cores this way it costs no waiting. */
#ifndef SNAPSHOT_READER_H
#define SNAPSHOT_READER_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct snapshot_reader;

/* One line of a snapshot as a record (caller deletes).  A state file is outside text: NULL
 * with *problem ("is not valid UTF-8", "nests deeper than 64 levels", ...) for a line that is
 * not valid UTF-8 or not one JSON value within the guarded parse's limits. */
cJSON *snapshot_line_parse(const char *line, size_t len, const char **problem);

/* Starts reading f (which stays the caller's: close it after snapshot_reader_stop).  NULL
 * when out of memory or no thread could start.  The first call installs cJSON allocation
 * hooks for the rest of the process (see snapshot_reader.c), so make it before other threads
 * use cJSON: the start-up load does. */
struct snapshot_reader *snapshot_reader_start(FILE *f);
/* The next record in file order, blank lines skipped: 1 with *rec (owned by the reader, valid
 * until the next call; NULL with *problem for a line snapshot_line_parse refused) and its
 * 1-based line number; 0 at the end of the file; -1 when reading failed. */
int snapshot_reader_next(struct snapshot_reader *r, const cJSON **rec, const char **problem,
                         size_t *lineno);
/* Stops the thread (also midway) and frees everything. */
void snapshot_reader_stop(struct snapshot_reader *r);

#endif
