/* The guarded parse of outside text: refused before cJSON recurses, whatever the text. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "sandbox/snapshot.h"
#include "sandbox/snapshot_reader.h"

static char *nested(int depth, const char *inner) {
    size_t n = strlen(inner);
    char *s = malloc(2 * (size_t)depth + n + 1);
    memset(s, '[', (size_t)depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ']', (size_t)depth);
    s[2 * depth + n] = '\0';
    return s;
}

static enum json_parse_error parse_error(const char *text, int max_depth) {
    enum json_parse_error why;
    cJSON *json = json_parse_guarded(text, strlen(text), max_depth, &why);
    cr_assert_eq(json == NULL, why != JSON_PARSE_OK, "a tree exactly when it says OK");
    cJSON_Delete(json);
    return why;
}

Test(json_parse, takes_json_nested_to_the_limit_and_refuses_one_level_more) {
    char *at = nested(JSON_MAX_DEPTH, "1"), *over = nested(JSON_MAX_DEPTH + 1, "1");
    cr_assert_eq(parse_error(at, JSON_MAX_DEPTH), JSON_PARSE_OK);
    cr_assert_eq(parse_error(over, JSON_MAX_DEPTH), JSON_PARSE_TOO_DEEP);
    free(at), free(over);
    /* far past what a worker's stack survives, without reaching cJSON */
    char *deep = nested(200000, "");
    cr_assert_eq(parse_error(deep, JSON_MAX_DEPTH), JSON_PARSE_TOO_DEEP);
    free(deep);
}

Test(json_parse, counts_nesting_outside_strings_only) {
    cr_assert_eq(parse_error("{\"a\":[[1]]}", 3), JSON_PARSE_OK);
    cr_assert_eq(parse_error("{\"a\":[[1]]}", 2), JSON_PARSE_TOO_DEEP);
    cr_assert_eq(parse_error("{\"a\":\"[[[[[[\"}", 1), JSON_PARSE_OK);
    cr_assert_eq(parse_error("{\"a\":\"\\\"[[[\"}", 1), JSON_PARSE_OK);
    /* closes before opens must not let as many more opens through */
    char *sneaky = malloc(400);
    memset(sneaky, ']', 100);
    memset(sneaky + 100, '[', 150);
    sneaky[250] = '\0';
    cr_assert_eq(parse_error(sneaky, 64), JSON_PARSE_INVALID);
    free(sneaky);
}

Test(json_parse, refuses_nul_in_strings_and_in_the_text) {
    cr_assert_eq(parse_error("{\"a\":\"x\\u0000y\"}", 4), JSON_PARSE_NUL);
    cr_assert_eq(parse_error("{\"a\":\"x\\\\u0000y\"}", 4), JSON_PARSE_OK, "the text \\\\u0000");
    enum json_parse_error why;
    cr_assert_null(json_parse_guarded("{\"a\":1}\0{}", 10, 4, &why));
    cr_assert_eq(why, JSON_PARSE_INVALID);
}

Test(json_parse, takes_exactly_one_value_and_needs_no_terminating_nul) {
    cr_assert_eq(parse_error("{\"a\":1} \r\n", 4), JSON_PARSE_OK);
    cr_assert_eq(parse_error("{\"a\":1} x", 4), JSON_PARSE_INVALID, "trailing text");
    cr_assert_eq(parse_error("{\"a\":1}{}", 4), JSON_PARSE_INVALID);
    cr_assert_eq(parse_error("", 4), JSON_PARSE_INVALID);
    cr_assert_eq(parse_error("   ", 4), JSON_PARSE_INVALID);
    const char *buffer = "[1,2]]]]garbage"; /* the first 5 bytes of a larger buffer */
    enum json_parse_error why;
    cJSON *json = json_parse_guarded(buffer, 5, 4, &why);
    cr_assert_eq(cJSON_GetArraySize(json), 2);
    cJSON_Delete(json);
    cr_assert_null(json_parse_guarded(NULL, 0, 4, &why));
}

Test(json_parse, names_each_refusal) {
    char buf[64];
    cr_assert_str_eq(json_parse_error_text(JSON_PARSE_TOO_DEEP, 64, buf, sizeof buf),
                     "nests deeper than 64 levels");
    cr_assert_str_eq(json_parse_error_text(JSON_PARSE_INVALID, 64, buf, sizeof buf),
                     "is not valid JSON");
}

Test(snapshot_line, refuses_invalid_utf8_and_deep_lines_with_their_reason) {
    const char *problem;
    cr_assert_null(snapshot_line_parse("{\"name\":\"\xff\"}", 12, &problem));
    cr_assert_str_eq(problem, "is not valid UTF-8");
    char *deep = nested(800, "");
    cr_assert_null(snapshot_line_parse(deep, strlen(deep), &problem));
    cr_assert_str_eq(problem, "nests deeper than 64 levels");
    free(deep);
    cJSON *rec = snapshot_line_parse("{\"type\":\"meta\"}", 15, &problem);
    cr_assert_not_null(rec);
    cr_assert_null(problem);
    cJSON_Delete(rec);
}

/* The loader a PUT /_mock/state feeds line by line refuses a deep line with its reason. */
Test(snapshot_line, the_loader_refuses_a_deep_line_and_changes_nothing) {
    struct snapshot_loader *l = snapshot_loader_new();
    char err[256] = "";
    const char *meta = "{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":3,"
                       "\"clock_offset_seconds\":0,\"alter_key_pepper\":"
                       "\"0000000000000000000000000000000000000000000000000000000000000000\"}";
    cr_assert_eq(snapshot_loader_line(l, meta, strlen(meta), err, sizeof err), 0, "%s", err);
    char *deep = nested(5000, "");
    cr_assert_eq(snapshot_loader_line(l, deep, strlen(deep), err, sizeof err), -1);
    cr_assert_str_eq(err, "the line nests deeper than 64 levels");
    free(deep);
    snapshot_loader_free(l);
}
