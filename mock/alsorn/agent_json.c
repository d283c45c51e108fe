#include "alsorn/agent_json.h"
#include "core/json_build.h"

#include "core/clock.h"
#include "core/validate.h"

int agent_tenure_days(const struct agent *a, int64_t now) {
    return now > a->created_at ? (int)((now - a->created_at) / 86400) : 0;
}

void json_add_time(cJSON *o, const char *name, int64_t unix_seconds) {
    if (!unix_seconds) {
        json_add_null(o, name);
        return;
    }
    char ts[RFC3339_LEN];
    clock_format(unix_seconds, ts);
    json_add_string(o, name, ts);
}

/* Money goes out as the exact decimal text of its minor units (50000, 12.5), never through a
 * double printed with %g, which would write 1e+12 for a trillion. */
void json_add_money(cJSON *o, const char *name, int64_t cents) {
    char text[32];
    money_format(cents, text);
    json_add_item(o, name, cJSON_CreateRaw(text));
}

void json_add_string_or_null(cJSON *o, const char *name, const char *s) {
    if (s) json_add_string(o, name, s);
    else json_add_null(o, name);
}

cJSON *json_pagination(long page, long limit, size_t total) {
    cJSON *p = cJSON_CreateObject();
    json_add_number(p, "page", (double)page);
    json_add_number(p, "limit", (double)limit);
    json_add_number(p, "total", (double)total);
    json_add_number(p, "total_pages", (double)((total + (size_t)limit - 1) / (size_t)limit));
    return p;
}

static cJSON *trust_record_json(const struct agent *a) {
    const struct trust_record *tr = &a->trust;
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "id", tr->id);
    json_add_string(o, "agent_id", a->id);
    json_add_number(o, "score", tr->score);
    json_add_number(o, "total_tasks", tr->total_tasks);
    json_add_number(o, "disputes", tr->disputes);
    json_add_number(o, "completion_rate", tr->completion_rate);
    /* as of last_evaluated, like the rest of the record and GET /trust/{id} (alsorn/trust.h) */
    json_add_number(o, "tenure_days", tr->tenure_days);
    json_add_bool(o, "operator_verified", tr->operator_verified);
    json_add_time(o, "last_evaluated", tr->last_evaluated);
    return o;
}

cJSON *agent_to_json(const struct agent *a, const struct tenant *t, int64_t now) {
    cJSON *o = cJSON_CreateObject();
    json_add_string(o, "id", a->id);
    json_add_string(o, "name", a->name);
    json_add_string_or_null(o, "description", a->description);
    json_add_string(o, "fingerprint", a->fingerprint);
    json_add_static(o, "environment", agent_env_names[a->environment]);
    json_add_static(o, "status", agent_status_names[a->status]);
    cJSON *actions = cJSON_AddArrayToObject(o, "authorized_actions");
    for (size_t i = 0; i < a->n_actions; i++)
        cJSON_AddItemToArray(actions, cJSON_CreateString(a->actions[i]));
    json_add_money(o, "spending_limit", a->spending_limit);
    json_add_string(o, "currency", a->currency);
    json_add_string(o, "org_id", t->id);
    json_add_string(o, "owner_id", a->owner_id);
    json_add_time(o, "created_at", a->created_at);
    json_add_time(o, "updated_at", a->updated_at);
    json_add_time(o, "suspended_at", a->suspended_at);
    json_add_time(o, "deleted_at", a->deleted_at);
    (void)now; /* the trust record is as of its last_evaluated, not of now */
    json_add_item(o, "trust_record", trust_record_json(a));
    return o;
}
