/* The allocator cJSON uses in this process (set once by json_alloc_install at start-up).
 *
 * cJSON makes a node (64 bytes) and a short string for nearly every member, and a page of 100
 * transactions frees about 3,000 of them at once.  glibc's per-thread cache keeps 7 freed
 * blocks per size; the rest went through its slower bins, and the next large allocation
 * (a journal entry, a big body) made it consolidate them all: malloc and free were a third of
 * GET /transactions?limit=100.  Each thread now keeps up to JSON_CACHE_BYTES of freed small
 * blocks for cJSON's next allocations; the blocks come from malloc and go back to free. */
#ifndef JSON_ALLOC_H
#define JSON_ALLOC_H

#define JSON_CACHE_BYTES (256 * 1024)

void json_alloc_install(void);

#endif
