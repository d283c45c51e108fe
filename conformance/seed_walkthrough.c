/* The SDK documents' examples, run in their order by client/examples/seed_walkthrough.c
 * against this test's organization: every one must do what its document says (the program
 * checks each printed result and exits non-zero otherwise).  It registers the documents'
 * public webhook URL and sees the event arrive through the sandbox's forward target, and
 * seeds grants through the sandbox: it needs the mock. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SEED_WALKTHROUGH
Test(seed_walkthrough, the_documents_examples_work_as_written) {
    require_mock();
    struct tenant t;
    tenant_new(&t);
    const char *token = getenv("AGENTMOCK_ADMIN_TOKEN"); /* a mock run with --admin-token */
    char command[2048];
    snprintf(command, sizeof command,
             "ALSORN_BASE_URL='%s' ALTER_BASE_URL='%s' ALSORN_API_KEY='%s' ALTER_API_KEY='%s' "
             "MOCK_ADMIN_TOKEN='%s' '%s' 2>&1",
             target_base_url(), alter_base_url(), tkey(&t, KEY_ADMIN), t.alter_key,
             token ? token : "", SEED_WALKTHROUGH);
    FILE *out = popen(command, "r");
    cr_assert_not_null(out);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = '\0';
    int status = pclose(out);
    cr_assert_eq(status, 0, "the walkthrough failed:\n%s", text);
    cr_assert(strstr(text, "every example worked as the documents show"), "%s", text);
    cr_assert(strstr(text, "receiver: webhook.test, signature verified, forwarded from "
                           "https://example.com/webhooks/alsorn"),
              "%s", text);
}
#endif
