#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level current = LOG_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

int log_set_level_name(const char *name) {
    for (int i = 0; i <= LOG_DEBUG; i++) {
        if (strcmp(name, names[i]) == 0) {
            current = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_level(enum log_level level) { current = level; }

int log_enabled(enum log_level level) { return level <= current; }

void log_msg(enum log_level level, const char *fmt, ...) {
    if (level > current) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "agentmock %s: %s\n", names[level], line);
}
