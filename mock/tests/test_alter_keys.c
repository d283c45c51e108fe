/* Alter key_prefix (alter.md §4): the type prefix plus 8 characters, never shared by two keys
 * of one agent (a colliding draw is drawn again; a given plaintext that collides is refused). */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "alter/agents.h"
#include "alter/app.h"
#include "alter/key_hash.h"
#include "core/random.h"
#include "store/store.h"
#include "store/tenant.h"
#include "tenant_parts.h"

#define T0 1800000000

Test(alter_key_prefix, is_the_type_prefix_and_the_next_eight_characters) {
    char out[ALTER_KEY_PREFIX_LEN + 1];
    alter_key_prefix("alter_key_agent_vYbdGLvu0123456789abcdefghijklmnop", out);
    cr_assert_str_eq(out, "alter_key_agent_vYbdGLvu");
    alter_key_prefix("alter_key_app_ABCDEFGH0123456789abcdefghijklmnop", out);
    cr_assert_str_eq(out, "alter_key_app_ABCDEFGH");
    alter_key_prefix("alter_rk_0123456789abcdefXYZ", out);
    cr_assert_str_eq(out, "alter_rk_01234567");
    alter_key_prefix("alter_dk_zzzzzzzzyyyyyyyy", out);
    cr_assert_str_eq(out, "alter_dk_zzzzzzzz");
}

Test(alter_key_prefix, a_draw_colliding_with_another_key_of_the_agent_is_drawn_again) {
    store_init(&tenant_parts);
    struct tenant *t = tenant_new("prefixes", PLAN_ENTERPRISE, false);
    cr_assert_not_null(t);
    struct field_errors fe = {0};
    struct alter_agent *agent = NULL;
    char first_key[ALTER_KEY_MAX];
    cJSON *body = cJSON_Parse("{\"name\": \"collider\"}");
    cr_assert_eq(alter_agent_add(t, body, NULL, NULL, T0, &fe, &agent, first_key), ALTER_CREATE_OK);
    cJSON_Delete(body);

    /* the key the seeded stream draws next, and a twin: same prefix, another tail */
    random_seed(42);
    char drawn[ALTER_KEY_MAX], twin[ALTER_KEY_MAX], out[ALTER_KEY_MAX];
    alter_key_generate(ALTER_KEY_AGENT, drawn);
    snprintf(twin, sizeof twin, "%s", drawn);
    size_t last = strlen(twin) - 1;
    twin[last] = twin[last] == 'a' ? 'b' : 'a';
    tenant_lock(t);
    const struct alter_key *k_twin = alter_key_issue(t, agent, twin, NULL, 0, T0, out);
    cr_assert_not_null(k_twin);
    char twin_prefix[ALTER_KEY_PREFIX_LEN + 1];
    alter_key_prefix(twin, twin_prefix);
    cr_assert_str_eq(k_twin->prefix, twin_prefix);

    /* a given plaintext showing a taken prefix cannot be re-drawn: refused */
    cr_assert_null(alter_key_issue(t, agent, drawn, NULL, 0, T0, out));

    /* the stream draws `drawn` again first: its prefix is the twin's, so it is drawn again */
    random_seed(42);
    const struct alter_key *k = alter_key_issue(t, agent, NULL, NULL, 0, T0, out);
    cr_assert_not_null(k);
    cr_assert_str_neq(out, drawn, "the colliding key was issued");
    cr_assert_str_neq(k->prefix, twin_prefix);
    for (size_t i = 0; i < agent->n_keys; i++)
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(agent->keys[i]->prefix, agent->keys[j]->prefix);
    tenant_unlock(t);
    random_unseed();
    tenant_release(t);
    store_clear();
}
