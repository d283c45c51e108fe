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

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
static void runner_leaks_ignored(bool on) {
    if (on) __lsan_disable();
    else __lsan_enable();
}
#else
static void runner_leaks_ignored(bool on) { (void)on; }
#endif

/* The suite's helpers free on the success path only (a failed assertion ends the worker), so
 * leak reports from this binary are noise; the mock, a separate binary, keeps its own. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static struct mock_process shared_mock = {.pid = -1};

/* Stops the shared mock; returns false when it did not exit cleanly (a sanitizer report at
 * exit, a crash, a hang). */
static bool stop_mock(void) {
    if (shared_mock.pid <= 0) return true;
    int status = mock_process_stop(&shared_mock, SIGTERM, 10000);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    if (WIFEXITED(status))
        fprintf(stderr, "conformance: agentmock exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "conformance: agentmock died of signal %d\n", WTERMSIG(status));
    return false;
}

/* Starts the shared agentmock and returns its base URL (malloc'd), or NULL after printing why. */
static char *start_mock(void) {
    /* Every test shares this mock from 127.0.0.1, so the per-address limit for requests
     * without a valid key (100/h by the contract) would be spent by the suite as a whole;
     * tests of that limit start their own mock with the default (own_mock_start). */
    const char *const args[] = {"--anon-rate-limit", "1000000", NULL};
    if (!mock_process_start(&shared_mock, args)) return NULL;
    return strdup(shared_mock.url);
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

#ifndef AGENTMOCK_VERSION
#define AGENTMOCK_VERSION "unknown"
#endif

int main(int argc, char *argv[]) {
    /* before Criterion, whose own --version would name only itself */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version")) {
            printf("agentmock-conformance %s\n", AGENTMOCK_VERSION);
            return 0;
        }
    }
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
        started = start_mock();
        if (!started) {
            criterion_finalize(tests);
            return 2;
        }
        setenv("ALSORN_BASE_URL", started, 1);
        base = started;
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
        stop_mock();
        criterion_finalize(tests);
        return 2;
    }
    fprintf(stderr, "conformance: target %s (%s)%s\n", base, mock ? "agentmock" : "live",
            (!mock && getenv("CONFORMANCE_SKIP_EXT") && !strcmp(getenv("CONFORMANCE_SKIP_EXT"), "1"))
                ? ", skipping ext rows"
                : "");

    /* a mock someone else started is left as it was found */
    bool cleanup = mock && !started;
    if (cleanup) shared_mock_cleanup_begin();
    /* Criterion 2.4.1's runner (this process; every test runs in a child process of its own,
     * where leaks are checked as everywhere else) leaks one 48-byte calloc of its own in most
     * full runs: calloc <- libcriterion.so.3+0x1a332 <- ... <- criterion_run_all_tests, no
     * frame of ours. The runner's own allocations are not leak-checked; ours before and after
     * the run still are. */
    runner_leaks_ignored(true);
    int ok = criterion_run_all_tests(tests);
    runner_leaks_ignored(false);
    criterion_finalize(tests);
    if (cleanup && !shared_mock_cleanup_end()) ok = 0;
    if (run_summary_selected() == 0) {
        fprintf(stderr, "conformance: no test selected%s%s: nothing was checked\n",
                criterion_options.pattern ? " by --filter " : "",
                criterion_options.pattern ? criterion_options.pattern : "");
        ok = 0;
    }

    if (started) {
        /* A mock that died during the run fails the run even if every test passed. */
        int status = 0;
        if (shared_mock.pid > 0 && waitpid(shared_mock.pid, &status, WNOHANG) == shared_mock.pid) {
            fprintf(stderr, "conformance: agentmock died during the run (status 0x%x)\n", status);
            shared_mock.pid = -1;
            ok = 0;
        }
        if (!stop_mock()) ok = 0;
        free(started);
    }
    curl_global_cleanup();
    return ok ? 0 : 1;
}
