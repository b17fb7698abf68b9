/*
 * <impl>_oom: the <impl>_ops program with one allocation failure injected,
 * for implementations that allocate only through rt_config.alloc.
 *
 * The first two bytes (little-endian) choose which allocation fails
 * (1 = the first; 0 = none); the rest is a restab_ops input. The operation
 * whose allocation fails must report out-of-memory and change nothing (the
 * runner then checks restab's state against the oracle's state before that
 * step), every other operation must behave as usual, and once the table set
 * is destroyed no byte may remain allocated.
 */
#include "run.h"
#include "sut.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct counting_alloc {
    unsigned long calls;    /* allocations and resizes so far */
    unsigned long fail_at;  /* the call that fails; 0: none */
    unsigned long failures; /* calls that failed */
    size_t live_bytes;
    size_t live_blocks;
    int bad_size; /* a free or resize named a size the block does not have */
} counting_alloc;

/*
 * Each block carries its size in a header, so the hook can check the
 * old_size the library passes.
 */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

static void *counting_realloc(void *user, void *ptr, size_t old_size,
                              size_t new_size)
{
    counting_alloc *a = user;
    block_header *block = ptr == NULL ? NULL : (block_header *)ptr - 1;
    if (block != NULL && block->size != old_size)
        a->bad_size = 1;
    if (new_size == 0) {
        if (block != NULL) {
            a->live_bytes -= block->size;
            a->live_blocks--;
            free(block);
        }
        return NULL;
    }
    if (++a->calls == a->fail_at || new_size > SIZE_MAX - sizeof *block) {
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    counting_alloc a = {0, 0, 0, 0, 0, 0};
    if (size >= 2) {
        a.fail_at = (unsigned long)data[0] | (unsigned long)data[1] << 8;
        data += 2;
        size -= 2;
    }
    run_options opt = fuzz_run_options();
    opt.alloc = counting_realloc;
    opt.alloc_user = &a;
    opt.alloc_failures = &a.failures;
    int status = run_bytes(data, size, &opt);
    if (status == 0 && (a.live_blocks != 0 || a.live_bytes != 0 || a.bad_size)) {
        fprintf(stderr,
                "==== restab harness: allocation accounting is wrong ====\n"
                "after %s's destroy: %zu blocks and %zu bytes still "
                "allocated%s (allocation %lu was made to fail)\n",
                opt.sut->name, a.live_blocks, a.live_bytes,
                a.bad_size ? "; a free or resize gave the wrong old size" : "",
                a.fail_at);
        status = -1;
    }
    if (status != 0)
        abort();
    return 0;
}
