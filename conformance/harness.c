/* The conformance runner: a custom Criterion main that picks the target.
 *
 * ALSORN_BASE_URL set: run against it (the live service or a mock someone else started).
 * Unset: start agentmock on an ephemeral port with the default fixtures, wait for the line
 * "agentmock listening on http://127.0.0.1:PORT", export ALSORN_BASE_URL, run, then stop
 * the mock (SIGTERM, SIGKILL after 10 s). Criterion runs each test in a worker process that
 * inherits this environment, so the workers never start a mock themselves. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include <criterion/options.h>
#include <curl/curl.h>

#ifndef AGENTMOCK_BIN
#define AGENTMOCK_BIN "agentmock"
#endif
#ifndef FIXTURES_DIR
#define FIXTURES_DIR "fixtures"
#endif

#define READY_PREFIX "agentmock listening on "
#define READY_TIMEOUT_MS 10000

/* The suite's helpers free on the success path only (a failed assertion ends the worker), so
 * leak reports from this binary are noise; the mock, a separate binary, keeps its own. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

/* A running agentmock: the shared one the runner starts, or a test's own (own_mock_start). */
struct mock_proc {
    pid_t pid;
    int out; /* read end of its stdout */
};

static struct mock_proc shared = {.pid = -1, .out = -1}; /* drained by drain_thread */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* After the ready line the mock may keep printing (keys, notices). Read everything so its
 * writes never block on a full pipe; echo it when CONFORMANCE_MOCK_STDOUT=1. */
