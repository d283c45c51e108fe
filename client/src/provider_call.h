/* Retrieve mode's second step: the agent calls the provider itself, with libcurl, adding the
 * headers the vault said to inject.  Never retried, no redirects followed (they could carry
 * the credential to another host). */
#ifndef PROVIDER_CALL_H
#define PROVIDER_CALL_H

#include "alter.h"

/* *out gets the provider's answer, whatever its status.  No answer: ALTER_ERR_UPSTREAM with
 * details_json {"reason": "timeout" | "connection_refused" | ...}. */
alter_status provider_call(const alter_request_params *params, const alter_header *inject,
                           size_t inject_count, long timeout_ms, alter_response **out,
                           alter_error *err);

#endif
