/* What both APIs' error values take from an error body: a string member into a fixed buffer,
 * and the {field, message} list of a 422 into the API's own field-error structs. */
#ifndef FIELD_ERRORS_H
#define FIELD_ERRORS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* dst = obj.key when it is a string; otherwise dst is left as it is. */
void copy_string_member(const cJSON *obj, const char *key, char *dst, size_t size);

/* message = "HTTP <status>: <the body's first 200 bytes>", for an error body that is not the
 * API's error object (a proxy's page, say). */
void message_from_foreign_body(char *message, size_t size, long http_status, const char *body,
                               size_t body_len);

/* Copies every {"field", "message"} of list (entries of another shape are skipped) into a
 * new array of elements of elem_size bytes whose two char * members sit at field_off and
 * message_off.  Returns false when out of memory, with nothing left allocated. */
bool field_errors_copy(const cJSON *list, size_t elem_size, size_t field_off, size_t message_off,
                       void **items, size_t *count);
void field_errors_release(void *items, size_t count, size_t elem_size, size_t field_off,
                          size_t message_off);

/* For a struct type with `char *field, *message`. */
#define FIELD_ERRORS_COPY(list, type, items, count)                                                \
    field_errors_copy((list), sizeof(type), offsetof(type, field), offsetof(type, message),        \
                      (void **)(items), (count))
#define FIELD_ERRORS_RELEASE(type, items, count)                                                   \
    field_errors_release((items), (count), sizeof(type), offsetof(type, field),                    \
                         offsetof(type, message))

#endif
