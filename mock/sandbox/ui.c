/* The dashboard's page and files.  They hold no data (the page fetches it from /_mock/ and
 * asks for the admin token when the sandbox has one), so the admin token does not guard them
 * (sandbox/admin.c: mock_authenticate). */
#include "sandbox/ui.h"

#include <string.h>

#include "sandbox/ui_assets.h"

static void reply_asset(struct req *r, const char *name) {
    for (size_t i = 0; i < n_ui_assets; i++) {
        if (strcmp(ui_assets[i].name, name) != 0) continue;
        /* the bytes live in the binary: borrowed, never freed */
        reply_raw(r, 200, ui_assets[i].content_type, (char *)ui_assets[i].data, ui_assets[i].len);
        r->reply.body_borrowed = true;
        /* a page that runs the sandbox's controls is never framed by another site */
        reply_header(r, "X-Frame-Options", "DENY");
        reply_header(r, "Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        reply_header(r, "Cache-Control", "no-cache");
        return;
    }
    reply_error(r, 404, "not_found", "The dashboard has no file %s", name);
}

/* GET /_mock/ui */
void mock_ui_page(struct req *r) {
    reply_asset(r, "index.html");
}

/* GET /_mock/ui/{asset} */
void mock_ui_asset(struct req *r) {
    reply_asset(r, r->params[0]);
}
