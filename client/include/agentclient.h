/* agentclient: the library's version and the mark on its public functions.
 *
 * Included by alsorn.h and alter.h; a program may include it alone to check, at compile time
 * (AGENTCLIENT_VERSION_*) and at run time (agentclient_version()), which library it has.
 * The SONAME policy (client/README.md): libagentclient.so.MAJOR; MAJOR changes with any
 * change that breaks programs built against an older header. */
#ifndef AGENTCLIENT_H
#define AGENTCLIENT_H

/* The one place the version is written: CMake reads it from here. */
#define AGENTCLIENT_VERSION_MAJOR 0
#define AGENTCLIENT_VERSION_MINOR 1
#define AGENTCLIENT_VERSION_PATCH 0
#define AGENTCLIENT_VERSION       "0.1.0"

/* The shared library is built with hidden visibility: only what carries this mark is
 * exported, so its internals (transport, JSON, hashing) cannot clash with a program's own. */
#if defined(__GNUC__) || defined(__clang__)
#define AGENTCLIENT_API __attribute__((visibility("default")))
#else
#define AGENTCLIENT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library the program runs with, e.g. "0.1.0" (AGENTCLIENT_VERSION is
 * the one it was compiled against). */
AGENTCLIENT_API const char *agentclient_version(void);

#ifdef __cplusplus
}
#endif

#endif
