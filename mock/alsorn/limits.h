/* Alsorn's field limits (alsorn.md §3–§7): what the validators enforce, and what the OpenAPI
 * document mock/openapi/alsorn.json states.  tests/test_openapi.c compares the two, so a limit
 * cannot change in one place only. */
#ifndef ALSORN_LIMITS_H
#define ALSORN_LIMITS_H

#include "store/webhook.h"

#define ALSORN_PAGE_LIMIT_MAX     100 /* limit of every paged list */
#define ALSORN_PAGE_LIMIT_DEFAULT 20
#define ALSORN_MONEY_MAX          1000000000000LL /* 1e12 in major units */
#define ALSORN_ID_ARG_MAX         200 /* longer ids cannot exist; they are reported as unknown */
#define ALSORN_ACTION_MAX         64  /* an action name: ^[a-z][a-z0-9_.:-]{0,63}$ */

#define AGENT_NAME_MIN        2
#define AGENT_NAME_MAX        100
#define AGENT_DESCRIPTION_MAX 500
#define AGENT_ACTIONS_MAX     50

#define TX_NOTES_MAX  500
#define TX_REASON_MAX 500 /* of a reversal */

#define DISPUTE_REASON_MAX   500
#define DISPUTE_EVIDENCE_MAX 2000
/* evidence_ids: DISPUTE_MAX_EVIDENCE (store/dispute.h) */

#define TRUST_QUERY_MAX          50
#define TRUST_HISTORY_DAYS       30
#define TRUST_HISTORY_DAYS_MAX   365

/* WEBHOOK_URL_MAX: store/webhook.h (the forward target is held to it too) */
#define WEBHOOK_EVENTS_MAX 32 /* more than every known name: a longer list can only repeat itself */

#endif
