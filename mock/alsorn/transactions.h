/* Alsorn transactions (alsorn.md §5): executing one with every check in the contract's order,
 * reversing one, and the HTTP handlers.  The domain functions take a locked tenant and no
 * request, so the sandbox generator (sandbox/generate.c) drives the same code as the API. */
#ifndef ALSORN_TRANSACTIONS_H
#define ALSORN_TRANSACTIONS_H

#include <stdint.h>

#include "alsorn/trust.h"
#include "core/http.h"
#include "store/tenant.h"

/* Handlers */
void alsorn_transaction_execute(struct req *r);
void alsorn_transaction_list(struct req *r);
void alsorn_transaction_get(struct req *r);
void alsorn_transaction_reverse(struct req *r);
void alsorn_transaction_export(struct req *r); /* alsorn/transaction_export.c */

/* A validated POST /transactions body. */
struct tx_request {
    const char *agent_id, *counterparty_id, *action_type;
    const char *currency; /* NULL: the initiator's */
    const char *notes;    /* NULL: null */
    int64_t amount;       /* minor units, > 0 */
};

enum tx_outcome {
    TX_OK,       /* done: result.tx */
    TX_INVALID,  /* 422: fe names the fields; nothing stored */
    TX_CONFLICT, /* 409: result.message says why; nothing stored */
    TX_REFUSED,  /* 403: a failed transaction was stored (result.tx), result.check says why */
    TX_NOMEM,
};

struct tx_result {
    struct transaction *tx;
    enum trust_check check;
    char message[256];
};

/* Runs the checks of §5 in order and stores the transaction (completed, or failed when a 403
 * check refuses it), with its audit entries in both parties' chains, its event, and the
 * re-evaluation of the parties whose trust inputs changed.  t's lock is held. */
enum tx_outcome transaction_execute(struct tenant *t, const struct tx_request *req, int64_t now,
                                    struct field_errors *fe, struct tx_result *out);
/* Reverses a completed transfer: a new reversal record, the original marked reversed.
 * TX_OK, TX_CONFLICT (not a completed transfer, or a party is deleted) or TX_NOMEM. */
enum tx_outcome transaction_reverse(struct tenant *t, struct transaction *original,
                                    const char *reason, int64_t now, struct tx_result *out);

#endif
