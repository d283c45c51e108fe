/* The store makes, empties and frees a tenant's upper-layer parts only through the hooks it
 * was given (store/tenant.h), and never makes a tenant without them. */
#include <criterion/criterion.h>
#include <signal.h>

#include "store/store.h"
#include "tenant_parts.h"

static int made, cleared, freed;
static bool fail_make;

static int counting_make(struct tenant *t) {
    if (fail_make) return -1;
    made++;
    t->alter = (struct alter_app *)&made; /* never dereferenced by the store */
    return 0;
}
static void counting_clear(struct tenant *t) {
    cr_assert_eq(t->alter, (struct alter_app *)&made, "a reset keeps the parts, emptied");
    cleared++;
}
static void counting_free(struct tenant *t) {
    (void)t;
    freed++;
}
static const struct tenant_parts counting = {counting_make, counting_clear, counting_free};

Test(tenant_parts, a_tenant_is_never_made_without_its_parts, .signal = SIGABRT) {
    tenant_new("No Parts", PLAN_STARTER, false); /* store_init was not called */
}

Test(tenant_parts, made_at_creation_emptied_by_a_reset_freed_at_the_last_reference) {
    store_init(&counting);
    struct tenant *t = tenant_new("Counted", PLAN_STARTER, false);
    cr_assert_not_null(t);
    cr_assert_eq(made, 1);
    struct tenant_data old;
    tenant_lock(t);
    tenant_detach_data(t, &old);
    tenant_unlock(t);
    tenant_data_free(&old);
    cr_assert_eq(cleared, 1);
    cr_assert_eq(freed, 0);
    tenant_retain(t);
    tenant_release(t);
    cr_assert_eq(freed, 0, "a reference is still held");
    tenant_release(t);
    cr_assert_eq(freed, 1);
}

Test(tenant_parts, a_part_that_cannot_be_made_fails_the_tenant_cleanly) {
    store_init(&counting);
    fail_make = true;
    cr_assert_null(tenant_new("Out Of Memory", PLAN_STARTER, false));
    cr_assert_eq(freed, 0, "a failed make frees its own parts");
}

Test(tenant_parts, the_mock_s_parts_are_all_made_and_freed) {
    store_init(&tenant_parts);
    struct tenant *t = tenant_new("Whole", PLAN_STARTER, false);
    cr_assert(t && t->alter && t->report && t->idem);
    tenant_release(t); /* LeakSanitizer: each part freed */
}
