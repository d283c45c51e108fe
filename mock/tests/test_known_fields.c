#include <criterion/criterion.h>

#include "core/router.h"
#include "sandbox/known_fields.h"

Test(known_fields, every_row_names_a_route) {
    cr_assert_eq(known_fields_unmatched_rows(), 0, "a row of sandbox/known_fields.c names no route");
}

Test(known_fields, unknown_only_where_a_list_exists) {
    const struct route *post_agents = NULL, *get_agents = NULL;
    for (size_t i = 0; i < n_routes; i++) {
        if (!strcmp(routes[i].pattern, "/agents") && !strcmp(routes[i].method, "POST")) post_agents = &routes[i];
        if (!strcmp(routes[i].pattern, "/agents") && !strcmp(routes[i].method, "GET")) get_agents = &routes[i];
    }
    cr_assert(post_agents && get_agents);
    cr_assert(!known_fields_unknown(post_agents, "spending_limit"));
    cr_assert(known_fields_unknown(post_agents, "colour"));
    cr_assert(!known_fields_unknown(get_agents, "colour"), "no list: nothing is unknown");
}
