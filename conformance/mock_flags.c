/* agentmock's command line: --version, the values --seed refuses, and what a missing fixtures
 * directory says.  The binary is run directly (mock_binary()); every run has
 * --listen 127.0.0.1:0 so a flag wrongly accepted starts a server on a free port, which the
 * run then kills and reports, never a fixed port. */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AGENTMOCK_VERSION
#define AGENTMOCK_VERSION "unknown"
#endif
#ifndef AGENTMOCK_DATADIR
#define AGENTMOCK_DATADIR "/usr/local/share/agentmock"
#endif

struct run {
    int exit_code; /* -1: did not exit within 5 s (killed) or died of a signal */
    char out[4096];
    char err[4096];
};

static void read_file(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

/* Runs agentmock --listen 127.0.0.1:0 ARGS... in dir (NULL: here). */
static void run_mock(struct run *r, const char *dir, const char *const *args) {
    const char *bin = mock_binary();
    if (access(bin, X_OK) != 0) cr_skip_test("no agentmock binary at %s", bin);
    char out_path[] = "/tmp/mock-flags-out-XXXXXX", err_path[] = "/tmp/mock-flags-err-XXXXXX";
    int out = mkstemp(out_path), err = mkstemp(err_path);
    cr_assert(out >= 0 && err >= 0);
    const char *argv[16] = {bin, "--listen", "127.0.0.1:0"};
    int argc = 3;
    for (int i = 0; args[i] && argc < 15; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (dir && chdir(dir) != 0) _exit(126);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(out);
    close(err);
    int status = 0;
    r->exit_code = -1;
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 10) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (WIFEXITED(status)) r->exit_code = WEXITSTATUS(status);
            pid = -1;
            break;
        }
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    read_file(out_path, r->out, sizeof r->out);
    read_file(err_path, r->err, sizeof r->err);
    unlink(out_path);
    unlink(err_path);
}

Test(mock_flags, version_prints_the_version_and_exits) {
    struct run r;
    run_mock(&r, NULL, (const char *[]){"--version", NULL});
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "agentmock " AGENTMOCK_VERSION "\n");
}

Test(mock_flags, seed_refuses_negative_and_non_numeric_values) {
    const char *bad[] = {"-1", "-0", "abc", "", " 5", "+5", "5x", "1e3", "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct run r;
        run_mock(&r, NULL, (const char *[]){"--seed", bad[i], "--no-fixtures", NULL});
        cr_assert_eq(r.exit_code, 2, "--seed '%s' was not refused (exit %d): %s", bad[i],
                     r.exit_code, r.out);
        cr_assert(strstr(r.err, "--seed takes a non-negative integer"), "--seed '%s': %s", bad[i],
                  r.err);
        cr_assert(!strstr(r.out, "listening"), "--seed '%s' started a server", bad[i]);
    }
}

