/* Why a call to a provider got no answer, in the words both ends use: the mock's proxy puts it
 * in a 502 upstream_error's details.reason, the client's retrieve mode in its
 * ALTER_ERR_UPSTREAM details (agentclient compiles this file too). */
#ifndef UPSTREAM_REASON_H
#define UPSTREAM_REASON_H

#include <curl/curl.h>

/* "timeout", "connection_refused", "connection_failed", "dns_failure", "connection_reset" or
 * "protocol_error" (static) for a failed libcurl transfer; os_errno from CURLINFO_OS_ERRNO. */
const char *upstream_failure_reason(CURLcode rc, long os_errno);

#endif
