/* agentctl's entry point: global options, the table of command groups, dispatch, help. */
#include "agentctl.h"

#include "agentclient.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct settings settings;

/* The whole CLI at a glance: a group's commands are in its own file. */
/* clang-format off */
static const struct group groups[] = {
    { "agents",         agents_commands,       "Alsorn agents (contract §3)" },
    { "trust",          trust_commands,        "Alsorn trust profiles and decisions (§4)" },
    { "tx",             tx_commands,           "Alsorn transactions (§5)" },
    { "webhooks",       webhooks_commands,     "Alsorn webhook endpoints (§6)" },
    { "alter agents",   alter_agents_commands, "Alter agent identities" },
    { "alter keys",     alter_keys_commands,   "Alter agent keys" },
    { "sandbox org",    org_commands,          "sandbox organizations (tenants)" },
    { "sandbox clock",  clock_commands,        "the sandbox's virtual clock" },
    { "sandbox faults", faults_commands,       "injected faults" },
    { "sandbox state",  state_commands,        "the whole state as NDJSON" },
    { "sandbox sessions", sessions_commands,   "graded SDK-validation sessions" },
    { "sandbox sequences", sequences_commands, "scripted answers to an SDK's next calls" },
    { "sandbox",        sandbox_commands,      "journal, report, reset, snapshot, generate, probe" },
    { "",               top_commands,          "" },
};
/* clang-format on */
#define NGROUPS (sizeof groups / sizeof groups[0])

static const char *const usage_text =
    "usage: agentctl [GLOBAL OPTIONS] GROUP COMMAND [ARGS] [OPTIONS]\n"
    "\n"
    "global options (anywhere on the line):\n"
    "  --json               print the answer's JSON as received (errors too, on stdout)\n"
    "  --base-url URL       Alsorn and sandbox base URL   ($ALSORN_BASE_URL, else "
    "http://127.0.0.1:4010)\n"
    "  --api-key KEY        Alsorn key                    ($ALSORN_API_KEY)\n"
    "  --alter-url URL      Alter base URL                ($ALTER_BASE_URL, else the Alsorn one)\n"
    "  --alter-key KEY      Alter app or agent key        ($ALTER_API_KEY)\n"
    "  --mock-url URL       sandbox base URL              ($AGENTMOCK_URL, else the Alsorn one)\n"
    "  --admin-token TOKEN  the mock's --admin-token      ($AGENTMOCK_ADMIN_TOKEN)\n"
    "  --timeout SECONDS    per request (default 30)\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 ok, 1 API error, 2 usage, 3 auth (401/403), 4 not found, 5 rate limited,\n"
    "            6 network (no answer), 7 unexpected answer or bad signature\n"
    "\n"
    "groups:\n";

static void print_usage(FILE *f) {
    fputs(usage_text, f);
    for (size_t g = 0; g < NGROUPS; g++) {
        for (const struct command *c = groups[g].commands; c->name; c++) {
            char words[64];
            snprintf(words, sizeof words, "%s%s%s", groups[g].name, *groups[g].name ? " " : "",
                     c->name);
            fprintf(f, "  %-24s %s\n", words, c->help);
        }
    }
    fputs("\n'agentctl GROUP COMMAND --help' says more about one command.\n", f);
}

static void print_command_usage(FILE *f, const char *group, const struct command *c) {
    fprintf(f, "usage: agentctl %s%s%s%s%s", group, *group ? " " : "", c->name, *c->args ? " " : "",
            c->args);
    if (*c->options) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", c->options);
        for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save))
            fprintf(f, " [--%s %s]", o, strcmp(o, "data") == 0 ? "JSON" : "VALUE");
    }
    fprintf(f, "\n  %s\n", c->help);
}

static const char *current_group = "";

