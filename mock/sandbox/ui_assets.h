/* The dashboard's files (mock/ui/), compiled in by mock/ui/embed.cmake. */
#ifndef SANDBOX_UI_ASSETS_H
#define SANDBOX_UI_ASSETS_H

#include <stddef.h>

struct ui_asset {
    const char *name; /* file name: "app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

extern const struct ui_asset ui_assets[];
extern const size_t n_ui_assets;

#endif
