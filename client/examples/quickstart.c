/* The SDK's quick start in C: register an agent, read it back, verify it publicly.
 *
 *   ALSORN_API_KEY=als_... [ALSORN_BASE_URL=http://127.0.0.1:4010] ./quickstart
 *
 * Unlike the library (whose default is the live service), this example talks to a local
 * agentmock unless ALSORN_BASE_URL says otherwise. */
#include <stdio.h>
#include <stdlib.h>

#include "alsorn.h"

#define EXAMPLE_BASE_URL "http://127.0.0.1:4010"

static int fail(const char *what, const alsorn_error *err) {
    fprintf(stderr, "%s failed: %s (HTTP %ld) code=%s message=%s request_id=%s\n", what,
            alsorn_status_name(err->status), err->http_status, err->code[0] ? err->code : "-",
            err->message, err->request_id[0] ? err->request_id : "-");
    for (size_t i = 0; i < err->field_error_count; i++) {
        fprintf(stderr, "  %s: %s\n", err->field_errors[i].field, err->field_errors[i].message);
    }
    return 1;
}

int main(void) {
    const char *base_url = getenv("ALSORN_BASE_URL");
    alsorn_client *client = alsorn_client_new(NULL, base_url ? base_url : EXAMPLE_BASE_URL, 0);
    if (!client) {
        fprintf(stderr, "set ALSORN_API_KEY (and ALSORN_BASE_URL for a server other than %s)\n",
                EXAMPLE_BASE_URL);
        return 1;
    }

    int rc = 1;
    alsorn_error err = ALSORN_ERROR_INIT;
    alsorn_agent *registered = NULL, *agent = NULL;
    alsorn_verification *verification = NULL;

    const char *actions[] = {"execute_trades"};
    alsorn_agent_params params = {
        .name = "Trading Agent Alpha",
        .authorized_actions = actions,
        .authorized_action_count = 1,
        .spending_limit = 50000,
    };
    if (alsorn_agents_register(client, &params, &registered, &err) != ALSORN_OK) {
        rc = fail("register", &err);
        goto done;
    }
    if (alsorn_agents_get(client, registered->id, &agent, &err) != ALSORN_OK) {
        rc = fail("get", &err);
        goto done;
    }
    printf("id:          %s\n", agent->id);
    printf("fingerprint: %s\n", agent->fingerprint);
    printf("status:      %s\n", agent->status);
    if (agent->trust_record)
        printf("trust score: %d\n", agent->trust_record->score);
    else
        printf("trust score: (no trust record)\n");

    if (alsorn_agents_verify(client, agent->id, agent->fingerprint, &verification, &err) !=
        ALSORN_OK) {
        rc = fail("verify", &err);
        goto done;
    }
    printf("verified:    %s (trust score %d)\n", verification->verified ? "yes" : "NO",
           verification->trust_score);
    rc = verification->verified ? 0 : 1;

done:
    alsorn_verification_free(verification);
    alsorn_agent_free(agent);
    alsorn_agent_free(registered);
    alsorn_error_clear(&err);
    alsorn_client_free(client);
    return rc;
}
