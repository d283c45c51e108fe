/* The parts of a tenant that the layers above the store own (its Alter app, SDK report and
 * idempotency keys), made, emptied and freed for the store, which knows them only as
 * pointers (store/tenant.h).  Every program that makes tenants passes this table to
 * store_init: agentmock, the unit tests, the fuzzers and the benches. */
#ifndef TENANT_PARTS_H
#define TENANT_PARTS_H

#include "store/tenant.h"

extern const struct tenant_parts tenant_parts;

#endif
