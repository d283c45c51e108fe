/* Field validation for request bodies and query strings.  Every check adds to one list of
 * field errors, so a reply names every invalid field, not only the first. */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct field_errors {
    cJSON *list; /* array of {"field", "message"}; owned; NULL until the first error */
};

void field_error_add(struct field_errors *fe, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "must be one of: a, b, c" */
void field_error_choices(struct field_errors *fe, const char *field, const char *const *choices);
static inline bool field_errors_any(const struct field_errors *fe) { return fe->list != NULL; }
void field_errors_free(struct field_errors *fe);

/* Result of checking one optional field. */
enum vres { V_ABSENT, V_OK, V_BAD };

/* UTF-8: well-formed (no overlongs, surrogates or code points past U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
size_t utf8_chars(const char *s); /* code points of a valid UTF-8 string */
/* Copies src[0..src_len) into dst as valid UTF-8 text for display: each byte that does not
 * start a well-formed character (and each NUL) becomes '?'; stops at a character boundary
 * when dst is full.  Returns how many bytes of src were copied (< src_len: truncated). */
size_t utf8_copy_lossy(char *dst, size_t dst_size, const char *src, size_t src_len);

/* A string of min..max characters (code points).  `nullable`: JSON null counts as absent. */
enum vres v_string(struct field_errors *fe, const cJSON *obj, const char *name, size_t min_chars,
                   size_t max_chars, bool nullable, const char **out);
/* A string equal to one of `choices` (NULL-terminated); *index receives its position. */
enum vres v_enum(struct field_errors *fe, const cJSON *obj, const char *name,
                 const char *const *choices, int *index);
enum vres v_bool(struct field_errors *fe, const cJSON *obj, const char *name, bool *out);
/* An integral JSON number in [min, max]. */
enum vres v_int(struct field_errors *fe, const cJSON *obj, const char *name, long long min,
                long long max, long long *out);
/* A JSON number in [min, max]. */
enum vres v_number(struct field_errors *fe, const cJSON *obj, const char *name, double min,
                   double max, double *out);
/* Money: a JSON number > 0, <= max, with at most 2 decimals, as integer minor units. */
enum vres v_money(struct field_errors *fe, const cJSON *obj, const char *name, int64_t max_units,
                  int64_t *cents);
/* Parses a decimal money string (query parameters) the same way. Returns 0 or -1. */
int money_parse(const char *s, int64_t *cents);
/* Exact JSON-number text for minor units: 5000000 -> "50000", 1250 -> "12.5". */
void money_format(int64_t cents, char out[32]);

/* Reports a required field that is missing. */
void v_require(struct field_errors *fe, enum vres r, const char *name);

#endif
