/*
 * The counting allocator (count_alloc.h).
 */
#include "count_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Each block carries its size in a header, so the old_size a caller passes
   can be checked. */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

count_alloc count_alloc_make(unsigned long fail_at, size_t max_size)
{
    count_alloc a;
    memset(&a, 0, sizeof a);
    a.fail_at = fail_at;
    a.max_size = max_size;
    return a;
}

void *count_alloc_fn(void *user, void *ptr, size_t old_size, size_t new_size)
{
    count_alloc *a = user;
    block_header *block = ptr == NULL ? NULL : (block_header *)ptr - 1;
    /* lua_Alloc style: old_size means something only for a block. */
    if (block != NULL ? block->size != old_size
                      : a->zero_for_new && old_size != 0)
        a->bad_size++;
    if (new_size == 0) {
        if (block != NULL) {
            a->live_bytes -= block->size;
            a->live_blocks--;
            free(block);
        }
        return NULL;
    }
    if (++a->calls == a->fail_at || (a->max_size != 0 && new_size > a->max_size) ||
        new_size > SIZE_MAX - sizeof *block) {
        a->failures++;
        return NULL;
    }
    size_t before = block != NULL ? block->size : 0;
    block_header *grown = realloc(block, sizeof *grown + new_size);
    if (grown == NULL) {
        a->failures++;
        return NULL;
    }
    if (block == NULL)
        a->live_blocks++;
    a->live_bytes = a->live_bytes - before + new_size;
    grown->size = new_size;
    return grown + 1;
}
