/* GET /_mock/orgs/{id}/trust-check: every stored trust score of an org against a recomputation
 * from scratch (counters recounted from its transactions and disputes).  The soak
 * (scripts/soak) relies on it after hours of load; here it is shown to agree after every kind
 * of event, and to notice a state whose counters were edited.  Mock only. */
#include "trust_tx.h"

#include <stdlib.h>
#include <string.h>

static struct tenant T;

static cJSON *trust_check(const char *org_id, long status) {
    struct http_resp r;
    http_call("GET", fmt("/_mock/orgs/%s/trust-check", org_id), NULL, NULL, NULL, &r);
    if (status != 200) {
        expect_error(&r, status, "not_found");
        http_resp_free(&r);
        return NULL;
    }
    expect_status(&r, 200);
    cJSON *j = r.json;
    r.json = NULL;
    http_resp_free(&r);
    return j;
}

Test(trust_check, agrees_after_transfers_refusals_reversals_and_disputes) {
    require_mock();
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    char payer[96], payee[96];
    snprintf(payer, sizeof payer, "%s", a);
    snprintf(payee, sizeof payee, "%s", b);
    cJSON *done = NULL;
    for (int i = 0; i < 3; i++) {
        cJSON_Delete(done);
        done = tx_ok(&T, payer, payee, "10", "pay");
    }
    tx_refused(&T, payer, payee, "5000", "pay", "spending_limit_exceeded");
    cJSON_Delete(tx_reverse(&T, jstr(done, "id"), "{\"reason\": \"duplicate\"}"));
    cJSON_Delete(done);
    /* disputes of each outcome, against both agents: pending, upheld and dismissed */
    const char *outcomes[] = {NULL, "upheld", "dismissed", NULL, "upheld"};
    for (int i = 0; i < 5; i++) {
        cJSON *d = dispute_file(&T, fmt("{\"agent_id\": \"%s\", \"reason\": \"Did not deliver.\"}",
                                        i % 2 ? payer : payee));
        if (outcomes[i]) dispute_resolve(&T, jstr(d, "dispute_id"), outcomes[i], 200);
        cJSON_Delete(d);
    }
    cJSON *c = trust_check(T.org_id, 200);
    cr_assert_str_eq(jstr(c, "org_id"), T.org_id);
    cr_assert_eq(jnum(c, "agents"), 2);
    cr_assert_eq(jnum(c, "mismatches"), 0, "stored scores differ from scratch: %s",
                 cJSON_PrintUnformatted(c));
    cr_assert_eq(cJSON_GetArraySize(jarr(c, "details")), 0);
    cJSON_Delete(c);
}

Test(trust_check, unknown_org_is_404) {
    require_mock();
    trust_check("org_doesnotexist0", 404);
}

/* A state file whose counters were edited (the chains untouched) loads, or is refused; if it
 * loads, the check names the agent whose stored score no longer follows from its history. */
Test(trust_check, notices_counters_edited_in_a_state_file, .timeout = 60) {
    own_mock_start(NULL);
    tenant_new(&T);
    const char *a, *b;
    tx_pair(&T, &a, &b);
    char payer[96];
    snprintf(payer, sizeof payer, "%s", a);
    cJSON_Delete(tx_ok(&T, payer, b, "10", "pay"));
    struct http_resp r;
    http_call("GET", "/_mock/state", NULL, NULL, NULL, &r);
    expect_status(&r, 200);
    const char *needle = "\"completed\":1,";
    char *at = NULL;
    for (char *line = r.body; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, "{\"type\":\"agent\"", 15) && strstr(line, payer) &&
            (at = strstr(line, needle)) && at < strchr(line, '\n'))
            break;
    cr_assert(at, "the payer's record has no %s: %.300s", needle, r.body);
    at[strlen("\"completed\":")] = '7';
    struct http_req put = {.method = "PUT", .path = "/_mock/state", .body = r.body,
                           .content_type = "application/x-ndjson"};
    struct http_resp imp;
    http_do(&put, &imp);
    if (imp.status == 200) {
        cJSON *c = trust_check(T.org_id, 200);
        cr_assert_eq(jnum(c, "mismatches"), 1, "%s", cJSON_PrintUnformatted(c));
        const cJSON *d = cJSON_GetArrayItem(jarr(c, "details"), 0);
        cr_assert_str_eq(jstr(d, "agent_id"), payer);
        cr_assert_eq(jnum(jobj(d, "stored"), "completed"), 7);
        cr_assert_eq(jnum(jobj(d, "recomputed"), "completed"), 1);
        cJSON_Delete(c);
    } else {
        expect_error(&imp, 422, "invalid_snapshot");
    }
    http_resp_free(&imp);
    http_resp_free(&r);
    own_mock_stop();
}
