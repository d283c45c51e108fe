/* /_mock/faults: add, list and remove fault-injection rules (sandbox/faults.h). */
#include "sandbox/admin.h"

#include "sandbox/faults.h"

/* POST /_mock/faults {action, method?, path_prefix?, status?, latency_ms?, retry_after?,
 * probability?, count?, org_id?} → 201 the rule with its id. */
void mock_fault_create(struct req *r) {
    struct field_errors fe = {0};
    cJSON *rule = faults_add(r->json, r->now, &fe);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);
    if (!rule)
        return reply_error(r, 409, "conflict", "At most %d fault rules; delete some first", FAULTS_MAX);
    reply_json(r, 201, rule);
}

/* GET /_mock/faults → {"data": [rule...]} in creation order, with fired counts. */
void mock_fault_list(struct req *r) { reply_json(r, 200, faults_list_json()); }

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