static void *drain_thread(void *arg) {
    (void)arg;
    bool echo = getenv("CONFORMANCE_MOCK_STDOUT") && !strcmp(getenv("CONFORMANCE_MOCK_STDOUT"), "1");
    char buf[4096];
    for (;;) {
        ssize_t n = read(shared.out, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (echo) fwrite(buf, 1, (size_t)n, stderr);
    }
    return NULL;
}

/* Stops the mock; returns false when it did not exit cleanly (a sanitizer report at exit, a
 * crash, a hang). */
static bool stop_mock(struct mock_proc *m) {
    if (m->pid <= 0) return true;
    kill(m->pid, SIGTERM);
    int status = 0;
    double deadline = now_ms() + 10000;
    for (;;) {
        pid_t w = waitpid(m->pid, &status, WNOHANG);
        if (w == m->pid) break;
        if (w < 0 && errno != EINTR) break;
        if (now_ms() > deadline) {
            fprintf(stderr, "conformance: agentmock did not stop within 10 s of SIGTERM; SIGKILL\n");
            kill(m->pid, SIGKILL);
            waitpid(m->pid, &status, 0);
            break;
        }
        usleep(20000);
    }
    m->pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    if (WIFEXITED(status))
        fprintf(stderr, "conformance: agentmock exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "conformance: agentmock died of signal %d\n", WTERMSIG(status));
    return false;
}

#define MAX_MOCK_ARGS 24

/* Starts agentmock on a free port with the default fixtures and `extra` flags (NULL-terminated,
 * may be NULL); returns its base URL (malloc'd), or NULL after printing why. */
static char *start_mock(struct mock_proc *m, const char *const *extra) {
    const char *bin = getenv("AGENTMOCK_BIN");
    if (!bin || !*bin) bin = AGENTMOCK_BIN;
    const char *fixtures = getenv("AGENTMOCK_FIXTURES");
    if (!fixtures || !*fixtures) fixtures = FIXTURES_DIR;
    const char *argv[MAX_MOCK_ARGS] = {bin, "--listen", "127.0.0.1:0", "--fixtures", fixtures,
                                       "--log-level", "warn"};
    int argc = 7;
    for (const char *const *a = extra; a && *a && argc < MAX_MOCK_ARGS - 1; a++) argv[argc++] = *a;
    argv[argc] = NULL;

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        perror("conformance: pipe");
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("conformance: fork");
        return NULL;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the runner */
        dup2(fds[1], STDOUT_FILENO);      /* dup2 clears O_CLOEXEC on the copy */
        execv(bin, (char *const *)argv);
        fprintf(stderr, "conformance: cannot exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    m->pid = pid;
    m->out = fds[0];

    /* Read until the first line; it must be the ready line. */
    char line[1024];
    size_t len = 0;
    double deadline = now_ms() + READY_TIMEOUT_MS;
    for (;;) {
        char *nl = memchr(line, '\n', len);
        if (nl) {
            *nl = '\0';
            if (nl > line && nl[-1] == '\r') nl[-1] = '\0';
            break;
        }
        int left = (int)(deadline - now_ms());
        if (left <= 0 || len == sizeof line - 1) {
            fprintf(stderr,
                    "conformance: FATAL: %s printed no \"%s...\" line within %d s (got: %.*s)\n",
                    bin, READY_PREFIX, READY_TIMEOUT_MS / 1000, (int)len, line);
            stop_mock(m);
            return NULL;
        }
        struct pollfd p = {.fd = m->out, .events = POLLIN};
        int pr = poll(&p, 1, left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        ssize_t n = read(m->out, line + len, sizeof line - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int status = 0;
            waitpid(m->pid, &status, 0);
            m->pid = -1;
            fprintf(stderr,
                    "conformance: FATAL: %s exited (status 0x%x) before printing \"%s...\" "
                    "(stdout so far: %.*s)\n",
                    bin, status, READY_PREFIX, (int)len, line);
            return NULL;
        }
        len += (size_t)n;
    }
    if (strncmp(line, READY_PREFIX, strlen(READY_PREFIX)) != 0 ||
        strncmp(line + strlen(READY_PREFIX), "http://", 7) != 0) {
        fprintf(stderr, "conformance: FATAL: first line of %s is not \"%shttp://...\": %s\n", bin,
                READY_PREFIX, line);
        stop_mock(m);
        return NULL;
    }
    return strdup(line + strlen(READY_PREFIX));
}

/* ---- a test's own mock ------------------------------------------------------------------ */

static struct mock_proc own = {.pid = -1, .out = -1};

void own_mock_start(const char *const *extra_args) {
    require_mock();
    cr_assert(own.pid <= 0, "own_mock_start: this test already has its own mock");
    char *url = start_mock(&own, extra_args);
    cr_assert(url, "could not start a private agentmock (see stderr)");
    target_set_base_url(url);
    free(url);
}

void own_mock_stop(void) {
    if (own.pid <= 0) return;
    bool clean = stop_mock(&own);
    close(own.out);
    own.out = -1;
    target_set_base_url(NULL);
    cr_assert(clean, "the private agentmock did not exit cleanly (sanitizer report or crash: "
                     "see stderr)");
}

/* Asks GET /_mock/health once, here, so the workers need not. */
static bool probe_mock(void) {
    struct http_resp r;
    bool mock = false;
    if (http_call("GET", "/_mock/health", NULL, NULL, NULL, &r) == 0 && r.status == 200 && r.json) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(r.json, "status");
        const cJSON *svc = cJSON_GetObjectItemCaseSensitive(r.json, "service");
        mock = cJSON_IsString(s) && !strcmp(s->valuestring, "ok") && cJSON_IsString(svc) &&
               !strcmp(svc->valuestring, "agentmock");
    }
    http_resp_free(&r);
    return mock;
}

int main(int argc, char *argv[]) {
    struct criterion_test_set *tests = criterion_initialize();
    criterion_options.timeout = 60; /* default per test; --timeout overrides */
    int go = criterion_handle_args(argc, argv, true);
    if (!go) {
        criterion_finalize(tests);
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);

    const char *base = getenv("ALSORN_BASE_URL");
    char *started = NULL;
    if (!base || !*base) {
        /* Every test shares this mock from 127.0.0.1, so the per-address limit for requests
         * without a valid key (100/h by the contract) would be spent by the suite as a whole;
         * tests of that limit start their own mock with the default (own_mock_start). */
        static const char *const shared_flags[] = {"--anon-rate-limit", "1000000", NULL};
        started = start_mock(&shared, shared_flags);
        if (!started) {
            criterion_finalize(tests);
            return 2;
        }
        setenv("ALSORN_BASE_URL", started, 1);
        base = started;
        pthread_t th;
        if (pthread_create(&th, NULL, drain_thread, NULL) == 0) pthread_detach(th);
    }
    /* CONFORMANCE_TARGET=live forces the live code paths (keys from the environment, no
     * /_mock controls) even against a mock: that is how the live mode itself is tested. */
    const char *forced = getenv("CONFORMANCE_TARGET");
    bool probed = probe_mock();
    bool mock = probed && !(forced && !strcmp(forced, "live"));
    setenv("CONFORMANCE_TARGET", mock ? "mock" : "live", 1);
    if (started && !probed) {
        fprintf(stderr, "conformance: FATAL: started agentmock at %s but GET /_mock/health did "
                        "not answer 200 {\"status\":\"ok\",\"service\":\"agentmock\"}\n", base);
        stop_mock(&shared);
        criterion_finalize(tests);
        return 2;
    }
    fprintf(stderr, "conformance: target %s (%s)%s\n", base, mock ? "agentmock" : "live",
            (!mock && getenv("CONFORMANCE_SKIP_EXT") && !strcmp(getenv("CONFORMANCE_SKIP_EXT"), "1"))
                ? ", skipping ext rows"
                : "");

    int ok = criterion_run_all_tests(tests);
    criterion_finalize(tests);

    if (started) {
        /* A mock that died during the run fails the run even if every test passed. */
        int status = 0;
        if (shared.pid > 0 && waitpid(shared.pid, &status, WNOHANG) == shared.pid) {
            fprintf(stderr, "conformance: agentmock died during the run (status 0x%x)\n", status);
            shared.pid = -1;
            ok = 0;
        }
        if (!stop_mock(&shared)) ok = 0;
        free(started);
    }
    curl_global_cleanup();
    return ok ? 0 : 1;
}
