/* Finding share/agentmock/ from the binary's own path (see data_dir.h). */
#include "data_dir.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool data_dir_find(const char *name, const char *compiled_datadir, char *out, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0'; /* the bin/ directory */
        int w = snprintf(out, size, "%s/../share/agentmock/%s", exe, name);
        if (w > 0 && (size_t)w < size && is_dir(out)) return true;
    }
    if (compiled_datadir) {
        int w = snprintf(out, size, "%s/%s", compiled_datadir, name);
        if (w > 0 && (size_t)w < size && is_dir(out)) return true;
    }
    if (size) out[0] = '\0';
    return false;
}
