/* Loading fixtures: the trust model, and seed.json's organizations with fixed keys and their
 * agents, and each one's Alter app ("alter": {app_id, app_key, agents: [{id, name, ...,
 * api_key}]}). */
#ifndef FIXTURES_H
#define FIXTURES_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Loads dir/trust-model.json (when present; otherwise the contract's model stays) and
 * dir/seed.json into the store.  Returns an array describing each organization and its
 * keys (for the start-up banner; caller deletes), or NULL with the reason in err. */
cJSON *fixtures_load(const char *dir, char *err, size_t err_size);
/* seed.json's organizations, already parsed, into the store (the part of fixtures_load
 * after reading the files; the request fuzzer reseeds this way for every input). */
cJSON *fixtures_seed(const cJSON *seed, char *err, size_t err_size);
/* Only dir/trust-model.json (when present): the model is configuration, not state, so a
 * start from a --state file still takes it from the fixtures.  0, or -1 with err. */
int fixtures_load_trust_model(const char *dir, char *err, size_t err_size);

#endif
