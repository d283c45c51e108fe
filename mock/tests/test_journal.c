#include <criterion/criterion.h>
#include <civetweb.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/credentials.h"
#include "sandbox/journal.h"

static struct mg_request_info info;

/* A request as the dispatcher would hand it over, without a connection. */
static void fake_request(struct req *r, const char *path, const char *body) {
    memset(r, 0, sizeof *r);
    memset(&info, 0, sizeof info);
    info.num_headers = 4;
    info.http_headers[0] = (struct mg_header){"Authorization", "Bearer als_0123456789abcdef"};
    info.http_headers[1] = (struct mg_header){"X-Api-Key", "short"};
    info.http_headers[2] = (struct mg_header){"User-Agent", "bad \xff byte"};
    info.http_headers[3] = (struct mg_header){"Cookie", "a=b; secret=c"};
    r->ri = &info;
    r->api = API_ALSORN;
    r->method = "POST";
    r->path = path;
    r->body = (char *)body;
    r->body_len = body ? strlen(body) : 0;
    r->reply.status = 201;
    snprintf(r->request_id, sizeof r->request_id, "req_%s", path + 1);
}

Test(journal, masks_secrets_and_keeps_text_valid) {
    journal_init(4);
    struct req r;
    fake_request(&r, "/a", "{\"x\": 1}");
    journal_record(&r, 1.5);
    cJSON *j = journal_json(10, NULL, NULL);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
    cJSON *h = cJSON_GetObjectItem(e, "headers");
    char fp[FINGERPRINT_LEN], want[FINGERPRINT_LEN + 8];
    credential_fingerprint("als_0123456789abcdef", 20, fp);
    cr_assert(!strncmp(fp, "als:", 4) && strlen(fp) == 12, "type and 8 hex digits: %s", fp);
    snprintf(want, sizeof want, "Bearer %s", fp);
    cr_assert_str_eq(cJSON_GetObjectItem(h, "Authorization")->valuestring, want);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "key_fingerprint")->valuestring, fp);
    credential_fingerprint("short", 5, fp);
    cr_assert_str_eq(cJSON_GetObjectItem(h, "X-Api-Key")->valuestring, fp,
                     "a short secret shows nothing of itself");
    cr_assert(!strncmp(fp, "secret:", 7));
    /* only letters, digits and '_' make a type: a sent byte that is not must not reach the
     * JSON (a key with an invalid UTF-8 byte made the journal's reply invalid UTF-8) */
    const char odd[] = "alter_key\xc4" "agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc";
    credential_fingerprint(odd, strlen(odd), fp);
    cr_assert(!strncmp(fp, "secret:", 7) && strlen(fp) == 15, "%s", fp);
    credential_fingerprint("alter key_0123456789abcdef0123", 30, fp);
    cr_assert(!strncmp(fp, "secret:", 7), "%s", fp);
    credential_fingerprint("alter_key_app_0123456789abcdef0123", 34, fp);
    cr_assert(!strncmp(fp, "alter_key_app:", 14), "%s", fp);
    credential_fingerprint("a=b; secret=c", 13, fp);
    cr_assert_str_eq(cJSON_GetObjectItem(h, "Cookie")->valuestring, fp);
    cr_assert_str_eq(cJSON_GetObjectItem(h, "User-Agent")->valuestring, "bad ? byte");
    cr_assert_str_eq(cJSON_GetObjectItem(e, "body")->valuestring, "{\"x\": 1}");
    cr_assert_eq(cJSON_GetObjectItem(e, "status")->valueint, 201);
    cJSON_Delete(j);
    journal_shutdown();
}

Test(journal, ring_keeps_the_newest_and_filters) {
    journal_init(3);
    const char *paths[] = {"/p1", "/p2", "/q3", "/p4", "/p5"};
    for (int i = 0; i < 5; i++) {
        struct req r;
        fake_request(&r, paths[i], NULL);
        journal_record(&r, 0);
    }
    cJSON *j = journal_json(10, NULL, NULL);
    cJSON *data = cJSON_GetObjectItem(j, "data");
    cr_assert_eq(cJSON_GetArraySize(data), 3);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(data, 0), "path")->valuestring, "/p5");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(data, 2), "path")->valuestring, "/q3");
    cJSON_Delete(j);
    j = journal_json(10, NULL, "/p");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
    cJSON_Delete(j);
    j = journal_json(1, NULL, NULL);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 1);
    cJSON_Delete(j);
    journal_clear();
    j = journal_json(10, NULL, NULL);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 0);
    cJSON_Delete(j);
    journal_shutdown();
}

