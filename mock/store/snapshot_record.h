/* What every module's part of a state snapshot shares (sandbox/snapshot.h runs them all):
 * a sink its records are written to, and the shape of the function that loads one of its
 * records into a staged tenant.  Each module writes and reads its own records, so the fields
 * of a record live next to the struct they come from. */
#ifndef SNAPSHOT_RECORD_H
#define SNAPSHOT_RECORD_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/validate.h"
#include "store/store.h"

/* put writes one record and consumes it; 0, or -1 once the output has failed (stop). */
struct snapshot_out {
    int (*put)(void *ctx, cJSON *rec);
    void *ctx;
};

/* Writes every record of one kind of t's state (t's lock held).  0, or -1 from put. */
typedef int (*snapshot_write_records_fn)(const struct tenant *t, const struct snapshot_out *out);

/* Loads one record into t, staged in st (not yet visible): 0, or -1 with the reason in err.
 * A record that names what does not exist, repeats an id or breaks a chain is refused. */
typedef int (*snapshot_load_record_fn)(struct store_staging *st, struct tenant *t, const cJSON *rec,
                                       char *err, size_t err_size);

/* A new record {"type": type, "org_id": t's id}. */
cJSON *snapshot_record(const char *type, const struct tenant *t);
/* The same with the members of fields (an object, consumed) after them: a record that is an
 * object as the API renders it. */
cJSON *snapshot_record_of(const char *type, const struct tenant *t, cJSON *fields);
/* Adds an integer (a count, a Unix time; exact below 2^53) as a JSON number.  name is a
 * literal, borrowed as it is (as for snapshot_add_string). */
void snapshot_add_int(cJSON *o, const char *name, int64_t value);
/* Adds a string member (value NULL: null) that borrows its name, a literal, and its value,
 * which must outlive the record: a record is printed and freed while its tenant's lock keeps
 * what it points at.  Saving ten million entries copies no string twice so. */
void snapshot_add_string(cJSON *o, const char *name, const char *value);
/* snprintf into err; returns -1. */
int snapshot_fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A record that breaks the API's field rules: "<what>: <field> <message>" of fe's first error
 * into err, fe freed; returns -1.  (A state file is outside input: the API's validators run on
 * it, and the first rule broken is named.) */
int snapshot_fail_fields(char *err, size_t err_size, const char *what, struct field_errors *fe);

#endif
