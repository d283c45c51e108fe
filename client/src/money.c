#include "money.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

cJSON *money_to_json(double amount) {
    double scaled = amount * 100.0;
    double cents = nearbyint(scaled);
    /* amount is within half an ulp of the decimal the caller meant; scaling by 100 adds at
     * most one more, so 4 ulps of slack accepts every intended cent value and nothing else. */
    bool whole_cents = isfinite(scaled) && fabs(scaled) < 9e15 &&
                       fabs(scaled - cents) <= 4 * DBL_EPSILON * fabs(scaled);
    /* cents / 100 is the double nearest the decimal, which cJSON prints as that decimal */
    return cJSON_CreateNumber(whole_cents ? cents / 100.0 : amount);
}

bool money_to_text(double amount, char *out, size_t size) {
    cJSON *number = money_to_json(amount);
    bool ok = number && cJSON_PrintPreallocated(number, out, (int)size, false);
    cJSON_Delete(number);
    return ok;
}
