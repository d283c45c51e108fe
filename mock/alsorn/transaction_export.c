/* GET /transactions/export (alsorn.md §5, ext): every matching transaction, oldest first, as
 * CSV or a JSON array, streamed in chunks so a million rows never sit in memory at once.
 *
 * Consistent view: the export covers the transactions that existed when it started (the
 * first `horizon` of the creation-ordered list) and shows each as it was then, even though
 * the tenant's lock is held only while one batch is rendered: a transaction created later is
 * past the horizon, and a reversal made during the export is past it too, so its original
 * still reads completed (transaction_view_at).  Other requests of the organization run
 * between batches.  Agent names are read as they are when the row is rendered. */
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>

#include "alsorn/transaction_filter.h"
#include "alsorn/transaction_json.h"
#include "alsorn/transactions.h"

#define EXPORT_BATCH 4096 /* candidate rows examined per hold of the tenant lock */

static const char *const formats[] = {"json", "csv", NULL};
enum { FORMAT_JSON, FORMAT_CSV };

struct export_state {
    struct tx_filter filter;
    struct tx_candidates candidates;
    size_t horizon; /* transactions that existed when the export began */
    size_t next;    /* next candidate to examine */
    bool csv;
    bool any_row;   /* JSON: a row was written, so the next needs a comma */
};

/* Renders the next batch into out; returns true when every candidate has been examined. */
static bool render_batch(struct export_state *s, FILE *out) {
    size_t n = tx_candidates_count(&s->candidates);
    for (size_t examined = 0; s->next < n && examined < EXPORT_BATCH; examined++) {
        const struct transaction *tx = tx_candidates_at(&s->candidates, s->next++);
        if (tx->position >= s->horizon) return true; /* candidates are in creation order */
        struct transaction_view v = transaction_view_at(tx, s->horizon);
        if (!tx_filter_match(&s->filter, tx, v.status)) continue;
        if (s->csv) {
            transaction_csv_row(out, tx, v);
            continue;
        }
        cJSON *o = transaction_view_json(tx, v);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (s->any_row) fputc(',', out);
        fputs(text ? text : "null", out);
        cJSON_free(text);
        s->any_row = true;
    }
    return s->next >= n;
}

void alsorn_transaction_export(struct req *r) {
    struct field_errors fe = {0};
    struct export_state s = {0};
    s.csv = req_query_enum(r, &fe, "format", formats) == FORMAT_CSV;
    tx_filter_parse(r, &fe, true, &s.filter);
    if (field_errors_any(&fe)) return reply_validation(r, &fe);

    struct tenant *t = r->caller.tenant;
    reply_header(r, "Content-Disposition", "attachment; filename=\"transactions.%s\"",
                 s.csv ? "csv" : "json");
    reply_stream_start(r, 200, s.csv ? "text/csv" : "application/json");
    bool started = false, done = false, sent = true;
    while (!done && sent) {
        char *chunk = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&chunk, &len);
        if (!out) { /* out of memory: no final chunk, so the client sees a truncated body */
            sent = false;
            break;
        }
        __fsetlocking(out, FSETLOCKING_BYCALLER); /* private to this thread */
        if (!started) {
            if (s.csv) transaction_csv_header(out);
            else fputc('[', out);
        }
        tenant_lock(t);
        if (!started) {
            s.horizon = t->transactions.n;
            s.candidates = tx_candidates_of(t, &s.filter);
            started = true;
        }
        done = render_batch(&s, out);
        tenant_unlock(t);
        if (done && !s.csv) fputc(']', out);
        fclose(out);
        sent = reply_stream_chunk(r, chunk, len); /* false: the client has gone */
        free(chunk);
    }
    if (sent) reply_stream_end(r);
}