int usage_error(const struct command *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("agentctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd) print_command_usage(stderr, current_group, cmd);
    return EXIT_USAGE;
}

static bool option_accepted(const struct command *c, const char *name) {
    size_t n = strlen(name);
    for (const char *p = c->options; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

static int parse_invocation(const struct command *c, int argc, char **argv,
                            struct invocation *inv) {
    memset(inv, 0, sizeof *inv);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0 && a[2]) {
            char name[64];
            const char *eq = strchr(a + 2, '=');
            const char *value;
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (len >= sizeof name) return usage_error(c, "unknown option %s", a);
            memcpy(name, a + 2, len);
            name[len] = 0;
            if (!option_accepted(c, name)) return usage_error(c, "unknown option --%s", name);
            if (eq) {
                value = eq + 1;
            } else {
                if (i + 1 >= argc) return usage_error(c, "--%s needs a value", name);
                value = argv[++i];
            }
            if (inv->nopts == MAX_OPTS) return usage_error(c, "too many options");
            inv->opt_name[inv->nopts] = a + 2; /* compared up to its length below */
            inv->opt_value[inv->nopts++] = value;
            continue;
        }
        if (inv->nargs == MAX_ARGS || inv->nargs >= c->nargs_max)
            return usage_error(c, "unexpected argument '%s'", a);
        inv->args[inv->nargs++] = a;
    }
    if (inv->nargs < c->nargs_min) return usage_error(c, "missing %s", c->args);
    return EXIT_OK;
}

static bool opt_matches(const char *stored, const char *name) {
    size_t n = strlen(name);
    return strncmp(stored, name, n) == 0 && (stored[n] == 0 || stored[n] == '=');
}

const char *opt(const struct invocation *inv, const char *name) {
    const char *v = NULL;
    for (int i = 0; i < inv->nopts; i++)
        if (opt_matches(inv->opt_name[i], name)) v = inv->opt_value[i];
    return v;
}

int opt_all(const struct invocation *inv, const char *name, const char **out, int max) {
    int n = 0;
    for (int i = 0; i < inv->nopts && n < max; i++)
        if (opt_matches(inv->opt_name[i], name)) out[n++] = inv->opt_value[i];
    return n;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Global options are taken out of argv wherever they are; returns the remaining count,
 * or -1 after a usage error. */
static int take_global_options(int argc, char **argv, bool *help, bool *version) {
    static const char *const with_value[] = {"--base-url",  "--api-key",  "--alter-url",
                                             "--alter-key", "--mock-url", "--admin-token",
                                             "--timeout"};
    const char **targets[] = {&settings.alsorn_url,
                              &settings.alsorn_key,
                              &settings.alter_url,
                              &settings.alter_key,
                              &settings.mock_url,
                              &settings.admin_token,
                              NULL};
    const char *timeout = NULL;
    int out = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool taken = false;
        if (strcmp(a, "--json") == 0) {
            settings.json = taken = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = taken = true;
        } else if (strcmp(a, "--version") == 0) {
            *version = taken = true;
        } else {
            for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
                size_t n = strlen(with_value[k]);
                if (strncmp(a, with_value[k], n) != 0 || (a[n] != 0 && a[n] != '=')) continue;
                const char *v;
                if (a[n] == '=') {
                    v = a + n + 1;
                } else if (i + 1 < argc) {
                    v = argv[++i];
                } else {
                    usage_error(NULL, "%s needs a value", with_value[k]);
                    return -1;
                }
                if (targets[k])
                    *targets[k] = v;
                else
                    timeout = v;
                taken = true;
                break;
            }
        }
        if (!taken) argv[out++] = argv[i];
    }
    settings.timeout = 30;
    if (timeout) {
        char *end;
        settings.timeout = strtod(timeout, &end);
        if (*end || settings.timeout <= 0) {
            usage_error(NULL, "--timeout wants a positive number of seconds, not '%s'", timeout);
            return -1;
        }
    }
    return out;
}

int main(int argc, char **argv) {
    bool help = false, version = false;
    int n = take_global_options(argc - 1, argv + 1, &help, &version);
    if (n < 0) return EXIT_USAGE;
    char **words = argv + 1;

    settings.alsorn_url = settings.alsorn_url ? settings.alsorn_url
                                              : env_or("ALSORN_BASE_URL", "http://127.0.0.1:4010");
    settings.alsorn_key =
        settings.alsorn_key ? settings.alsorn_key : env_or("ALSORN_API_KEY", NULL);
    settings.alter_url =
        settings.alter_url ? settings.alter_url : env_or("ALTER_BASE_URL", settings.alsorn_url);
    settings.alter_key = settings.alter_key ? settings.alter_key : env_or("ALTER_API_KEY", NULL);
    settings.mock_url =
        settings.mock_url ? settings.mock_url : env_or("AGENTMOCK_URL", settings.alsorn_url);
    settings.admin_token =
        settings.admin_token ? settings.admin_token : env_or("AGENTMOCK_ADMIN_TOKEN", NULL);

    if (version && n == 0) {
        printf("agentctl %s (agentclient %s)\n", AGENTCLIENT_VERSION, agentclient_version());
        return EXIT_OK;
    }
    if (n == 0) {
        print_usage(help ? stdout : stderr);
        return help ? EXIT_OK : EXIT_USAGE;
    }

    /* The longest group name that matches the first words wins ("sandbox org" before
     * "sandbox"); the top-level commands (listen, trigger) have the empty group. */
    for (size_t g = 0; g < NGROUPS; g++) {
        const char *name = groups[g].name;
        int used = 0;
        if (*name) {
            char first[64];
            snprintf(first, sizeof first, "%s", name);
            char *space = strchr(first, ' ');
            if (space) {
                *space = 0;
                if (n < 2 || strcmp(words[0], first) != 0 || strcmp(words[1], space + 1) != 0)
                    continue;
                used = 2;
            } else {
                if (strcmp(words[0], name) != 0) continue;
                used = 1;
            }
        }
        current_group = name;
        if (used == n) {
            /* a group without a command: list its commands */
            FILE *f = help ? stdout : stderr;
            fprintf(f, "usage: agentctl %s COMMAND\n%s:\n", name, groups[g].help);
            for (const struct command *c = groups[g].commands; c->name; c++)
                fprintf(f, "  %-12s %s\n", c->name, c->help);
            return help ? EXIT_OK : usage_error(NULL, "'%s' needs a command", name);
        }
        for (const struct command *c = groups[g].commands; c->name; c++) {
            if (strcmp(c->name, words[used]) != 0) continue;
            if (help) {
                print_command_usage(stdout, name, c);
                return EXIT_OK;
            }
            struct invocation inv;
            int rc = parse_invocation(c, n - used - 1, words + used + 1, &inv);
            if (rc != EXIT_OK) return rc;
            curl_global_init(CURL_GLOBAL_DEFAULT);
            rc = c->run(c, &inv);
            curl_global_cleanup();
            return rc;
        }
        if (*name)
            return usage_error(NULL, "unknown command '%s %s' (agentctl %s --help)", name,
                               words[used], name);
    }
    return usage_error(NULL, "unknown command '%s' (agentctl --help)", words[0]);
}
