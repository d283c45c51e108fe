#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>

#include "core/http_framing.h"

static bool last_must_close; /* of the last request accepted */

/* The verdict on a request with these framing headers ("Name", "value", ... NULL). */
static bool framing(char *why, const char *first, ...) {
    struct mg_header h[16];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *name = first; name && n < 16; name = va_arg(ap, const char *)) {
        h[n].name = name;
        h[n++].value = va_arg(ap, const char *);
    }
    va_end(ap);
    why[0] = '\0';
    bool must_close = true;
    bool ok = http_framing_ok(h, n, &must_close, why, 96);
    if (ok) last_must_close = must_close;
    return ok;
}

Test(http_framing, one_length_told_one_way_is_accepted) {
    char why[96];
    cr_assert(framing(why, "Host", "x", NULL));
    cr_assert(framing(why, "Content-Length", "2", NULL));
    cr_assert(framing(why, "content-length", "0", NULL));
    cr_assert(framing(why, "Content-Length", "2, 2", "Content-Length", "02", NULL),
              "the same number repeated is one length (RFC 9112 §6.3)");
    cr_assert(framing(why, "Transfer-Encoding", "chunked", NULL));
    cr_assert(framing(why, "Transfer-Encoding", " Chunked ,", NULL), "a list may hold empty elements");
    cr_assert(framing(why, "Content-Type", "application/json", "Transfer-Encoding", "chunked",
                      "Accept", "*/*", NULL));
    cr_assert_not(last_must_close, "one way told once keeps the connection");
}

/* The coding wins over a Content-Length beside it (what Prism forwards), whatever that says,
 * and the connection ends after the answer. */
Test(http_framing, chunked_beside_a_length_is_read_as_chunked_and_ends_the_connection) {
    char why[96];
    cr_assert(framing(why, "Content-Length", "2", "Transfer-Encoding", "chunked", NULL));
    cr_assert(last_must_close);
    cr_assert(framing(why, "Transfer-Encoding", "chunked", "Content-Length", "2, 41", NULL));
    cr_assert(last_must_close);
    cr_assert(framing(why, "Content-Length", "2", NULL));
    cr_assert_not(last_must_close);
}

Test(http_framing, lengths_that_disagree_or_are_not_digits_are_refused) {
    char why[96];
    cr_assert_not(framing(why, "Content-Length", "2", "Content-Length", "41", NULL));
    cr_assert_str_eq(why, "The Content-Length values disagree");
    cr_assert_not(framing(why, "Content-Length", "2, 3", NULL));
    cr_assert_str_eq(why, "The Content-Length values disagree");
    static const char *const not_digits[] = {"+2", "2abc", "-1", "", "2,", "0x2", "2 2"};
    for (size_t i = 0; i < sizeof not_digits / sizeof *not_digits; i++) {
        cr_assert_not(framing(why, "Content-Length", not_digits[i], NULL), "\"%s\"", not_digits[i]);
        cr_assert_str_eq(why, "Content-Length must be a number of digits");
    }
    cr_assert_not(framing(why, "Content-Length", "100000000000000000000000000000000001",
                          "Content-Length", "1", NULL),
                  "compared as digits, not as numbers that overflow");
}

Test(http_framing, transfer_encoding_must_be_chunked_alone) {
    char why[96];
    static const char *const codings[] = {"identity", "gzip, chunked", "chunked, chunked", "", " , ",
                                          "chunkedx"};
    for (size_t i = 0; i < sizeof codings / sizeof *codings; i++) {
        cr_assert_not(framing(why, "Transfer-Encoding", codings[i], NULL), "\"%s\"", codings[i]);
        cr_assert_str_eq(why, "Transfer-Encoding must be chunked, once, and nothing else");
    }
    cr_assert_not(framing(why, "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked", NULL));
    cr_assert_not(framing(why, "Transfer-Encoding", "chunked", "Transfer-Encoding", "", NULL));
    cr_assert_not(framing(why, "Content-Length", "2", "Transfer-Encoding", "identity", NULL),
                  "identity is no coding of HTTP/1.1: the length would be read two ways");
}
