/* Canonical JSON (the form every fingerprint and audit hash is taken over): any JSON the
 * mock accepts prints, and printing is a fixed point: the canonical text parses back to a
 * value whose canonical text is the same bytes.  A hash that changed on a round trip would
 * make a stored chain fail to verify after a save and load. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canonical_json.h"
#include "core/json_parse.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    if (!utf8_valid(text, size)) return 0; /* the router refuses these before parsing */
    cJSON *json = json_parse_guarded(text, size, JSON_MAX_DEPTH, NULL);
    if (!json) return 0;
    char *once = canonical_json(json);
    if (!once) abort();
    cJSON *back = json_parse_guarded(once, strlen(once), JSON_MAX_DEPTH, NULL);
    if (!back) {
        fprintf(stderr, "canonical text does not parse: %s\n", once);
        abort();
    }
    char *twice = canonical_json(back);
    if (!twice || strcmp(once, twice) != 0) {
        fprintf(stderr, "canonical text is not a fixed point:\n%s\n%s\n", once, twice);
        abort();
    }
    if (!utf8_valid(once, strlen(once))) {
        fprintf(stderr, "canonical text is not UTF-8: %s\n", once);
        abort();
    }
    char h1[SHA256_TAGGED_LEN], h2[SHA256_TAGGED_LEN];
    if (canonical_sha256(json, h1) != 0 || canonical_sha256(back, h2) != 0 || strcmp(h1, h2))
        abort();
    free(once);
    free(twice);
    cJSON_Delete(json);
    cJSON_Delete(back);
    return 0;
}
