/* Wire bodies shared by the client tests, shaped as contract/alsorn.md says. */
#ifndef TEST_FIXTURES_H
#define TEST_FIXTURES_H

#define AGENT_JSON                                                                                 \
    "{\"id\":\"agent_7f3k9x2m\",\"name\":\"Trading Agent Alpha\",\"description\":null,"            \
    "\"fingerprint\":\"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"," \
    "\"environment\":\"production\",\"status\":\"active\","                                        \
    "\"authorized_actions\":[\"execute_trades\",\"transfer_funds\"],"                              \
    "\"spending_limit\":50000.07,\"currency\":\"USD\",\"org_id\":\"org_a1\","                      \
    "\"owner_id\":\"user_b2\",\"created_at\":\"2026-01-02T03:04:05Z\","                            \
    "\"updated_at\":\"2026-01-03T03:04:05Z\",\"suspended_at\":null,\"deleted_at\":null,"           \
    "\"trust_record\":{\"id\":\"tr_c3\",\"agent_id\":\"agent_7f3k9x2m\",\"score\":500,"            \
    "\"total_tasks\":7,\"disputes\":1,\"completion_rate\":0.86,\"tenure_days\":12,"                \
    "\"operator_verified\":true,\"last_evaluated\":\"2026-01-03T00:00:00Z\"}}"

#define ERROR_JSON(code, message, request_id)                                                      \
    "{\"error\":{\"code\":\"" code "\",\"message\":\"" message "\",\"request_id\":\"" request_id   \
    "\"}}"

#endif
