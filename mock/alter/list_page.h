/* The paging every Alter list shares (alter.md §3 agents.list, §7 grants): limit 1–1000
 * (default 100), offset >= 0 and include_revoked (default false) in the query, and the answer
 * {<items>, total, limit, offset, has_more}. */
#ifndef ALTER_LIST_PAGE_H
#define ALTER_LIST_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/http.h"

struct alter_list_page {
    long limit, offset;
    bool include_revoked;
};

/* Reads the three parameters, adding a field error for each bad one. */
void alter_list_page_parse(const struct req *r, struct field_errors *fe,
                           struct alter_list_page *out);
/* {name: items (taken), total, limit, offset, has_more}. */
cJSON *alter_list_page_json(const struct alter_list_page *page, const char *name, cJSON *items,
                            size_t total);

#endif
