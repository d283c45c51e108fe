/* The filters of GET /transactions and its export (alsorn.md §5): parsed from the query once,
 * matched per row, and the candidate rows they start from (one agent's transactions when
 * agent_id is given, so an agent's history never scans the organization). */
#ifndef TRANSACTION_FILTER_H
#define TRANSACTION_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http.h"
#include "store/tenant.h"
#include "store/transaction.h"

struct tx_filter {
    bool has_agent;
    char agent_id[PATH_PARAM_MAX]; /* either side */
    int status;                    /* enum tx_status, or -1 for any */
    bool has_action;
    char action_type[72];
    bool has_min, has_max;
    int64_t min_amount, max_amount; /* minor units, inclusive */
    bool has_from, has_until;
    int64_t from, until; /* created_at in [from, until) */
};

/* Reads agent_id, status, action_type, min_amount, max_amount, start_date, end_date and, for
 * the export, since and until (intersected with the dates).  Bad values go into fe. */
void tx_filter_parse(const struct req *r, struct field_errors *fe, bool export,
                     struct tx_filter *f);
/* Whether tx, whose status in the view being read is `status`, passes every filter except
 * the agent (the candidates see to that). */
bool tx_filter_match(const struct tx_filter *f, const struct transaction *tx,
                     enum tx_status status);
/* True when only agent_id and status are set: the indexes answer without a scan. */
bool tx_filter_indexed(const struct tx_filter *f);

/* The rows a filter starts from, oldest first: the agent's transactions, or all of them. */
struct tx_candidates {
    const struct transaction_set *set;
    const struct agent *agent; /* NULL: every transaction */
    bool none;                 /* agent_id names no agent of this organization */
};
/* Resolves the filter's agent in t (locked). */
struct tx_candidates tx_candidates_of(const struct tenant *t, const struct tx_filter *f);
size_t tx_candidates_count(const struct tx_candidates *c);
struct transaction *tx_candidates_at(const struct tx_candidates *c, size_t i);

#endif
