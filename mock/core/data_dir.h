/* Where the installed data (share/agentmock/) is: found from the running binary, so an
 * installed tree still works after it is moved (a temporary prefix, an extracted .deb). */
#ifndef DATA_DIR_H
#define DATA_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* Writes into out the first existing directory among
 *   <directory of this executable>/../share/agentmock/<name>   (an installed tree)
 *   <compiled_datadir>/<name>                                (the configured prefix)
 * and returns true; false (out empty) when neither exists.  compiled_datadir may be NULL. */
bool data_dir_find(const char *name, const char *compiled_datadir, char *out, size_t size);

#endif