Test(journal, long_bodies_are_cut_on_a_character_boundary) {
    journal_init(2);
    static char body[JOURNAL_BODY_MAX + 100];
    memset(body, 'a', sizeof body - 1);
    memcpy(body + JOURNAL_BODY_MAX - 1, "\xc3\xa9", 2); /* é straddles the cut */
    struct req r;
    fake_request(&r, "/big", body);
    journal_record(&r, 0);
    cJSON *j = journal_json(1, NULL, NULL);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
    const char *kept = cJSON_GetObjectItem(e, "body")->valuestring;
    cr_assert_eq(strlen(kept), JOURNAL_BODY_MAX - 1, "the cut character is left out whole");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_truncated")));
    cr_assert_eq(cJSON_GetObjectItem(e, "body_bytes")->valuedouble, sizeof body - 1);
    cJSON_Delete(j);
    journal_shutdown();
}

/* The journal entry of a request whose reply is `reply` (a 200 with x-api-key `key`). */
static cJSON *journal_of_reply(const char *reply, const char *key) {
    journal_init(1);
    struct req r;
    fake_request(&r, "/reply", NULL);
    info.num_headers = 1;
    info.http_headers[0] = (struct mg_header){"x-api-key", key};
    r.reply.body = (char *)reply;
    r.reply.body_len = strlen(reply);
    journal_record(&r, 0);
    cJSON *j = journal_json(1, NULL, NULL);
    journal_shutdown();
    return j;
}

static const char *entry_string(cJSON *j, const char *member) {
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
    return cJSON_GetObjectItem(e, member)->valuestring;
}

static const char *entry_header(cJSON *j, const char *name) {
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
    return cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"), name)->valuestring;
}

Test(journal, every_secret_member_of_a_reply_is_masked) {
    cJSON *j = journal_of_reply(
        "{\"id\":\"k1\",\"api_key\":\"als_0123456789abcdef\",\"name\":\"n\","
        "\"app\":{\"app_key\":\"alter_key_app_ABCDEFGH\",\"secret\":\"whsec_zyxwvutsrq\"},"
        "\"access_token\":\"tok_1234567890\",\"upstream_token\":\"up_abcdefghij\","
        "\"short\":{\"secret\":\"1234567\"},\"my_secret\":\"not-a-secret-member\","
        "\"note\":\"a \\\"secret\\\":\\\"in text\\\"\",\"api_key\":\"second_0123456789\"}",
        "k");
    cr_assert_str_eq(entry_string(j, "response_body"),
        "{\"id\":\"k1\",\"api_key\":\"als_0123************\",\"name\":\"n\","
        "\"app\":{\"app_key\":\"alter_ke**************\",\"secret\":\"whsec_zy********\"},"
        "\"access_token\":\"tok_1234******\",\"upstream_token\":\"up_abcde*****\","
        "\"short\":{\"secret\":\"1234567\"},\"my_secret\":\"not-a-secret-member\","
        "\"note\":\"a \\\"secret\\\":\\\"in text\\\"\",\"api_key\":\"second_0*********\"}");
    cJSON_Delete(j);
    /* a secret's value up to the end of a cut text: masked to the end */
    j = journal_of_reply("{\"secret\":\"whsec_0123456789", "k");
    cr_assert_str_eq(entry_string(j, "response_body"), "{\"secret\":\"whsec_01********");
    cJSON_Delete(j);
    /* text (not JSON) where one secret's value opens another member: both are masked, as
     * when each member was searched for on its own */
    j = journal_of_reply("\"secret\":\"api_key\":\"als_0123456789abcdef\"", "k");
    cr_assert_str_eq(entry_string(j, "response_body"),
                     "\"secret\":\"api_key\":\"als_0123************\"");
    cJSON_Delete(j);
}

