/* reply_json prints into a buffer its worker thread keeps between requests, but never more of
 * it than REPLY_BUFFER_KEEP: each of the --threads workers would otherwise hold the largest
 * reply it ever printed (a journal page of 50 MB) for as long as the mock runs.  A larger reply
 * is printed into memory of its own, freed with the reply. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/http.h"

/* An array of about `bytes` bytes of JSON. */
static cJSON *document(size_t bytes) {
    cJSON *body = cJSON_CreateArray();
    static char text[1001];
    memset(text, 'x', sizeof text - 1);
    for (size_t n = 0; n < bytes; n += sizeof text + 2)
        cJSON_AddItemToArray(body, cJSON_CreateString(text));
    return body;
}

/* Answers a request with a reply of about `bytes` bytes, checks it is the document as cJSON
 * prints it, and ends the request; returns whether the body was the thread's buffer. */
static bool answer(size_t bytes) {
    cJSON *body = document(bytes);
    char *expected = cJSON_PrintUnformatted(body);
    struct req r = {0};
    reply_json(&r, 200, body);
    cr_assert_eq(r.reply.status, 200);
    cr_assert_eq(r.reply.body_len, strlen(expected), "printed whole");
    cr_assert(!memcmp(r.reply.body, expected, r.reply.body_len), "printed as cJSON prints it");
    bool borrowed = r.reply.body_borrowed;
    reply_body_free(&r.reply);
    cJSON_free(expected);
    return borrowed;
}

Test(reply_buffer, a_page_is_printed_into_the_buffer_kept_between_requests) {
    cr_assert(answer(60 * 1000), "a list page of 100 transactions uses the thread's buffer");
    size_t kept = reply_buffer_size();
    cr_assert(kept >= 60 * 1000 && kept <= REPLY_BUFFER_KEEP, "kept %zu bytes", kept);
    cr_assert(answer(1000));
    cr_assert_eq(reply_buffer_size(), kept, "the next request prints into the same buffer");
}

Test(reply_buffer, a_large_reply_is_not_kept_by_its_thread) {
    cr_assert(answer(REPLY_BUFFER_KEEP - 1000), "what fits the most the thread keeps");
    cr_assert_eq(reply_buffer_size(), REPLY_BUFFER_KEEP);
    cr_assert_not(answer(3 * 1000 * 1000), "a 3 MB reply is printed into memory of its own");
    cr_assert_not(answer(REPLY_BUFFER_KEEP + 1000));
    cr_assert_eq(reply_buffer_size(), REPLY_BUFFER_KEEP, "and the thread's buffer did not grow");
    cr_assert(answer(60 * 1000), "the next page goes into the kept buffer again");
}
