#include "tenant_parts.h"

#include "alter/app.h"
#include "sandbox/idempotency.h"
#include "sandbox/report.h"

static void parts_free(struct tenant *t) {
    alter_app_free(t->alter);
    report_free(t->report);
    idempotency_store_free(t->idem);
    t->alter = NULL;
    t->report = NULL;
    t->idem = NULL;
}

static int parts_make(struct tenant *t) {
    if ((t->alter = alter_app_new()) && (t->report = report_new()) &&
        (t->idem = idempotency_store_new()))
        return 0;
    parts_free(t);
    return -1;
}

/* Called under t's lock (tenant_detach_data); each part also takes its own lock. */
static void parts_clear(struct tenant *t) {
    idempotency_store_clear(t->idem);
    report_clear(t->report);
}

const struct tenant_parts tenant_parts = {parts_make, parts_clear, parts_free};
