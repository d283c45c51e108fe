/* Owned arrays of strings (an agent's actions, an endpoint's events). */
#ifndef STRING_ARRAY_H
#define STRING_ARRAY_H

#include <stddef.h>

/* Replaces *array (of *n strings) with copies of src[0..n); the old strings are freed.
 * Returns 0, or -1 when out of memory (*array untouched). */
int string_array_replace(char ***array, size_t *n, const char *const *src, size_t src_n);
void string_array_free(char **array, size_t n);

#endif
