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
#include "count_alloc.h"
#include "prefix.h"
#include "run.h"
#include "sut.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    program head;
    program_init(&head);
    size_t skip = prefix_read(PREFIX_FAIL_AT, NULL, data, size, &head);
    count_alloc a = count_alloc_make(head.fail_at, 0);
    program_free(&head);
    run_options opt = fuzz_run_options();
    opt.has_fail_at = 1;
    opt.fail_at = (uint32_t)a.fail_at;
    data += skip;
    size -= skip;
    opt.alloc = count_alloc_fn;
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
