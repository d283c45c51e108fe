/* Leaving an already-running mock as the run found it.  A CI job may point the runner at a
 * mock it started for other work too: the suite's orgs (hundreds) and its clock jumps (a year)
 * would otherwise stay.  The runner notes the clock offset before the tests, every test
 * process appends the org ids it creates to a file the runner names (CONFORMANCE_CREATED_ORGS;
 * O_APPEND lines, so parallel workers do not interleave), and afterwards the runner deletes
 * those orgs and moves the clock back.  Orgs of a test's own mock are not on the list. */
#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ORGS_VAR "CONFORMANCE_CREATED_ORGS"

static char list_path[] = "/tmp/conformance-orgs-XXXXXX";
static double offset_before;
static bool active;

/* The clock's offset from real time in seconds, or false when it cannot be read. */
static bool clock_offset(double *out) {
    struct http_resp r;
    bool ok = http_call("GET", "/_mock/clock", NULL, NULL, NULL, &r) == 0 && r.status == 200 &&
              cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r.json, "offset_seconds"));
    if (ok) *out = cJSON_GetObjectItemCaseSensitive(r.json, "offset_seconds")->valuedouble;
    http_resp_free(&r);
    return ok;
}

void shared_mock_cleanup_begin(void) {
    if (!clock_offset(&offset_before)) {
        fprintf(stderr, "conformance: cannot read GET /_mock/clock: the clock will not be put "
                        "back after the run\n");
        offset_before = -1e300;
    }
    int fd = mkstemp(list_path);
    if (fd < 0) {
        perror("conformance: the list of created organizations");
        return;
    }
    close(fd);
    setenv(ORGS_VAR, list_path, 1);
    active = true;
}

void shared_mock_org_created(const char *org_id) {
    const char *path = getenv(ORGS_VAR);
    const char *shared = getenv("ALSORN_BASE_URL");
    if (!path || !*path || !shared) return;
    /* an org of a test's own mock dies with it */
    size_t n = strlen(shared);
    while (n && shared[n - 1] == '/')
        n--;
    const char *now = target_base_url();
    if (strlen(now) != n || strncmp(now, shared, n) != 0) return;
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) return;
    char line[128];
    int len = snprintf(line, sizeof line, "%s\n", org_id);
    if (len > 0 && (size_t)len < sizeof line && write(fd, line, (size_t)len) != len)
        fprintf(stderr, "conformance: could not note org %s for removal\n", org_id);
    close(fd);
}

bool shared_mock_cleanup_end(void) {
    if (!active) return true;
    bool ok = true;
    long removed = 0, failed = 0;
    FILE *f = fopen(list_path, "r");
    char id[128];
    while (f && fgets(id, sizeof id, f)) {
        id[strcspn(id, "\n")] = '\0';
        if (!*id) continue;
        char path[192];
        snprintf(path, sizeof path, "/_mock/orgs/%s", id);
        struct http_resp r;
        http_call("DELETE", path, NULL, NULL, NULL, &r);
        if (r.status == 204) {
            removed++;
        } else if (r.status != 404) { /* 404: a test removed it itself */
            if (!failed++)
                fprintf(stderr, "conformance: could not remove org %s: DELETE answered %ld\n", id,
                        r.status);
            ok = false;
        }
        http_resp_free(&r);
    }
    if (f) fclose(f);
    unlink(list_path);
    unsetenv(ORGS_VAR);
    active = false;

    double offset_after = 0;
    bool clock_back = false;
    if (offset_before > -1e299 && clock_offset(&offset_after)) {
        char body[96];
        snprintf(body, sizeof body, "{\"advance_seconds\": %.0f}", offset_before - offset_after);
        struct http_resp r;
        http_call("POST", "/_mock/clock", NULL, body, NULL, &r);
        clock_back = r.status == 200;
        http_resp_free(&r);
    }
    if (!clock_back) ok = false;
    fprintf(stderr,
            "conformance: left the mock as found: removed %ld organizations it created%s; "
            "%s\n",
            removed, failed ? " (some could not be removed, see above)" : "",
            clock_back ? "clock put back" : "could NOT put the clock back");
    return ok;
}
