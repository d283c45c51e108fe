/* Whole-file reads for fixtures and snapshots. */
#ifndef FILES_H
#define FILES_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Returns the file's bytes NUL-terminated (caller frees), or NULL with errno set. */
char *file_read_all(const char *path, size_t *len);
/* Parses a JSON file.  On failure returns NULL and writes the reason into err. */
cJSON *file_read_json(const char *path, char *err, size_t err_size);

#endif
