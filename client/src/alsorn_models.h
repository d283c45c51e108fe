/* Decoding the contract's objects (§3, §6) into the public models, and releasing them. */
#ifndef ALSORN_MODELS_H
#define ALSORN_MODELS_H

#include <cjson/cJSON.h>

#include "alsorn.h"

/* Each *_decode fills a caller-provided struct; on failure it leaves it empty (nothing to
 * free) and returns the status also written to err. */
alsorn_status agent_decode(const cJSON *json, alsorn_agent *out, alsorn_error *err);
void agent_clear(alsorn_agent *agent);

alsorn_status audit_entry_decode(const cJSON *json, alsorn_audit_entry *out, alsorn_error *err);
void audit_entry_clear(alsorn_audit_entry *entry);

alsorn_status verification_decode(const cJSON *json, alsorn_verification *out, alsorn_error *err);
alsorn_status audit_verification_decode(const cJSON *json, alsorn_audit_verification *out,
                                        alsorn_error *err);

/* Webhooks (§6): alsorn_webhook_models.c. */
alsorn_status webhook_decode(const cJSON *json, alsorn_webhook *out, alsorn_error *err);
void webhook_clear(alsorn_webhook *webhook);
alsorn_status webhook_test_result_decode(const cJSON *json, alsorn_webhook_test_result *out,
                                         alsorn_error *err);
alsorn_status webhook_delivery_decode(const cJSON *json, alsorn_webhook_delivery *out,
                                      alsorn_error *err);
void webhook_delivery_clear(alsorn_webhook_delivery *delivery);

/* Trust (§4) and transactions (§5).  The decoders take void * so object_codec (transport.h)
 * can carry them; each fills a zeroed struct of its type. */
alsorn_status trust_profile_decode(const cJSON *json, void *profile, alsorn_error *err);
void trust_profile_clear(alsorn_trust_profile *profile);
alsorn_status trust_snapshot_decode(const cJSON *json, void *snapshot, alsorn_error *err);
void trust_snapshot_clear(void *snapshot);
alsorn_status dispute_decode(const cJSON *json, void *dispute, alsorn_error *err);
alsorn_status transaction_decode(const cJSON *json, void *transaction, alsorn_error *err);
void transaction_clear(void *transaction);

/* {"data": [...], "pagination": {page, limit, total, total_pages}}: checks the shape and
 * returns the data array (borrowed from json). */
typedef struct {
    long page;
    long limit;
    long long total;
    long total_pages;
} page_info;
alsorn_status page_decode(const cJSON *json, const char *object, const cJSON **data,
                          page_info *info, alsorn_error *err);

#endif
