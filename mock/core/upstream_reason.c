#include "upstream_reason.h"

#include <errno.h>

const char *upstream_failure_reason(CURLcode rc, long os_errno) {
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_CONNECT:
        return os_errno == ECONNREFUSED ? "connection_refused" : "connection_failed";
    case CURLE_COULDNT_RESOLVE_HOST: return "dns_failure";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR: return "connection_reset";
    default: return "protocol_error";
    }
}
