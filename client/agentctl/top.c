/* The commands outside any group. */
#include "agentctl.h"

int listen_run(const struct command *cmd, const struct invocation *inv);  /* listen.c */
int trigger_run(const struct command *cmd, const struct invocation *inv); /* trigger.c */

/* clang-format off */
const struct command top_commands[] = {
    { "listen",  "",      0, 0, "org-id,port,register,events,secret,max-events", listen_run,
      "print webhook events as they arrive, signatures checked (--register URL makes an endpoint)" },
    { "trigger", "EVENT", 1, 1, "webhook-id", trigger_run,
      "make the state change that emits EVENT (agent.registered, transaction.completed, ...)" },
    { 0 },
};
/* clang-format on */
