#include "retry_policy.h"

#include <math.h>
#include <stdint.h>

#include <openssl/rand.h>

bool retry_http_status_is_transient(long http_status) {
    return http_status == 429 || (http_status >= 500 && http_status <= 599);
}

bool retry_curl_error_is_transient(CURLcode code) {
    switch (code) {
    case CURLE_OK:
    /* Our mistakes or the machine's, not the network's: the next attempt fails the same. */
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_WRITE_ERROR: /* our write callback refused an oversized body */
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_PEER_FAILED_VERIFICATION:
        return false;
    default:
        return true;
    }
}

double retry_backoff_seconds(int retry_index, double base_seconds, double cap_seconds,
                             double unit_random) {
    /* ldexp instead of a shift: retry_index can be large and the product must not overflow */
    double ceiling = ldexp(base_seconds, retry_index > 60 ? 60 : retry_index);
    if (ceiling > cap_seconds) ceiling = cap_seconds;
    return unit_random * ceiling;
}

double retry_unit_random(void) {
    uint32_t r;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) return 0;
    return r / 4294967296.0;
}
