/* /_mock/faults and /_mock/sequences: fault-injection rules and scripted sequences
 * (sandbox/faults.h). */
#include "sandbox/admin.h"

#include "sandbox/faults.h"

/* POST /_mock/faults {action, method?, path_prefix?, status?, latency_ms?, retry_after?,
 * probability?, count?, org_id?, expect_retry?, retry_within_ms?} → 201 the rule with its id. */
void mock_fault_create(struct req *r) {
    struct field_errors fe = {0};
    cJSON *rule = faults_add(r->json, r->now, &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (!rule)
        return reply_error(r, 409, "conflict", "At most %d fault rules; delete some first", FAULTS_MAX);
    reply_json(r, 201, rule);
}

/* GET /_mock/faults → {"data": [rule...]} in creation order, with fired counts. */
void mock_fault_list(struct req *r) { reply_json(r, 200, faults_list_json(r->sandbox.arrived_ms)); }

/* DELETE /_mock/faults → {"deleted": N} */
void mock_fault_clear(struct req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "deleted", faults_clear(NULL));
    reply_json(r, 200, o);
}

/* DELETE /_mock/faults/{id} → 204 */
void mock_fault_delete(struct req *r) {
    if (faults_remove(r->params[0]) != 0)
        return reply_error(r, 404, "not_found", "No fault rule %s", r->params[0]);
    reply_empty(r, 204);
}

/* POST /_mock/sequences {method?, path_prefix?, org_id?, key?, retry_within_ms?, steps: [{action,
 * status?, latency_ms?, retry_after?, expect_retry?}...]} → 201 the sequence with its id. */
void mock_sequence_create(struct req *r) {
    struct field_errors fe = {0};
    cJSON *seq = sequences_add(r->json, r->now, &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (!seq)
        return reply_error(r, 409, "conflict", "At most %d fault rules and sequences; delete some first",
                           FAULTS_MAX);
    reply_json(r, 201, seq);
}

/* GET /_mock/sequences → {"data": [sequence...]} with their attempts. */
void mock_sequence_list(struct req *r) { reply_json(r, 200, sequences_list_json(r->sandbox.arrived_ms)); }

/* GET /_mock/sequences/{id} → the sequence: steps, attempts (arrival, delay since the previous
 * one, Idempotency-Key, User-Agent, what was served), transient_error_not_retried. */
void mock_sequence_get(struct req *r) {
    cJSON *seq = sequence_get_json(r->params[0], r->sandbox.arrived_ms);
    if (!seq) return reply_error(r, 404, "not_found", "No sequence %s", r->params[0]);
    reply_json(r, 200, seq);
}
