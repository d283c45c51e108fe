/* The library's version at run time, so a program can tell which libagentclient it loaded. */
#include "agentclient.h"

const char *agentclient_version(void) {
    return AGENTCLIENT_VERSION;
}
