/* The seeded Alter app (fixtures/seed.json): its fixed app key and agent keys work as printed
 * at start-up, so a developer can use them without provisioning anything.  Read-only. */
#include "alter_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The seed the runner gave the mock (AGENTMOCK_FIXTURES, as harness.c reads it). */
static cJSON *read_seed(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/seed.json", mock_fixtures_dir());
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *seed = cJSON_Parse(text);
    cr_assert_not_null(seed, "seed.json is not JSON");
    return seed;
}

Test(alter_fixtures, the_seeded_app_and_agent_keys_work) {
    require_mock();
    cJSON *seed = read_seed();
    const cJSON *alter = jobj(cJSON_GetArrayItem(jarr(seed, "organizations"), 0), "alter");
    const char *app_key = jstr(alter, "app_key");
    cJSON *list = alter_expect("GET", "/sdk/agents?include_revoked=true", app_key, NULL, 200);
    const cJSON *agent;
    int seeded = 0;
    cJSON_ArrayForEach(agent, jarr(alter, "agents")) {
        cJSON *me = alter_expect("GET", "/sdk/agents/me", jstr(agent, "api_key"), NULL, 200);
        expect_agent_info(me);
        cr_assert_str_eq(jstr(me, "id"), jstr(agent, "id"));
        cr_assert_str_eq(jstr(me, "name"), jstr(agent, "name"));
        cJSON_Delete(me);
        const cJSON *listed;
        bool found = false;
        cJSON_ArrayForEach(listed, jarr(list, "agents")) found |=
            !strcmp(jstr(listed, "id"), jstr(agent, "id"));
        cr_assert(found, "seeded agent %s is not in the app's list", jstr(agent, "name"));
        seeded++;
    }
    cr_assert_geq(seeded, 2, "the seed has at least two Alter agents");
    cJSON_Delete(list);
    cJSON_Delete(seed);
}
