/* What the runner says after the tests: how many a filter selected (none is an error: a CI job
 * whose filter matches nothing must not pass), and which skipped tests an environment
 * variable would enable (their skip messages name it, e.g. "set ALSORN_READ_KEY"). */
#include "harness.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <criterion/hooks.h>

static size_t selected;

size_t run_summary_selected(void) {
    return selected;
}

#define MAX_VARS 32
struct var_skips {
    char name[64];
    size_t count;
    char first[160]; /* one example test: suite/name */
};

/* Adds each ALSORN_/ALTER_/CONFORMANCE_/AGENTMOCK_ word of msg to vars (once per message). */
static void note_vars(const char *msg, const char *test, struct var_skips *vars, size_t *n) {
    static const char *const prefixes[] = {"ALSORN_", "ALTER_", "CONFORMANCE_", "AGENTMOCK_"};
    char seen[8][64];
    size_t nseen = 0;
    for (const char *p = msg; *p; p++) {
        if (p != msg && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
        size_t len = 0;
        while (isupper((unsigned char)p[len]) || isdigit((unsigned char)p[len]) || p[len] == '_')
            len++;
        bool known = false;
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
            known |= len > strlen(prefixes[i]) && !strncmp(p, prefixes[i], strlen(prefixes[i]));
        if (!known || len >= sizeof vars->name) continue;
        bool dup = false;
        for (size_t i = 0; i < nseen; i++)
            dup |= strlen(seen[i]) == len && !strncmp(seen[i], p, len);
        if (dup) continue;
        if (nseen < 8) snprintf(seen[nseen++], sizeof seen[0], "%.*s", (int)len, p);
        size_t i = 0;
        while (i < *n && !(strlen(vars[i].name) == len && !strncmp(vars[i].name, p, len)))
            i++;
        if (i == *n) {
            if (*n == MAX_VARS) continue;
            snprintf(vars[i].name, sizeof vars[i].name, "%.*s", (int)len, p);
            vars[i].count = 0;
            snprintf(vars[i].first, sizeof vars[i].first, "%s", test);
            (*n)++;
        }
        vars[i].count++;
    }
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
    struct var_skips vars[MAX_VARS];
    size_t nvars = 0;
    selected = 0;
    for (struct criterion_suite_stats *s = stats->suites; s; s = s->next) {
        for (struct criterion_test_stats *t = s->tests; t; t = t->next) {
            if (t->test->data && t->test->data->disabled) continue;
            selected++;
            if (t->test_status != CR_STATUS_SKIPPED || !t->message) continue;
            char name[160];
            snprintf(name, sizeof name, "%s/%s", t->test->category, t->test->name);
            note_vars(t->message, name, vars, &nvars);
        }
    }
    for (size_t i = 0; i < nvars; i++) {
        if (i == 0) fprintf(stderr, "conformance: skipped tests the environment would enable:\n");
        const char *how = !strcmp(vars[i].name, "CONFORMANCE_SKIP_EXT") ? "unsetting" : "setting";
        fprintf(stderr, "  %s %-24s %3zu test%s (e.g. %s)\n", how, vars[i].name, vars[i].count,
                vars[i].count == 1 ? " " : "s", vars[i].first);
    }
}