Test(mock_flags, seed_takes_zero_and_the_largest_value) {
    const char *good[] = {"0", "18446744073709551615"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        struct mock_process m;
        const char *args[] = {"--seed", good[i], "--no-fixtures", NULL};
        cr_assert(mock_process_start(&m, args), "--seed %s was refused", good[i]);
        int status = mock_process_stop(&m, SIGTERM, 10000);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

Test(mock_flags, a_missing_fixtures_directory_names_both_flags) {
    struct run r;
    run_mock(&r, NULL, (const char *[]){"--fixtures", "/nonexistent/fixtures", NULL});
    cr_assert_eq(r.exit_code, 1, "stdout: %s stderr: %s", r.out, r.err);
    cr_assert(strstr(r.err, "/nonexistent/fixtures"), "%s", r.err);
    cr_assert(strstr(r.err, "--fixtures DIR") && strstr(r.err, "--no-fixtures"), "%s", r.err);
    cr_assert(!strstr(r.out, "listening"));
}

Test(mock_flags, without_fixtures_here_or_installed_it_says_which_flags_to_use) {
    struct stat st;
    if (stat(AGENTMOCK_DATADIR "/fixtures", &st) == 0)
        cr_skip_test("fixtures are installed in " AGENTMOCK_DATADIR ": the default is found");
    char beside[4096]; /* an installed agentmock finds share/agentmock/ beside its bin/ */
    snprintf(beside, sizeof beside, "%s", mock_binary());
    char *slash = strrchr(beside, '/');
    if (slash) {
        snprintf(slash, sizeof beside - (size_t)(slash - beside), "/../share/agentmock/fixtures");
        if (stat(beside, &st) == 0) cr_skip_test("%s is an installed agentmock", mock_binary());
    }
    char dir[] = "/tmp/mock-flags-empty-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    struct run r;
    run_mock(&r, dir, (const char *[]){NULL});
    rmdir(dir);
    cr_assert_eq(r.exit_code, 2, "stdout: %s stderr: %s", r.out, r.err);
    cr_assert(strstr(r.err, "no fixtures directory"), "%s", r.err);
    cr_assert(strstr(r.err, "--fixtures DIR") && strstr(r.err, "--no-fixtures"), "%s", r.err);
}

/* Every numeric flag refuses a value out of its range, an empty one and one with trailing
 * text, with the same message naming the flag and its range, and exits 2 without serving. */
Test(mock_flags, numeric_flags_refuse_values_out_of_range, .timeout = 120) {
    static const struct {
        const char *flag, *low, *high, *says;
    } flags[] = {
        {"--threads", "0", "4097", "--threads takes 1 to 4096\n"},
        {"--max-body", "1023", "1073741825", "--max-body takes 1024 to 1073741824 bytes\n"},
        {"--snapshot-write-delay-us", "-1", "1000001",
         "--snapshot-write-delay-us takes 0 to 1000000\n"},
        {"--webhook-retry-base-ms", "0", "3600001", "--webhook-retry-base-ms takes 1 to 3600000\n"},
        {"--journal-size", "-1", "1000001", "--journal-size takes 0 to 1000000\n"},
        {"--anon-rate-limit", "0", "1000000001", "--anon-rate-limit takes 1 to 1000000000\n"},
        {"--proxy-timeout-ms", "0", "600001", "--proxy-timeout-ms takes 1 to 600000\n"},
        {"--idempotency-wait-ms", "0", "600001", "--idempotency-wait-ms takes 1 to 600000\n"},
        {"--keep-alive-timeout-ms", "99", "600001",
         "--keep-alive-timeout-ms takes 100 to 600000\n"},
        {"--request-timeout-ms", "99", "600001", "--request-timeout-ms takes 100 to 600000\n"},
        {"--alter-audit-max", "0", "10000001", "--alter-audit-max takes 1 to 10000000\n"},
        {"--webhook-log-max", "0", "10000001", "--webhook-log-max takes 1 to 10000000\n"},
        {"--webhook-queue-max", "0", "10000001", "--webhook-queue-max takes 1 to 10000000\n"},
        {"--unlock-delay-us", "-1", "100001", "--unlock-delay-us takes 0 to 100000\n"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        const char *bad[] = {flags[i].low, flags[i].high, "", "5x", "99999999999999999999"};
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
            struct run r;
            run_mock(&r, NULL, (const char *[]){flags[i].flag, bad[k], "--no-fixtures", NULL});
            cr_assert_eq(r.exit_code, 2, "%s '%s' was not refused (exit %d): %s", flags[i].flag,
                         bad[k], r.exit_code, r.out);
            char want[128];
            snprintf(want, sizeof want, "agentmock: %s", flags[i].says);
            cr_assert_str_eq(r.err, want, "%s '%s'", flags[i].flag, bad[k]);
            cr_assert(!strstr(r.out, "listening"), "%s '%s' started a server", flags[i].flag,
                      bad[k]);
        }
    }
}