/* The key is fingerprinted once; its header shows that fingerprint, and a header whose token
 * is not the whole key (a scheme word in x-api-key) still shows its own. */
Test(journal, key_and_its_header_share_one_fingerprint) {
    char fp[FINGERPRINT_LEN], want[FINGERPRINT_LEN + 8];
    cJSON *j = journal_of_reply("{}", "alter_key_agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc");
    credential_fingerprint("alter_key_agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc", 48, fp);
    cr_assert(!strncmp(fp, "alter_key_agent:", 16) && strlen(fp) == 24, "%s", fp);
    cr_assert_str_eq(entry_string(j, "key_fingerprint"), fp);
    cr_assert_str_eq(entry_header(j, "x-api-key"), fp);
    cJSON_Delete(j);

    j = journal_of_reply("{}", "Token als_0123456789abcdef0123");
    credential_fingerprint("Token als_0123456789abcdef0123", 30, fp);
    cr_assert_str_eq(entry_string(j, "key_fingerprint"), fp, "the key as sent");
    credential_fingerprint("als_0123456789abcdef0123", 24, fp);
    snprintf(want, sizeof want, "Token %s", fp);
    cr_assert_str_eq(entry_header(j, "x-api-key"), want);
    char *text = cJSON_PrintUnformatted(j);
    cr_assert_null(strstr(text, "0123456789abcdef"), "no key in the journal: %s", text);
    free(text);
    cJSON_Delete(j);

    /* an Authorization Bearer token is the key even after an x-api-key; "Basic" is not one */
    journal_init(1);
    struct req r;
    fake_request(&r, "/both", NULL);
    info.http_headers[0] = (struct mg_header){"X-Api-Key", "alter_key_agent_0123456789abcdef"};
    info.http_headers[1] = (struct mg_header){"authorization", "bearer als_0123456789abcdef"};
    info.http_headers[3] = (struct mg_header){"Authorization", "Basic dXNlcjpwYXNz"};
    journal_record(&r, 0);
    j = journal_json(1, NULL, NULL);
    credential_fingerprint("als_0123456789abcdef", 20, fp);
    cr_assert_str_eq(entry_string(j, "key_fingerprint"), fp);
    snprintf(want, sizeof want, "bearer %s", fp);
    cr_assert_str_eq(entry_header(j, "authorization"), want);
    credential_fingerprint("alter_key_agent_0123456789abcdef", 32, fp);
    cr_assert_str_eq(entry_header(j, "X-Api-Key"), fp);
    cJSON_Delete(j);
    info.http_headers[1] = (struct mg_header){"Accept", "*/*"};
    journal_record(&r, 0);
    j = journal_json(1, NULL, NULL);
    cr_assert_str_eq(entry_string(j, "key_fingerprint"), fp, "no Bearer token: the x-api-key");
    credential_fingerprint("dXNlcjpwYXNz", 12, fp);
    snprintf(want, sizeof want, "Basic %s", fp);
    cr_assert_str_eq(entry_header(j, "Authorization"), want);
    cJSON_Delete(j);
    journal_shutdown();
}

Test(credentials, query_credentials_are_found_and_redacted) {
    char out[256], fp[FINGERPRINT_LEN], want[256];
    cr_assert(!query_has_credentials("page=2&limit=10"));
    cr_assert(!query_has_credentials(""));
    cr_assert(!query_has_credentials("token="), "an empty value carries nothing");
    cr_assert(query_has_credentials("page=1&API_KEY=x"), "names are case-insensitive");
    cr_assert(query_has_credentials("q=als_0123456789abcdef0123456789"), "a key under any name");
    cr_assert(!query_redact("page=2&limit=10", out, sizeof out));
    cr_assert_str_eq(out, "page=2&limit=10");
    cr_assert(query_redact("page=2&access_token=s3cr3t&x", out, sizeof out));
    credential_fingerprint("s3cr3t", 6, fp);
    snprintf(want, sizeof want, "page=2&access_token=%s&x", fp);
    cr_assert_str_eq(out, want);
    char tiny[8];
    query_redact("token=abcdefghijkl", tiny, sizeof tiny);
    cr_assert(strlen(tiny) < sizeof tiny && !strstr(tiny, "abc"), "cut, never the secret: %s", tiny);
}
