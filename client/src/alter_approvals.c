/* Approvals (contract §7): reading one, its result, and waiting for a decision. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alter_internal.h"

#define POLL_DEFAULT_MS 500

static alter_status get_json(alter_agent *agent, alter_route_id route, const char *approval_id,
                             cJSON **json, alter_error *err) {
    alter_error_clear(err);
    if (!agent) return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "no agent");
    const char *const params[] = {approval_id};
    return alter_call(&agent->conn, route, params, 1, NULL, 0, NULL, NULL, json, err);
}

alter_status alter_approval_get(alter_agent *agent, const char *approval_id, alter_approval **out,
                                alter_error *err) {
    cJSON *json = NULL;
    alter_status status = get_json(agent, ALTER_ROUTE_APPROVALS_GET, approval_id, &json, err);
    alter_approval *approval = NULL;
    if (status == ALTER_OK) status = approval_decode(json, &approval, err);
    cJSON_Delete(json);
    if (status != ALTER_OK) return status;
    if (out)
        *out = approval;
    else
        alter_approval_free(approval);
    return ALTER_OK;
}

alter_status alter_approval_result(alter_agent *agent, const char *approval_id,
                                   alter_response **out, alter_error *err) {
    cJSON *json = NULL;
    alter_status status = get_json(agent, ALTER_ROUTE_APPROVALS_RESULT, approval_id, &json, err);
    alter_response *response = NULL;
    if (status == ALTER_OK) status = response_decode(json, &response, err);
    cJSON_Delete(json);
    if (status != ALTER_OK) return status;
    if (out)
        *out = response;
    else
        alter_response_free(response);
    return ALTER_OK;
}

static bool settled(const char *status) {
    static const char *const final[] = {"executed", "denied", "expired", "failed", NULL};
    for (int i = 0; final[i]; i++)
        if (strcmp(status, final[i]) == 0) return true;
    return false;
}

static double monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

alter_status alter_await_approval(alter_agent *agent, const char *approval_id, long timeout_ms,
                                  long poll_interval_ms, alter_approval **out, alter_error *err) {
    if (timeout_ms < 0 || poll_interval_ms < 0)
        return alter_client_error(err, ALTER_ERR_INVALID_ARGUMENT, "negative timeout or interval");
    if (!poll_interval_ms) poll_interval_ms = POLL_DEFAULT_MS;
    double deadline = monotonic_ms() + (double)timeout_ms;
    for (;;) {
        alter_approval *approval = NULL;
        alter_status status = alter_approval_get(agent, approval_id, &approval, err);
        if (status != ALTER_OK) return status;
        double left = deadline - monotonic_ms();
        if (settled(approval->status) || left <= 0) {
            if (!settled(approval->status))
                alter_client_error(err, ALTER_ERR_TIMEOUT, "approval %s is still %s after %ld ms",
                                   approval_id, approval->status, timeout_ms);
            alter_status result = settled(approval->status) ? ALTER_OK : ALTER_ERR_TIMEOUT;
            if (out)
                *out = approval;
            else
                alter_approval_free(approval);
            return result;
        }
        alter_approval_free(approval);
        sleep_ms(left < poll_interval_ms ? (long)left + 1 : poll_interval_ms);
    }
}
