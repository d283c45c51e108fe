/* The allocator cJSON uses in this process (set once by json_alloc_install at start-up).
 *
 * cJSON makes a node (64 bytes) and a short string for nearly every member, and a page of 100
 * transactions frees about 3,000 of them at once.  glibc's per-thread cache keeps 7 freed
 * blocks per size; the rest went through its slower bins, and the next large allocation
 * (a journal entry, a big body) made it consolidate them all: malloc and free were a third of
 * GET /transactions?limit=100.  Two remedies, both here because cJSON has one set of hooks:
 *
 * - Each thread keeps up to JSON_CACHE_BYTES of freed small blocks for cJSON's next
 *   allocations; the blocks come from malloc and go back to free.
 * - Arenas: while a thread is inside one, cJSON's allocations on that thread are increments
 *   in it, its frees of them do nothing, and the arena frees everything at once.  The snapshot
 *   reader parses into arenas; handlers that build a large reply build it in the thread's
 *   scratch arena (json_scratch_begin/end), where nothing made may outlive the scope. */
#ifndef JSON_ALLOC_H
#define JSON_ALLOC_H

#include <stdbool.h>

#define JSON_CACHE_BYTES (256 * 1024)
#define JSON_ARENA_CHUNK (256 * 1024)

/* Installs the hooks (once; later calls do nothing).  Before the first cJSON allocation: a
 * block cJSON allocated before is freed the usual way, but one of an arena only with them. */
void json_alloc_install(void);

/* Frees the calling thread's cached blocks.  For a caller that counts malloc and free calls
 * (the request fuzzer: libFuzzer runs its leak check whenever they differ within an input). */
void json_cache_release(void);

struct json_chunk;
struct json_arena {
    struct json_chunk *chunks; /* the newest first */
};

/* The calling thread allocates cJSON in a (NULL: as usual again); returns the previous one,
 * which the caller enters again when done (scopes nest: see json_scratch_begin). */
struct json_arena *json_arena_enter(struct json_arena *a);
/* Whether p was allocated in a. */
bool json_arena_owns(const struct json_arena *a, const void *p);
/* Frees what a holds, keeping one chunk for reuse when keep_one (freed by keep_one = false). */
void json_arena_reset(struct json_arena *a, bool keep_one);

/* Everything cJSON allocates on this thread between these two lives in the thread's scratch
 * arena and is gone at json_scratch_end: build a reply, reply_json it, end.  A scope opened
 * inside another ends with it (only the outermost end frees).  Each end restores the arena
 * that was current at its begin, so scopes and json_arena_enter nest either way round (up to
 * JSON_SCRATCH_NEST scopes deep; deeper ones restore the scratch arena). */
#define JSON_SCRATCH_NEST 16
void json_scratch_begin(void);
void json_scratch_end(void);
/* Whether p was allocated in this thread's open scratch arena.  A tree whose root is there is
 * taken to be there wholly (build nothing into it from before json_scratch_begin): reply_json
 * then skips cJSON_Delete, which json_scratch_end does at once for every node. */
bool json_scratch_owns(const void *p);

#endif
