#include "alter/list_page.h"
#include "alter/limits.h"
#include "core/json_build.h"


void alter_list_page_parse(const struct req *r, struct field_errors *fe,
                           struct alter_list_page *out) {
    static const char *const booleans[] = {"false", "true", NULL};
    req_query_int(r, fe, "limit", 1, ALTER_LIST_LIMIT_MAX, ALTER_LIST_LIMIT_DEFAULT, &out->limit);
    req_query_int(r, fe, "offset", 0, 0x7fffffffL, 0, &out->offset);
    out->include_revoked = req_query_enum(r, fe, "include_revoked", booleans) == 1;
}

cJSON *alter_list_page_json(const struct alter_list_page *page, const char *name, cJSON *items,
                            size_t total) {
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, name, items);
    json_add_number(body, "total", (double)total);
    json_add_number(body, "limit", (double)page->limit);
    json_add_number(body, "offset", (double)page->offset);
    cJSON_AddBoolToObject(body, "has_more", (size_t)page->offset + (size_t)page->limit < total);
    return body;
}
