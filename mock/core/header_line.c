#include "header_line.h"

#include <string.h>
#include <strings.h>

bool header_line_is_status(const char *data, size_t n) {
    return n > 5 && strncmp(data, "HTTP/", 5) == 0;
}

/* RFC 9110 §5.1: a field name is a token. */
static bool is_token(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c && strchr("!#$%&'*+-.^_`|~", c))))
            return false;
    }
    return n > 0;
}

bool header_line_split(const char *data, size_t n, char *name, size_t name_size, char *value,
                       size_t value_size) {
    const char *colon = memchr(data, ':', n);
    if (!colon || !is_token(data, (size_t)(colon - data))) return false;
    size_t name_len = (size_t)(colon - data), value_len = n - name_len - 1;
    const char *v = colon + 1;
    while (value_len && (*v == ' ' || *v == '\t')) {
        v++;
        value_len--;
    }
    while (value_len && strchr("\r\n \t", v[value_len - 1]))
        value_len--;
    if (!name_len || name_len >= name_size || value_len >= value_size) return false;
    memcpy(name, data, name_len);
    name[name_len] = '\0';
    memcpy(value, v, value_len);
    value[value_len] = '\0';
    return true;
}

bool header_is_credential(const char *name) {
    static const char *const credentials[] = {"Authorization", "Cookie", "x-api-key",
                                              "x-amz-security-token", NULL};
    for (int i = 0; credentials[i]; i++)
        if (strcasecmp(credentials[i], name) == 0) return true;
    return false;
}
