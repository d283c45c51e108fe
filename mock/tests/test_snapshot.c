/* Snapshot export → import in process: the store comes back with the same records. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alsorn/agents.h"
#include "core/clock.h"
#include "sandbox/provision.h"
#include "sandbox/snapshot.h"
#include "store/store.h"

static int append(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static char *export_all(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(snapshot_export(append, f), 0);
    fclose(f);
    return text;
}

static int import_all(const char *text, char *err, size_t err_size) {
    struct snapshot_loader *l = snapshot_loader_new();
    int rc = 0;
    for (const char *p = text; *p && rc == 0;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        rc = snapshot_loader_line(l, p, n, err, err_size);
        p += n + (nl ? 1 : 0);
    }
    if (rc == 0) rc = snapshot_loader_commit(l, err, err_size);
    snapshot_loader_free(l);
    return rc;
}

Test(snapshot, round_trip_keeps_orgs_keys_agents_and_chains) {
    store_init();
    struct org_spec spec = {.name = "Round Trip", .plan = PLAN_GROWTH, .max_agents = -1};
    struct tenant *t = provision_org(&spec);
    cr_assert_not_null(t);
    struct field_errors fe = {0};
    cJSON *body = cJSON_Parse("{\"name\":\"Agent One\",\"authorized_actions\":[\"pay\"],"
                              "\"spending_limit\":99.95,\"description\":\"d\"}");
    struct agent *a = NULL;
    tenant_lock(t);
    cr_assert_eq(alsorn_agent_create(t, body, t->user_id, clock_now(), &fe, &a), CREATE_OK);
    char id[ID_LEN];
    snprintf(id, sizeof id, "%s", a->id);
    tenant_unlock(t);
    cJSON_Delete(body);
    store_key_revoke(spec.keys[KEY_READ]);
    char org_id[ID_LEN];
    snprintf(org_id, sizeof org_id, "%s", t->id);
    tenant_release(t);

    char *first = export_all();
    char err[256] = "";
    cr_assert_eq(import_all(first, err, sizeof err), 0, "%s", err);
    char *second = export_all();
    cr_assert_str_eq(strchr(second, '\n'), strchr(first, '\n'));

    struct caller c = {0};
    cr_assert_eq(store_key_lookup(spec.keys[KEY_WRITE], &c), KEY_FOUND);
    cr_assert_str_eq(c.tenant->id, org_id);
    tenant_release(c.tenant);
    cr_assert_eq(store_key_lookup(spec.keys[KEY_READ], &c), KEY_REVOKED);
    struct tenant *owner = store_agent_owner(id);
    cr_assert_not_null(owner, "the agent index is rebuilt");
    tenant_lock(owner);
    struct agent *back = agent_set_find(&owner->agents, id);
    cr_assert_eq(back->spending_limit, 9995);
    cr_assert_str_eq(back->description, "d");
    struct audit_check check;
    audit_chain_verify(&back->audit, back->id, &check);
    cr_assert(check.valid);
    tenant_unlock(owner);
    tenant_release(owner);
    free(first);
    free(second);
    store_clear();
}

Test(snapshot, a_bad_record_changes_nothing) {
    store_init();
    struct org_spec spec = {.name = "Stays", .plan = PLAN_STARTER, .max_agents = -1};
    tenant_release(provision_org(&spec));
    char err[256] = "";
    const char *bad = "{\"type\":\"meta\",\"format\":\"agentmock-state\",\"version\":1,"
                      "\"clock_offset_seconds\":0}\n{\"type\":\"org\",\"id\":\"org_x\"}\n";
    cr_assert_eq(import_all(bad, err, sizeof err), -1);
    cr_assert_neq(err[0], '\0');
    struct caller c = {0};
    cr_assert_eq(store_key_lookup(spec.keys[KEY_ADMIN], &c), KEY_FOUND, "old state intact");
    tenant_release(c.tenant);
    store_clear();
}
