/* agentmock processes started by the suite: the shared target (harness.c) and private ones
 * for tests that need their own (state files, crashes). */
#include "harness.h"

#include "data_dir.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AGENTMOCK_BIN
#define AGENTMOCK_BIN "agentmock"
#endif

#define READY_PREFIX "agentmock listening on "
#define READY_TIMEOUT_MS 10000
#define MAX_ARGS 32

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* After the ready line the mock may keep printing (keys, notices). Read everything so its
 * writes never block on a full pipe; echo it when CONFORMANCE_MOCK_STDOUT=1. */
static void *drain_thread(void *arg) {
    int fd = (int)(intptr_t)arg;
    bool echo = getenv("CONFORMANCE_MOCK_STDOUT") && !strcmp(getenv("CONFORMANCE_MOCK_STDOUT"), "1");
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (echo) fwrite(buf, 1, (size_t)n, stderr);
    }
    close(fd);
    return NULL;
}

/* Reads the first line of fd within the deadline. Returns false after printing why. */
static bool read_ready_line(struct mock_process *m, const char *bin, char *line, size_t size) {
    size_t len = 0;
    double deadline = now_ms() + READY_TIMEOUT_MS;
    for (;;) {
        char *nl = memchr(line, '\n', len);
        if (nl) {
            *nl = '\0';
            if (nl > line && nl[-1] == '\r') nl[-1] = '\0';
            return true;
        }
        int left = (int)(deadline - now_ms());
        if (left <= 0 || len == size - 1) {
            fprintf(stderr, "conformance: %s printed no \"%s...\" line within %d s (got: %.*s)\n",
                    bin, READY_PREFIX, READY_TIMEOUT_MS / 1000, (int)len, line);
            return false;
        }
        struct pollfd p = {.fd = m->out_fd, .events = POLLIN};
        int pr = poll(&p, 1, left);
        if (pr <= 0) continue;
        ssize_t n = read(m->out_fd, line + len, size - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fprintf(stderr, "conformance: %s exited before printing \"%s...\" (stdout: %.*s)\n",
                    bin, READY_PREFIX, (int)len, line);
            return false;
        }
        len += (size_t)n;
    }
}

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "fixtures"
#endif
#ifndef AGENTMOCK_DATADIR
#define AGENTMOCK_DATADIR "/usr/local/share/agentmock"
#endif

const char *mock_binary(void) {
    const char *bin = getenv("AGENTMOCK_BIN");
    if (bin && *bin) return bin;
    static char sibling[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", sibling, sizeof sibling - 1);
    if (n > 0) {
        sibling[n] = '\0';
        char *slash = strrchr(sibling, '/');
        if (slash && (size_t)(slash - sibling) + sizeof "/agentmock" <= sizeof sibling) {
            strcpy(slash, "/agentmock");
            if (access(sibling, X_OK) == 0) return sibling;
        }
    }
    return AGENTMOCK_BIN;
}

const char *mock_fixtures_dir(void) {
    const char *dir = getenv("AGENTMOCK_FIXTURES");
    if (dir && *dir) return dir;
    static char found[PATH_MAX];
    if (data_dir_find("fixtures", NULL, found, sizeof found)) return found;
    if (access(FIXTURES_DIR, R_OK) == 0) return FIXTURES_DIR;
    if (data_dir_find("fixtures", AGENTMOCK_DATADIR, found, sizeof found)) return found;
    return FIXTURES_DIR; /* absent: the mock's own message names it */
}

bool mock_process_start(struct mock_process *m, const char *const *args) {
    const char *bin = mock_binary();
    /* the fixtures by path, never the mock's ./fixtures default: the runner may be started
     * from any directory; a --fixtures or --no-fixtures in args comes later and wins */
    const char *argv[MAX_ARGS + 8] = {bin, "--listen", "127.0.0.1:0", "--log-level", "warn",
                                      "--fixtures", mock_fixtures_dir()};
    int argc = 7;
    for (int i = 0; args && args[i] && i < MAX_ARGS; i++) argv[argc++] = args[i];
    argv[argc] = NULL;

    memset(m, 0, sizeof *m);
    m->pid = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        perror("conformance: pipe");
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("conformance: fork");
        return false;
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
    m->out_fd = fds[0];
    char line[1024];
    if (!read_ready_line(m, bin, line, sizeof line) ||
        strncmp(line, READY_PREFIX "http://", strlen(READY_PREFIX) + 7) != 0) {
        mock_process_stop(m, SIGKILL, 1000);
        return false;
    }
    snprintf(m->url, sizeof m->url, "%.*s", (int)sizeof m->url - 1, line + strlen(READY_PREFIX));
    pthread_t th;
    if (pthread_create(&th, NULL, drain_thread, (void *)(intptr_t)m->out_fd) == 0)
        pthread_detach(th);
    else
        close(m->out_fd);
    return true;
}

int mock_process_stop(struct mock_process *m, int sig, int timeout_ms) {
    if (m->pid <= 0) return 0;
    kill(m->pid, sig);
    int status = 0;
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t w = waitpid(m->pid, &status, WNOHANG);
        if (w == m->pid || (w < 0 && errno != EINTR)) break;
        if (now_ms() > deadline) {
            fprintf(stderr, "conformance: agentmock did not stop within %d ms; SIGKILL\n", timeout_ms);
            kill(m->pid, SIGKILL);
            waitpid(m->pid, &status, 0);
            break;
        }
        usleep(20000);
    }
    m->pid = -1;
    return status;
}

/* ---- a test's own mock ------------------------------------------------------------------ */

static struct mock_process own = {.pid = -1};

void own_mock_start(const char *const *extra_args) {
    require_mock();
    cr_assert(own.pid <= 0, "own_mock_start: this test already has its own mock");
    const char *args[MAX_ARGS + 1] = {NULL};
    int n = 0;
    for (int i = 0; extra_args && extra_args[i] && n < MAX_ARGS; i++) args[n++] = extra_args[i];
    args[n] = NULL;
    cr_assert(mock_process_start(&own, args), "could not start a private agentmock (see stderr)");
    target_set_base_url(own.url);
}

void own_mock_stop(void) {
    if (own.pid <= 0) return;
    int status = mock_process_stop(&own, SIGTERM, 10000);
    target_set_base_url(NULL);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the private agentmock did not exit cleanly (status 0x%x: a sanitizer report or a "
              "crash, see stderr)", status);
}
