/* Alsorn webhook endpoints (alsorn.md §6): register, list, get, update, delete, test, and
 * the delivery log.  Admin keys only.  Delivery itself is delivery/dispatcher.c's. */
#ifndef ALSORN_WEBHOOKS_H
#define ALSORN_WEBHOOKS_H

#include "core/http.h"

void alsorn_webhook_create(struct req *r);
void alsorn_webhook_list(struct req *r);
void alsorn_webhook_get(struct req *r);
void alsorn_webhook_update(struct req *r);
void alsorn_webhook_delete(struct req *r);
void alsorn_webhook_test(struct req *r);
void alsorn_webhook_deliveries(struct req *r);

#endif
