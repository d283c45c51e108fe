#include "alter/policy.h"
#include "alter/limits.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cidr.h"


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
    if (!cJSON_IsArray(v) || n > POLICY_ALLOWLIST_MAX) {
        field_error_add(fe, "policy.ip_allowlist", "must be an array of at most %d CIDRs",
                        POLICY_ALLOWLIST_MAX);
        return;
    }
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        struct cidr block;
        if (cJSON_IsString(it) && cidr_parse(it->valuestring, &block)) continue;
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
            if (!cJSON_IsNumber(it) || v != floor(v) || v < 1 || v > POLICY_RATE_LIMIT_MAX)
                field_error_add(fe, "policy.rate_limit_rpm", "must be an integer from 1 to %d",
                                POLICY_RATE_LIMIT_MAX);
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

static bool address_allowed(const cJSON *allowlist, const char *client_addr) {
    struct ip_addr addr;
    if (!client_addr || !ip_parse(client_addr, &addr)) return false;
    for (const cJSON *it = allowlist->child; it; it = it->next) {
        struct cidr block;
        if (cidr_parse(it->valuestring, &block) && cidr_contains(&block, &addr)) return true;
    }
    return false;
}

static int minutes_of(const char *hhmm) {
    return ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
}

/* [start, end) in UTC minutes of the day; start > end wraps past midnight; start == end is
 * the whole day. */
static bool inside_window(const cJSON *window, int64_t now) {
    int start = minutes_of(cJSON_GetObjectItemCaseSensitive(window, "start")->valuestring);
    int end = minutes_of(cJSON_GetObjectItemCaseSensitive(window, "end")->valuestring);
    int minute = (int)(((now % 86400) + 86400) % 86400 / 60);
    if (start == end) return true;
    if (start < end) return minute >= start && minute < end;
    return minute >= start || minute < end;
}

static enum alter_policy_verdict deny(struct alter_policy_denial *out, const char *rule,
                                      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum alter_policy_verdict deny(struct alter_policy_denial *out, const char *rule,
                                      const char *fmt, ...) {
    out->rule = rule;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return ALTER_POLICY_DENY;
}

enum alter_policy_verdict alter_policy_evaluate(const cJSON *policy, const char *client_addr,
                                                int64_t now, struct alter_rate_window *rate,
                                                struct alter_policy_denial *out) {
    const cJSON *allowlist = cJSON_GetObjectItemCaseSensitive(policy, "ip_allowlist");
    if (allowlist && !address_allowed(allowlist, client_addr))
        return deny(out, "ip_allowlist", "The client address %s is not in the agent's ip_allowlist",
                    client_addr ? client_addr : "(unknown)");
    const cJSON *window = cJSON_GetObjectItemCaseSensitive(policy, "time_window");
    if (window && !inside_window(window, now))
        return deny(out, "time_window", "Outside the agent's time_window %s-%s UTC",
                    cJSON_GetObjectItemCaseSensitive(window, "start")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(window, "end")->valuestring);
    const cJSON *rpm = cJSON_GetObjectItemCaseSensitive(policy, "rate_limit_rpm");
    if (rate->used == 0 || now >= rate->start + 60) {
        rate->start = now;
        rate->used = 0;
    }
    if (cJSON_IsNumber(rpm) && rate->used >= (long)rpm->valuedouble)
        return deny(out, "rate_limit_rpm",
                    "The agent's rate_limit_rpm of %ld calls a minute is used up; the window "
                    "reopens in %lld s",
                    (long)rpm->valuedouble, (long long)(rate->start + 60 - now));
    rate->used++;
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(policy, "require_approval"))
               ? ALTER_POLICY_NEEDS_APPROVAL
               : ALTER_POLICY_ALLOW;
}
