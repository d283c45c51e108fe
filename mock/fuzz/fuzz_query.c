/* Query strings as the handlers read them (core/http.c over CivetWeb's mg_get_var2): a
 * value, an integer in range, an enum; the list routes' parameters are all read this way.
 * The input is the raw query string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *query = strndup((const char *)data, size);
    struct req r = {.query = query};
    static const char *const names[] = {"limit", "cursor", "status", "agent_id", "from", "to",
                                        "page", "min_amount", "q", ""};
    static const char *const choices[] = {"pending", "completed", "failed", "reversed", NULL};
    struct field_errors fe = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char small[8], big[512];
        int got = req_query(&r, names[i], small, sizeof small);
        if (got > 0 && strlen(small) >= sizeof small) abort();
        got = req_query(&r, names[i], big, sizeof big);
        if (got > 0 && strlen(big) >= sizeof big) abort();
        long v;
        req_query_int(&r, &fe, names[i], 1, 100, 20, &v);
        if (v < 1 || v > 100) abort();
        req_query_enum(&r, &fe, names[i], choices);
    }
    field_errors_free(&fe);
    free(query);
    return 0;
}
