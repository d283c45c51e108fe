#include "alter/policy.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE_LIMIT_MAX 1000000
#define ALLOWLIST_MAX  100

/* "10.0.0.0/8", "2001:db8::/32", or a single address. */
static bool cidr_valid(const char *s) {
    char addr[INET6_ADDRSTRLEN + 8];
    if (strlen(s) >= sizeof addr) return false;
    snprintf(addr, sizeof addr, "%s", s);
    char *slash = strchr(addr, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        if (!slash[1] || slash[1] == '+' || slash[1] == '-') return false;
        bits = strtol(slash + 1, &end, 10);
        if (*end) return false;
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET, addr, buf) == 1) return bits <= 32;
    if (inet_pton(AF_INET6, addr, buf) == 1) return bits <= 128;
    return false;
}

/* "HH:MM", 00:00 to 23:59. */
static bool clock_time_valid(const cJSON *v) {
    if (!cJSON_IsString(v)) return false;
    const char *s = v->valuestring;
    return strlen(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' &&
           s[1] <= '9' && (s[0] < '2' || s[1] <= '3') && s[3] >= '0' && s[3] <= '5' &&
           s[4] >= '0' && s[4] <= '9';
}

static void check_allowlist(const cJSON *v, struct field_errors *fe) {
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n > ALLOWLIST_MAX) {
        field_error_add(fe, "policy.ip_allowlist", "must be an array of at most %d CIDRs",
                        ALLOWLIST_MAX);
        return;
    }
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        if (cJSON_IsString(it) && cidr_valid(it->valuestring)) continue;
        char path[48];
        snprintf(path, sizeof path, "policy.ip_allowlist[%d]", i);
        field_error_add(fe, path, "must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8");
    }
}

static void check_time_window(const cJSON *v, struct field_errors *fe) {
    if (!cJSON_IsObject(v)) {
        field_error_add(fe, "policy.time_window", "must be an object {start, end, tz}");
        return;
    }
    if (!clock_time_valid(cJSON_GetObjectItemCaseSensitive(v, "start")))
        field_error_add(fe, "policy.time_window.start", "must be HH:MM");
    if (!clock_time_valid(cJSON_GetObjectItemCaseSensitive(v, "end")))
        field_error_add(fe, "policy.time_window.end", "must be HH:MM");
    const cJSON *tz = cJSON_GetObjectItemCaseSensitive(v, "tz");
    if (tz && !(cJSON_IsString(tz) && strcmp(tz->valuestring, "UTC") == 0))
        field_error_add(fe, "policy.time_window.tz", "must be \"UTC\"");
    for (const cJSON *it = v->child; it; it = it->next) {
        if (strcmp(it->string, "start") == 0 || strcmp(it->string, "end") == 0 ||
            strcmp(it->string, "tz") == 0)
            continue;
        char path[96];
        snprintf(path, sizeof path, "policy.time_window.%.60s", it->string);
        field_error_add(fe, path, "is not a time_window field (start, end, tz)");
    }
}

void alter_policy_validate(const cJSON *policy, struct field_errors *fe) {
    for (const cJSON *it = policy->child; it; it = it->next) {
        const char *rule = it->string;
        if (strcmp(rule, "rate_limit_rpm") == 0) {
            double v = it->valuedouble;
            if (!cJSON_IsNumber(it) || v != floor(v) || v < 1 || v > RATE_LIMIT_MAX)
                field_error_add(fe, "policy.rate_limit_rpm", "must be an integer from 1 to %d",
                                RATE_LIMIT_MAX);
        } else if (strcmp(rule, "ip_allowlist") == 0) {
            check_allowlist(it, fe);
        } else if (strcmp(rule, "time_window") == 0) {
            check_time_window(it, fe);
        } else if (strcmp(rule, "require_approval") == 0) {
            if (!cJSON_IsBool(it))
                field_error_add(fe, "policy.require_approval", "must be a boolean");
        } else {
            char path[96];
            snprintf(path, sizeof path, "policy.%.60s", rule);
            field_error_add(fe, path,
                            "is not a policy rule (rate_limit_rpm, ip_allowlist, "
                            "time_window, require_approval)");
        }
    }
}
