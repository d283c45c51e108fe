/* agentctl: a shell CLI over the Alsorn and Alter APIs and the sandbox's /_mock/ routes.
 *
 * Every command is one row of a group's table (agents.c, trust.c, ...): its words, the
 * positional arguments it needs, the options it accepts and the function that runs it.
 * main.c finds the row, parses the options against it and calls the function, which builds
 * one request, sends it (http.c) and prints the answer (output.c): a table or a key/value
 * list for people, the body as received with --json. */
#ifndef AGENTCTL_H
#define AGENTCTL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes by kind of failure (documented in client/README.md, "agentctl"). */
enum exit_code {
    EXIT_OK = 0,
    EXIT_API = 1,       /* any other HTTP error: 400, 409, 422, 5xx, ... */
    EXIT_USAGE = 2,     /* bad command line: nothing was sent */
    EXIT_AUTH = 3,      /* 401 or 403 */
    EXIT_NOT_FOUND = 4, /* 404 */
    EXIT_RATE = 5,      /* 429 */
    EXIT_NETWORK = 6,   /* no HTTP answer: refused, reset, timeout */
    EXIT_RESPONSE = 7,  /* an answer that is not what was expected (not JSON, bad signature) */
};

enum api { API_ALSORN, API_ALTER, API_MOCK };

#define MAX_OPTS 32
#define MAX_ARGS 8

/* The parsed command line of one command. Strings point into argv. */
struct invocation {
    const char *args[MAX_ARGS];
    int nargs;
    const char *opt_name[MAX_OPTS];
    const char *opt_value[MAX_OPTS];
    int nopts;
};

struct settings {
    bool json;
    const char *alsorn_url, *alsorn_key;
    const char *alter_url, *alter_key;
    const char *mock_url, *admin_token;
    double timeout;
};

extern struct settings settings;

struct command;
typedef int (*command_fn)(const struct command *cmd, const struct invocation *inv);

struct command {
    const char *name; /* "list", "get", ... */
    const char *args; /* positional arguments, for usage: "AGENT_ID" ("" for none) */
    int nargs_min, nargs_max;
    const char *options; /* accepted options, comma separated, no dashes: "status,page,limit" */
    command_fn run;
    const char *help;
};

struct group {
    const char *name; /* "agents", "alter keys", "sandbox org" */
    const struct command *commands;
    const char *help;
};

extern const struct command agents_commands[], trust_commands[], tx_commands[], webhooks_commands[],
    alter_agents_commands[], alter_keys_commands[], org_commands[], clock_commands[],
    faults_commands[], sandbox_commands[], state_commands[], top_commands[], sessions_commands[],
    sequences_commands[];

/* sandbox probe (sessions.c): the webhook receiver probe, a row of the sandbox group. */
int sandbox_probe(const struct command *cmd, const struct invocation *inv);

/* ---- options -------------------------------------------------------------------------- */

/* The value of --name (the last one given), NULL when absent. */
const char *opt(const struct invocation *inv, const char *name);
/* Every value of a repeatable option, into out (at most max); returns the count. */
int opt_all(const struct invocation *inv, const char *name, const char **out, int max);
/* Usage error: prints "agentctl: MESSAGE" and the command's usage; returns EXIT_USAGE. */
int usage_error(const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds the string/number options listed in `fields` ("name,description" / numbers after '#':
 * "#spending_limit") to obj, option names with '-' for '_'.  Returns EXIT_OK or a usage error. */
int body_from_options(const struct command *cmd, const struct invocation *inv, cJSON *obj,
                      const char *strings, const char *numbers);
/* The request body: --data JSON if given (it must be an object), else a new empty object. */
int body_start(const struct command *cmd, const struct invocation *inv, cJSON **out);
/* Both in one: the body as JSON text in *text (caller frees; NULL on a usage error). */
int body_text(const struct command *cmd, const struct invocation *inv, const char *strings,
              const char *numbers, char **text);
/* Appends ?a=b&c=d for the listed options that are set (option names with '-' for '_'). */
void query_from_options(const struct invocation *inv, const char *names, char *path, size_t size);

/* ---- HTTP ----------------------------------------------------------------------------- */

struct reply {
    long status; /* 0: no answer */
    char *body;  /* owned; NUL terminated */
    size_t len;
    char *content_type; /* owned, may be NULL */
    char error[256];    /* libcurl's message when status is 0 */
};

/* Sends one request to the api's base URL + path (body: JSON text or NULL).  progress: draw a
 * progress bar on stderr while it runs (only when stdout is a terminal). */
void http_call(enum api api, const char *method, const char *path, const char *body, bool progress,
               struct reply *out);
void reply_free(struct reply *r);
/* %-escapes a path segment into out. */
const char *path_escape(const char *in, char *out, size_t size);

/* ---- output --------------------------------------------------------------------------- */

/* A column of a table: the heading and the dotted path of the value ("trust_record.score"). */
struct column {
    const char *heading;
    const char *path;
};

/* The exit code for a reference-client status (alsorn.h), by the same kinds as HTTP errors. */
int exit_for_client_status(int status);
/* Checks the reply: on an HTTP error prints it (stderr; the body too on stdout with --json)
 * and returns the exit code of its kind; on success returns EXIT_OK and *json the parsed body
 * (owned by the caller; NULL for an empty body).  An unparsable 2xx body is EXIT_RESPONSE. */
int reply_check(struct reply *r, cJSON **json);
/* Sends and prints: the body as JSON with --json, else a table of `array_field` (NULL: the
 * body is the array) with the columns, or, without columns, the object's fields one a line. */
int call_and_print(enum api api, const char *method, const char *path, const char *body,
                   const char *array_field, const struct column *columns);
void print_table(const cJSON *array, const struct column *columns);
void print_object(const cJSON *obj);
void print_json(const cJSON *json);
/* The dotted path's value as text into buf ("" when absent). */
const char *json_path_text(const cJSON *obj, const char *path, char *buf, size_t size);

#endif
