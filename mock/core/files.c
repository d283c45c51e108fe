#include "core/files.h"
#include "core/json_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *file_read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

cJSON *file_read_json(const char *path, char *err, size_t err_size) {
    size_t len;
    char *text = file_read_all(path, &len);
    if (!text) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    enum json_parse_error why;
    cJSON *json = json_parse_guarded(text, len, JSON_MAX_DEPTH, &why);
    char reason[64];
    if (!json)
        snprintf(err, err_size, "%s %s", path,
                 json_parse_error_text(why, JSON_MAX_DEPTH, reason, sizeof reason));
    free(text);
    return json;
}
