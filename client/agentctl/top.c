/* The commands outside any group. */
#include "agentctl.h"

const struct command top_commands[] = {
    { 0 },
};
