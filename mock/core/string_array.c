#include "core/string_array.h"

#include <stdlib.h>
#include <string.h>

void string_array_free(char **array, size_t n) {
    for (size_t i = 0; i < n; i++) free(array[i]);
    free(array);
}

int string_array_replace(char ***array, size_t *n, const char *const *src, size_t src_n) {
    char **copy = calloc(src_n ? src_n : 1, sizeof *copy);
    if (!copy) return -1;
    for (size_t i = 0; i < src_n; i++) {
        if (!(copy[i] = strdup(src[i]))) {
            string_array_free(copy, i);
            return -1;
        }
    }
    string_array_free(*array, *n);
    *array = copy;
    *n = src_n;
    return 0;
}
