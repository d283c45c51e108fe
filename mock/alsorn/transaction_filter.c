#include "alsorn/transaction_filter.h"

#include <string.h>

#include "core/clock.h"

/* A money query value >= 0 with at most 2 decimals. */
static bool query_money(const struct req *r, struct field_errors *fe, const char *name,
                        int64_t *out) {
    char buf[64];
    int got = req_query(r, name, buf, sizeof buf);
    if (got == 0) return false;
    if (got < 0 || money_parse(buf, out) != 0 || *out < 0) {
        field_error_add(fe, name, "must be a number >= 0 with at most 2 decimal places");
        return false;
    }
    return true;
}

static bool query_time(const struct req *r, struct field_errors *fe, const char *name,
                       int64_t *out) {
    char buf[64];
    int got = req_query(r, name, buf, sizeof buf);
    if (got == 0) return false;
    if (got < 0 || clock_parse(buf, out) != 0) {
        field_error_add(fe, name, "must be an RFC 3339 timestamp, e.g. 2026-01-02T03:04:05Z");
        return false;
    }
    return true;
}

void tx_filter_parse(const struct req *r, struct field_errors *fe, bool export,
                     struct tx_filter *f) {
    memset(f, 0, sizeof *f);
    int got = req_query(r, "agent_id", f->agent_id, sizeof f->agent_id);
    if (got < 0) f->agent_id[0] = '\0'; /* longer than any id: matches no agent */
    f->has_agent = got != 0;
    f->status = req_query_enum(r, fe, "status", tx_status_names);
    got = req_query(r, "action_type", f->action_type, sizeof f->action_type);
    if (got < 0) field_error_add(fe, "action_type", "must be at most 64 characters");
    f->has_action = got > 0;
    f->has_min = query_money(r, fe, "min_amount", &f->min_amount);
    f->has_max = query_money(r, fe, "max_amount", &f->max_amount);
    if (f->has_min && f->has_max && f->min_amount > f->max_amount)
        field_error_add(fe, "min_amount", "must not be greater than max_amount");
    f->has_from = query_time(r, fe, "start_date", &f->from);
    f->has_until = query_time(r, fe, "end_date", &f->until);
    if (f->has_from && f->has_until && f->from > f->until)
        field_error_add(fe, "start_date", "must not be after end_date");
    if (!export) return;
    int64_t since, until;
    bool has_since = query_time(r, fe, "since", &since);
    bool has_until = query_time(r, fe, "until", &until);
    if (has_since && has_until && since > until)
        field_error_add(fe, "since", "must not be after until");
    if (has_since && (!f->has_from || since > f->from)) f->from = since;
    if (has_until && (!f->has_until || until < f->until)) f->until = until;
    f->has_from |= has_since;
    f->has_until |= has_until;
}

bool tx_filter_match(const struct tx_filter *f, const struct transaction *tx,
                     enum tx_status status) {
    if (f->status >= 0 && (int)status != f->status) return false;
    if (f->has_action && strcmp(tx->action_type, f->action_type) != 0) return false;
    if (f->has_min && tx->amount < f->min_amount) return false;
    if (f->has_max && tx->amount > f->max_amount) return false;
    if (f->has_from && tx->created_at < f->from) return false;
    if (f->has_until && tx->created_at >= f->until) return false;
    return true;
}

bool tx_filter_indexed(const struct tx_filter *f) {
    return !f->has_action && !f->has_min && !f->has_max && !f->has_from && !f->has_until;
}

struct tx_candidates tx_candidates_of(const struct tenant *t, const struct tx_filter *f) {
    struct tx_candidates c = {.set = &t->transactions};
    if (f->has_agent) {
        c.agent = agent_set_find(&t->agents, f->agent_id);
        c.none = !c.agent;
    }
    return c;
}

size_t tx_candidates_count(const struct tx_candidates *c) {
    if (c->none) return 0;
    return c->agent ? c->agent->transactions.n : c->set->n;
}

struct transaction *tx_candidates_at(const struct tx_candidates *c, size_t i) {
    return c->set->list[c->agent ? c->agent->transactions.positions[i] : i];
}
